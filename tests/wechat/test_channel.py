"""What a citizen notices in WeChat: answers, voice, menus, buttons, unsupported media, the welcome."""

from __future__ import annotations

import pytest

from bot.channels.wechat.inbound import UNHEARD, UNKNOWN_MENU, UNSUPPORTED
from kernel.contracts import client_key
from tests.wechat.conftest import FakeBot

OPENID = "oCitizen0000000000000000002"


@pytest.mark.parametrize("mode", ["plaintext", "compatible", "safe"])
def test_fast_answer_is_a_passive_reply_in_every_mode(make_rig, mode):
    rig = make_rig(mode)
    reply = rig.wechat.text(OPENID, "诉讼费怎么交")
    assert reply.status == 200
    assert reply.text == "收到：诉讼费怎么交"
    assert rig.bot.senders == [OPENID]  # the sender id is the OpenID
    rig.server.drain()
    assert rig.stub.store.delivered() == []  # nothing went through the customer-service API


def test_each_openid_is_its_own_client_for_the_lookup_limits(make_rig):
    rig = make_rig("plaintext")
    other = OPENID[:-1] + "3"
    for openid in (OPENID, OPENID, other):
        rig.wechat.text(openid, "查失信")
    keys = [m["client"] for m in rig.bot.metadata]
    assert keys[0] == keys[1] == client_key("wechat:" + OPENID) and keys[2] != keys[0]


def test_safe_mode_reply_is_encrypted(make_rig):
    rig = make_rig("safe")
    reply = rig.wechat.text(OPENID, "你好")
    assert "<Encrypt>" in reply.body and "你好" not in reply.body


def test_voice_with_recognition_is_a_turn(make_rig):
    rig = make_rig("safe")
    assert rig.wechat.voice(OPENID, "我的案子到哪一步了").text == "收到：我的案子到哪一步了"
    assert rig.bot.texts == ["我的案子到哪一步了"]


def test_voice_without_recognition_asks_again(make_rig):
    rig = make_rig("plaintext")
    assert rig.wechat.voice(OPENID, "").text == UNHEARD
    assert rig.bot.texts == []


@pytest.mark.parametrize("kind", ["image", "location", "link"])
def test_unsupported_media_get_a_polite_message(make_rig, kind):
    rig = make_rig("safe")
    reply = getattr(rig.wechat, kind)(OPENID)
    assert reply.text == UNSUPPORTED
    assert "文字" in reply.text and "语音" in reply.text
    assert rig.bot.texts == []


def test_subscribe_gets_welcome_and_privacy_notice(make_rig):
    rig = make_rig("safe")
    reply = rig.wechat.subscribe(OPENID)
    assert "欢迎关注" in reply.text and "隐私说明" in reply.text and "OpenID" in reply.text
    assert rig.bot.texts == []  # no conversation is started for someone who only followed


def test_unsubscribe_is_acknowledged_silently(make_rig):
    rig = make_rig("plaintext")
    reply = rig.wechat.unsubscribe(OPENID)
    assert reply.status == 200 and reply.body == "success"


@pytest.mark.parametrize(
    "key, intent",
    [
        ("CASE_PROGRESS", "/query_case_progress"),
        ("DEBTOR", "/query_dishonest_debtor"),
        ("CONTACT_JUDGE", "/contact_judge"),
        ("HUMAN", "/request_human"),
    ],
)
def test_menu_click_sends_its_intent(make_rig, key, intent):
    rig = make_rig("plaintext")
    rig.wechat.click(OPENID, key)
    assert rig.bot.texts == [intent]


def test_unknown_menu_key_is_explained(make_rig):
    rig = make_rig("plaintext")
    assert rig.wechat.click(OPENID, "NO_SUCH_KEY").text == UNKNOWN_MENU
    assert rig.bot.texts == []


def _buttons(text: str) -> list[dict]:
    if text.startswith("/"):
        return [{"text": f"已选择 {text}"}]
    return [
        {
            "text": "请问您要办理哪项业务？",
            "buttons": [
                {"title": "查询案件进度", "payload": "/query_case_progress"},
                {"title": "联系法官", "payload": "/contact_judge"},
                {"title": "网上立案", "url": "https://example.court.gov.cn/lian", "type": "web_url"},
            ],
        }
    ]


def test_buttons_are_numbered_and_a_number_sends_the_payload(make_rig):
    rig = make_rig("safe", bot=FakeBot(answer=_buttons))
    shown = rig.wechat.text(OPENID, "办事")
    assert "1. 查询案件进度" in shown.text and "2. 联系法官" in shown.text
    assert "网上立案：https://example.court.gov.cn/lian" in shown.text
    assert rig.wechat.text(OPENID, "２").text == "已选择 /contact_judge"  # full-width digit too
    assert rig.bot.texts == ["办事", "/contact_judge"]
    rig.wechat.text(OPENID, "1")  # the last answer had no buttons: "1" is just text now
    assert rig.bot.texts[-1] == "1"


def test_buttons_belong_to_their_user(make_rig):
    rig = make_rig("plaintext", bot=FakeBot(answer=_buttons))
    rig.wechat.text(OPENID, "办事")
    rig.wechat.text("oSomeoneElse000000000000001", "1")
    assert rig.bot.texts[-1] == "1"


def test_long_answer_is_split_within_wechat_limits(make_rig):
    paragraph = "诉讼费用交纳办法规定，案件受理费按争议金额分段累计交纳。" * 20
    answer = "\n\n".join([paragraph] * 6)  # about 10 KB
    rig = make_rig("safe", bot=FakeBot(answer=lambda text: [{"text": answer}]))
    reply = rig.wechat.text(OPENID, "诉讼费")
    rig.server.drain()
    rest = [m["content"] for m in rig.stub.store.delivered(OPENID)]
    pieces = [reply.text, *rest]
    assert len(pieces) > 1
    assert all(len(p.encode("utf-8")) <= 2048 for p in pieces)
    assert "".join(pieces).replace("\n", "") == answer.replace("\n", "")


def test_bot_failure_becomes_an_apology(make_rig):
    def broken(text):
        raise RuntimeError("tracker store down")

    rig = make_rig("plaintext", bot=FakeBot(answer=broken))
    reply = rig.wechat.text(OPENID, "你好")
    assert reply.status == 200 and "稍后再试" in reply.text
    assert "Traceback" not in reply.body and "tracker" not in reply.body


def test_bot_turn_metadata_names_the_channel(make_rig):
    seen = []

    class Recording(FakeBot):
        async def __call__(self, message):
            seen.append((message.input_channel, message.metadata))
            await super().__call__(message)

    rig = make_rig("plaintext", bot=Recording())
    rig.wechat.text(OPENID, "你好")
    channel, metadata = seen[0]
    assert channel == "wechat" and metadata["wechat"]["msg_type"] == "text"
