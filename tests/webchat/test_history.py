"""History shown after a reload, rebuilt from (masked) tracker events."""

from __future__ import annotations

import pytest

from bot.channels.webchat.history import history_from_events
from kernel.contracts import LEGACY_STAFF_METADATA_KEY, STAFF_METADATA_KEY

MENU = [{"title": "查询案件进度", "payload": "/query_case_progress"}]


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], []),
        (
            [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "你好"}],
            [{"from": "user", "text": "你好", "buttons": []}],
        ),
        (
            [{"event": "bot", "text": "您好", "data": {"buttons": MENU}}],
            [{"from": "bot", "text": "您好", "buttons": MENU}],
        ),
        (  # a click is stored as the payload: the title the citizen clicked is shown
            [
                {"event": "bot", "text": "请选择", "data": {"buttons": MENU}},
                {"event": "user", "text": "/query_case_progress"},
            ],
            [
                {"from": "bot", "text": "请选择", "buttons": MENU},
                {"from": "user", "text": "查询案件进度", "buttons": []},
            ],
        ),
        (
            [
                {
                    "event": "bot",
                    "text": "您好，我是王法官",
                    "metadata": {STAFF_METADATA_KEY: {"label": "王法官"}},
                }
            ],
            [{"from": "staff", "text": "您好，我是王法官", "buttons": [], "label": "王法官"}],
        ),
        (  # conversations stored before the marker was unified still show staff lines as staff
            [
                {
                    "event": "bot",
                    "text": "您好",
                    "metadata": {LEGACY_STAFF_METADATA_KEY: {"label": "李书记员"}},
                }
            ],
            [{"from": "staff", "text": "您好", "buttons": [], "label": "李书记员"}],
        ),
        (  # masked text stays masked
            [{"event": "user", "text": "身份证110105********1234"}],
            [{"from": "user", "text": "身份证110105********1234", "buttons": []}],
        ),
        ([{"event": "bot", "text": None, "data": {}}], []),  # an empty bot event shows nothing
        (
            [{"event": "bot", "text": "", "data": {"image": "https://example.org/map.png"}}],
            [{"from": "bot", "text": "", "buttons": [], "image": "https://example.org/map.png"}],
        ),
        (  # malformed buttons never reach the page
            [{"event": "bot", "text": "选", "data": {"buttons": [{"title": 1}, "x", {"title": "是"}]}}],
            [{"from": "bot", "text": "选", "buttons": [{"title": "是", "payload": "是"}]}],
        ),
    ],
)
def test_history_from_events(events, expected) -> None:
    assert history_from_events(events) == expected


def test_history_keeps_the_latest_messages() -> None:
    events = [{"event": "user", "text": f"消息{i}"} for i in range(10)]
    assert [m["text"] for m in history_from_events(events, limit=3)] == ["消息7", "消息8", "消息9"]
