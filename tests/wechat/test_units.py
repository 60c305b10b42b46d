"""Pure edges: text splitting, button rendering and memory, the service window, message classification."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from wechatpy.parser import parse_message

from bot.channels.wechat.inbound import EMPTY, UNSUPPORTED, classify
from bot.channels.wechat.push import outcome
from bot.channels.wechat.settings import WeChatSettings
from bot.channels.wechat.text import ButtonMemory, render, split_text
from bot.channels.wechat.window import ServiceWindow
from kernel.kv import MemoryKV
from tests.wechat.conftest import FakeClock

OPENID = "oUnit"


@given(st.text(alphabet=st.sampled_from(list("案件进度ab1 \n。，😀")), max_size=3000), st.integers(8, 300))
@settings(max_examples=150, deadline=None)
def test_split_keeps_every_character_and_respects_the_limit(text, limit):
    pieces = split_text(text, limit)
    assert all(0 < len(p.encode("utf-8")) <= limit for p in pieces)
    assert "".join(pieces).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_prefers_paragraph_breaks():
    first, second = "甲" * 300, "乙" * 300
    assert split_text(f"{first}\n\n{second}", 1000) == [first, second]


def test_render_numbers_buttons_across_messages():
    text, payloads = render(
        [
            {"text": "请选择", "buttons": [{"title": "A", "payload": "/a"}]},
            {
                "text": "或者",
                "buttons": [{"title": "B", "payload": "/b"}, {"title": "官网", "url": "https://x"}],
            },
            {"image": "https://x/img.png"},
            {"custom": {"text": "自定义"}},
            {"custom": {"blocks": []}},  # no text: nothing raw is shown to the citizen
        ]
    )
    assert payloads == ["/a", "/b"]
    assert "1. A" in text and "2. B" in text and "官网：https://x" in text
    assert "https://x/img.png" in text and "自定义" in text and "blocks" not in text


@pytest.mark.parametrize(
    "reply, expected",
    [
        ("1", "/a"),
        ("2", "/b"),
        ("２", "/b"),
        ("2.", "/b"),
        (" 1 ", "/a"),
        ("3", "3"),
        ("0", "0"),
        ("好的", "好的"),
    ],
)
def test_numbered_reply_maps_back_to_payload(reply, expected):
    memory = ButtonMemory(MemoryKV())
    memory.remember(OPENID, ["/a", "/b"])
    assert memory.resolve(OPENID, reply) == expected


@pytest.mark.parametrize(
    "actions, sends, expected",
    [
        ([("message", "m1", 0)], 5, [True] * 5),
        ([("message", "m1", 0)], 6, [True] * 5 + [False]),
        ([("message", "m1", 0), ("message", "m1", 0)], 6, [True] * 5 + [False]),  # a retry is no new message
        ([("message", "m1", 48 * 3600 + 1)], 1, [False]),
        ([("click", "c1", 0)], 4, [True] * 3 + [False]),
        ([("click", "c1", 61)], 1, [False]),
        ([("subscribe", "s1", 0), ("message", "m1", 0)], 9, [True] * 8 + [False]),
        ([], 1, [False]),
    ],
)
def test_service_window(actions, sends, expected):
    clock = FakeClock(1_700_000_000)
    window = ServiceWindow(MemoryKV(), clock)
    for kind, grant_id, later in actions:
        window.open(OPENID, kind, grant_id)
        clock.advance(later)
    assert [window.consume(OPENID) for _ in range(sends)] == expected


def test_window_remaining_counts_without_using():
    window = ServiceWindow(MemoryKV(), FakeClock())
    window.open(OPENID, "message", "m1")
    window.consume(OPENID)
    assert window.remaining(OPENID) == window.remaining(OPENID) == 4


def _xml(msg_type: str, **fields) -> str:
    base = {"ToUserName": "gh", "FromUserName": OPENID, "CreateTime": "1700000000", "MsgType": msg_type}
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in {**base, **fields}.items())
    return f"<xml>{inner}</xml>"


@pytest.mark.parametrize(
    "xml, kind, text, grant, key",
    [
        (_xml("text", Content="你好", MsgId="11"), "turn", "你好", "message", "msg:11"),
        (_xml("text", Content="  ", MsgId="12"), "reply", EMPTY, "message", "msg:12"),
        (_xml("voice", Recognition="开庭时间", MsgId="13"), "turn", "开庭时间", "message", "msg:13"),
        (_xml("video", MediaId="v", MsgId="14"), "reply", UNSUPPORTED, "message", "msg:14"),
        (_xml("shortvideo", MediaId="v", MsgId="15"), "reply", UNSUPPORTED, "message", "msg:15"),
        (
            _xml("event", Event="CLICK", EventKey="HUMAN"),
            "turn",
            "/request_human",
            "click",
            f"evt:{OPENID}:1700000000",
        ),
        (_xml("event", Event="VIEW", EventKey="https://x"), "ignore", "", None, f"evt:{OPENID}:1700000000"),
        (
            _xml("event", Event="LOCATION", Latitude="1", Longitude="2"),
            "ignore",
            "",
            None,
            f"evt:{OPENID}:1700000000",
        ),
        (_xml("event", Event="unsubscribe"), "ignore", "", None, f"evt:{OPENID}:1700000000"),
        (_xml("event", Event="something_new"), "ignore", "", None, f"evt:{OPENID}:1700000000"),
        (_xml("event", Event="subscribe", EventKey="qrscene_123"), "reply", None, "subscribe", None),
    ],
)
def test_classify(xml, kind, text, grant, key):
    inbound = classify(parse_message(xml))
    assert inbound.kind == kind and inbound.grant == grant
    if text is not None:
        assert inbound.text == text
    if key is not None:
        assert inbound.dedupe_key == key


def test_settings_prefer_credentials_then_environment():
    env = {"WECHAT_TOKEN": "env-token", "WECHAT_APP_ID": "wx_env", "WECHAT_REPLY_BUDGET": "3.5"}
    loaded = WeChatSettings.load({"token": "yml-token", "app_id": None}, env=env)
    assert (loaded.token, loaded.app_id, loaded.reply_budget) == ("yml-token", "wx_env", 3.5)
    assert loaded.api_base == "https://api.weixin.qq.com"


def test_settings_without_token_refuse_to_start():
    with pytest.raises(ValueError, match="WECHAT_TOKEN"):
        WeChatSettings.load({}, env={})


def test_fixed_replies_fit_one_passive_message():
    from bot.channels.wechat import inbound

    texts = [
        inbound.welcome_text(),
        inbound.UNSUPPORTED,
        inbound.UNHEARD,
        inbound.EMPTY,
        inbound.UNKNOWN_MENU,
    ]
    assert all(len(text.encode("utf-8")) <= 2048 for text in texts)


def test_push_token_comes_from_the_environment_and_secrets_stay_out_of_repr():
    env = {"WECHAT_TOKEN": "tok-secret", "WECHAT_APP_ID": "wxA", "WECHAT_APP_SECRET": "app-secret"}
    settings = WeChatSettings.load(env={**env, "CHANNEL_PUSH_TOKEN": "push-secret"})
    assert settings.push_token == "push-secret"
    assert WeChatSettings.load(env=env).push_token == ""  # unset: the push endpoint answers 503
    assert not any(secret in repr(settings) for secret in ("tok-secret", "app-secret", "push-secret"))


@pytest.mark.parametrize(
    "routes, expected",
    [
        (["wechat"], (True, "customer_service")),
        (["wechat", "wechat"], (True, "customer_service")),
        (["sms", "sms"], (True, "sms")),
        (["wechat", "sms"], (True, "sms")),  # WeChat refused part-way; the rest went by SMS
        (["wechat", "undelivered"], (False, "undelivered")),
        (["undelivered"], (False, "undelivered")),
        ([], (False, "undelivered")),
    ],
)
def test_push_outcome_summarises_the_routes(routes, expected):
    result = outcome(routes)
    assert (result["delivered"], result["via"], result["parts"]) == (*expected, len(routes))
