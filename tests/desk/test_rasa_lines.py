"""How the desk reads a conversation from Rasa's tracker events (pure function, table-driven)."""

from __future__ import annotations

import pytest

from services.desk.service.rasa import chat_lines
from services.desk.settings import DeskSettings

BUTTONS = {"buttons": [{"title": "确认提交", "payload": "/affirm"}]}


@pytest.mark.parametrize(
    "events, expected",
    [
        ([{"event": "user", "text": "你好"}], [("user", "你好", None)]),
        ([{"event": "bot", "text": "您好"}], [("bot", "您好", None)]),
        (
            [{"event": "bot", "text": "我来帮您", "metadata": {"webchat_staff": {"label": "工作人员 周敏"}}}],
            [("staff", "我来帮您", "工作人员 周敏")],
        ),
        (
            [{"event": "bot", "text": "好的", "metadata": {"staff": "工作人员 周敏"}}],
            [("staff", "好的", "工作人员 周敏")],
        ),
        (
            [{"event": "bot", "text": "确认吗", "data": BUTTONS}, {"event": "user", "text": "/affirm"}],
            [("bot", "确认吗", None), ("user", "确认提交", None)],
        ),
        ([{"event": "user", "text": "/request_human"}], [("user", "转人工服务", None)]),
        (
            [{"event": "user", "text": "身份证110105199001011234"}],
            [("user", "身份证110105********1234", None)],
        ),
        (
            [
                {"event": "action", "name": "action_listen"},
                {"event": "slot", "name": "x", "value": "y"},
                {"event": "bot", "text": ""},
                "junk",
            ],
            [],
        ),
    ],
)
def test_lines_from_events(events, expected):
    assert [(line.sender, line.text, line.label) for line in chat_lines(events)] == expected


def test_after_skips_what_the_desk_already_shows_but_keeps_button_titles():
    events = [{"event": "bot", "text": "确认吗", "data": BUTTONS}, {"event": "user", "text": "/affirm"}]
    lines = chat_lines(events, after=0)
    assert [(line.index, line.text) for line in lines] == [(1, "确认提交")]


def test_new_settings_come_from_the_environment():
    settings = DeskSettings.from_env(
        {
            "RASA_URL": "http://rasa:5005/",
            "RASA_TOKEN": "t",
            "CHANNEL_PUSH_TOKEN": "p",
            "HANDOFF_WAIT_SECONDS": "90",
            "DESK_SESSION_IDLE_MINUTES": "15",
            "DESK_COOKIE_SECURE": "true",
            "SMS_BACKEND": "HTTP",
            "COURT_API_URL": "http://court:8010/",
        }
    )
    assert (
        settings.rasa_url,
        settings.handoff_wait_seconds,
        settings.session_idle_minutes,
        settings.cookie_secure,
        settings.sms_backend,
        settings.court_api_url,
    ) == ("http://rasa:5005", 90, 15, True, "http", "http://court:8010")
    defaults = DeskSettings.from_env({})
    assert (defaults.handoff_wait_seconds, defaults.presence_seconds, defaults.sms_outbox) == (
        120,
        30,
        "var/sms_outbox.jsonl",
    )
