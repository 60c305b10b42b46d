"""The shared words: channels read from Rasa's input-channel names, staff markers read back in every
spelling stored so far, and one transcript reader for the desk, the order and the web chat history."""

from __future__ import annotations

import json

import pytest

from kernel.contracts import (
    LEGACY_STAFF_METADATA_KEY,
    STAFF_LABEL,
    Channel,
    WorkOrderKind,
    channel_of,
    staff_label,
    staff_metadata,
)
from kernel.transcript import transcript

MENU = [{"title": "查询案件进度", "payload": "/query_case_progress"}]


@pytest.mark.parametrize(
    ("input_channel", "expected"),
    [
        ("webchat", Channel.WEB),
        ("socketio", Channel.WEB),
        ("SocketIO", Channel.WEB),
        ("wechat", Channel.WECHAT),
        ("bot.channels.wechat", Channel.WECHAT),
        ("rest", Channel.REST),
        (None, Channel.REST),
        ("", Channel.REST),
        ("cmdline", Channel.REST),
    ],
)
def test_channel_of(input_channel, expected) -> None:
    assert channel_of(input_channel) is expected


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        (None, None),
        ({}, None),
        ({"utter_action": "utter_greet"}, None),
        ("staff", None),
        (staff_metadata("王法官"), "王法官"),
        (staff_metadata(None), STAFF_LABEL),
        ({LEGACY_STAFF_METADATA_KEY: {"label": "李书记员"}}, "李书记员"),  # the web chat's earlier marker
        ({LEGACY_STAFF_METADATA_KEY: {}}, STAFF_LABEL),
        ({"staff": "工作人员 周敏"}, "工作人员 周敏"),  # the desk's earlier plain-string marker
        ({"staff": ""}, None),
    ],
)
def test_staff_label(metadata, expected) -> None:
    assert staff_label(metadata) == expected


def test_staff_label_is_cut_to_what_the_channels_accept() -> None:
    assert len(staff_metadata("长" * 40)["staff"]["label"]) == 32


def test_kinds_serialise_as_the_stored_labels() -> None:
    assert json.dumps({"kind": WorkOrderKind.COMPLAINT}, ensure_ascii=False) == '{"kind": "投诉举报"}'
    assert "投诉举报" == WorkOrderKind.COMPLAINT and {"投诉举报": 1}[WorkOrderKind.COMPLAINT] == 1


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([], []),
        (
            [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "你好"}],
            [(1, "user", "你好", None)],
        ),
        (
            [
                {"event": "bot", "text": "请选择", "data": {"buttons": MENU}},
                {"event": "user", "text": "/query_case_progress"},
            ],
            [(0, "bot", "请选择", None), (1, "user", "查询案件进度", None)],
        ),  # a click shows as its title
        (
            [{"event": "user", "text": "/affirm"}],
            [(0, "user", "是的", None)],
        ),  # no title known: what the intent means
        (
            [{"event": "user", "text": "/no_such_intent"}],
            [(0, "user", "（点击按钮 no_such_intent）", None)],
        ),  # nor a label: the intent's name
        (
            [{"event": "bot", "text": "我是王法官", "metadata": staff_metadata("王法官")}],
            [(0, "staff", "我是王法官", "王法官")],
        ),
        ([{"event": "bot", "text": None, "data": {}}, {"event": "user", "text": ""}, "junk"], []),
    ],
)
def test_transcript(events, expected) -> None:
    assert [(line.index, line.sender, line.text, line.label) for line in transcript(events)] == expected
