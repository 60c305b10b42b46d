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


CARD = {
    "title": "案件 （2026）京0105民初8848号",
    "subtitle": "民事一审，民间借贷纠纷",
    "rows": [{"label": "当前阶段", "value": "审理"}, {"label": "联系电话", "value": "010-65851234"}],
    "details": "最近进展：\n· 2026-10-09 立案",
}


def test_a_card_comes_back_after_a_reload_with_its_details_as_the_text() -> None:
    plain = "案件 …\n当前阶段：审理\n最近进展：\n· 2026-10-09 立案"
    events = [{"event": "bot", "text": plain, "timestamp": 1764579600.0, "data": {"custom": {"card": CARD}}}]
    (message,) = history_from_events(events)
    assert message["card"] == CARD and message["text"] == CARD["details"] and message["ts"] == 1764579600.0


def test_a_malformed_card_is_dropped_and_the_plain_text_shown() -> None:
    events = [{"event": "bot", "text": "进展", "data": {"custom": {"card": {"rows": [{"value": 1}]}}}}]
    assert history_from_events(events) == [{"from": "bot", "text": "进展", "buttons": []}]


async def test_a_card_or_a_queue_place_is_one_message_on_the_page() -> None:
    from bot.channels.webchat.channel import WebChatOutput

    class Sio:
        def __init__(self) -> None:
            self.emitted: list[dict] = []

        async def emit(self, event: str, message: dict, room: str) -> None:
            self.emitted.append(message)

    sio = Sio()
    output = WebChatOutput(sio)  # type: ignore[arg-type]
    buttons = [{"title": "给法官留言", "payload": "/contact_judge"}]
    await output.send_response("c1", {"text": "全文", "buttons": buttons, "custom": {"card": CARD}})
    await output.send_response(
        "c1", {"text": "正在转接", "custom": {"waiting": {"position": 2, "minutes": 3}}}
    )
    await output.send_response("c1", {"text": "普通", "custom": {"text": "另一条"}})
    texts = [m["text"] for m in sio.emitted]
    assert texts == [CARD["details"], "正在转接", "普通", "另一条"]
    assert sio.emitted[0]["card"] == CARD and sio.emitted[0]["buttons"] == buttons
    assert sio.emitted[1]["waiting"] == {"position": 2, "minutes": 3}
