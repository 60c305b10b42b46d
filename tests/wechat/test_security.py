"""Callbacks that must not reach the bot: forged, replayed, stale, oversized or hostile XML."""

from __future__ import annotations

import pytest
import requests

from bot.channels.wechat import channel as wechat_module
from tests.wechat.conftest import AES_KEY, APP_ID, TOKEN, FakeClock

OPENID = "oCitizen0000000000000000001"

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&d;</Content><MsgId>1</MsgId></xml>"
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>&x;</Content><MsgId>2</MsgId></xml>"
)
EXTERNAL_DTD = (
    '<?xml version="1.0"?><!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">'
    "<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>hi</Content><MsgId>3</MsgId></xml>"
)
PARAMETER_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'
    "<xml><ToUserName>gh</ToUserName><FromUserName>{openid}</FromUserName><CreateTime>1</CreateTime>"
    "<MsgType>text</MsgType><Content>hi</Content><MsgId>4</MsgId></xml>"
)
HOSTILE = {
    "billion laughs": BILLION_LAUGHS,
    "external entity": EXTERNAL_ENTITY,
    "external DTD": EXTERNAL_DTD,
    "parameter entity": PARAMETER_ENTITY,
    "not XML": "{openid} says hi",
    "other root": "<message><Content>hi</Content></message>",
}


def _text_xml(rig, content: str = "你好", msg_id: int | None = None) -> str:
    extra = {"Content": content} | ({"MsgId": msg_id} if msg_id else {})
    fields = rig.wechat.message_fields(OPENID, "text", **extra)
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    return f"<xml>{inner}</xml>"


@pytest.fixture
def parsed(monkeypatch) -> list:
    """Every XML document that reached wechatpy's parser."""
    seen: list = []
    real = wechat_module.parse_message

    def recording(xml):
        seen.append(xml)
        return real(xml)

    monkeypatch.setattr(wechat_module, "parse_message", recording)
    return seen


@pytest.mark.parametrize("name", list(HOSTILE))
@pytest.mark.parametrize("mode", ["plaintext", "safe"])
def test_hostile_xml_is_refused_before_anything_else(make_rig, parsed, name, mode):
    rig = make_rig(mode)
    hostile = HOSTILE[name].format(openid=OPENID)
    params, _ = rig.wechat.sign("<xml/>", nonce="777")
    answer = rig.wechat.post(
        params, hostile.encode()
    )  # valid signature for plaintext: the XML is the problem
    assert answer.status == 400
    assert rig.bot.texts == [] and parsed == []
    # Nothing was remembered either: the same nonce still works for a genuine message.
    genuine = rig.wechat.post(*rig.wechat.sign(_text_xml(rig), timestamp=params["timestamp"], nonce="777"))
    assert genuine.status == 200 and rig.bot.texts == ["你好"]


@pytest.mark.parametrize("name", ["billion laughs", "external entity"])
def test_hostile_xml_inside_the_encrypted_part_is_refused(make_rig, parsed, name):
    rig = make_rig("safe")
    answer = rig.wechat.post(*rig.wechat.sign(HOSTILE[name].format(openid=OPENID)))
    assert answer.status == 400
    assert rig.bot.texts == [] and parsed == []


def test_bad_signature_is_refused(make_rig):
    rig = make_rig("plaintext")
    params, body = rig.wechat.sign(_text_xml(rig))
    params["signature"] = params["signature"][:-1] + ("0" if params["signature"][-1] != "0" else "1")
    answer = rig.wechat.post(params, body)
    assert answer.status == 403 and "signature" in answer.body
    assert rig.bot.texts == []


def test_encrypted_body_with_a_foreign_signature_is_refused(make_rig):
    rig = make_rig("safe")
    params, body = rig.wechat.sign(_text_xml(rig))
    params["msg_signature"] = params["signature"]  # valid URL signature, but it does not cover the body
    assert rig.wechat.post(params, body).status == 403
    assert rig.bot.texts == []


def test_plaintext_callback_to_an_encrypted_account_is_refused(make_rig):
    rig = make_rig("safe")
    rig.wechat.mode, crypto = "plaintext", rig.wechat._crypto
    rig.wechat._crypto = None
    assert rig.wechat.post(*rig.wechat.sign(_text_xml(rig))).status == 403
    rig.wechat._crypto = crypto
    assert rig.bot.texts == []


def test_message_for_another_account_is_refused(make_rig, stub, clock):
    from services.wechat_stub import WeChatServer

    rig = make_rig("safe")
    other = WeChatServer(rig.server.url, TOKEN, "wx_someone_else", AES_KEY, mode="safe", clock=clock)
    assert other.text(OPENID, "你好").status == 403
    assert rig.bot.texts == []


def test_same_nonce_with_another_body_is_a_replay(make_rig):
    rig = make_rig("plaintext")
    first = rig.wechat.post(*rig.wechat.sign(_text_xml(rig, "第一条"), nonce="424242"))
    params, _ = rig.wechat.sign("<xml/>", nonce="424242")
    forged = rig.wechat.post(params, _text_xml(rig, "伪造的第二条").encode())
    assert first.status == 200
    assert forged.status == 403 and "nonce" in forged.body
    assert rig.bot.texts == ["第一条"]


def test_exact_resend_makes_no_second_turn(make_rig):
    rig = make_rig("safe")
    params, body = rig.wechat.sign(_text_xml(rig, "查询案件进度"))
    first = rig.wechat.post(params, body)
    again = rig.wechat.post(params, body)  # WeChat's retry, or a captured request replayed in the window
    assert first.text == again.text == "收到：查询案件进度"
    assert rig.bot.texts == ["查询案件进度"]


@pytest.mark.parametrize("skew, status", [(-301, 403), (-299, 200), (299, 200), (301, 403)])
def test_timestamp_freshness_window(make_rig, clock: FakeClock, skew, status):
    rig = make_rig("plaintext", timestamp_window=300)
    params, body = rig.wechat.sign(_text_xml(rig), timestamp=str(int(clock() + skew)))
    assert rig.wechat.post(params, body).status == status


def test_stale_request_is_refused_later(make_rig, clock: FakeClock):
    rig = make_rig("plaintext")
    params, body = rig.wechat.sign(_text_xml(rig))
    clock.advance(600)
    answer = rig.wechat.post(params, body)
    assert answer.status == 403 and "stale" in answer.body
    assert rig.bot.texts == []


@pytest.mark.parametrize("drop", ["timestamp", "nonce"])
def test_missing_timestamp_or_nonce_is_a_bad_request(make_rig, drop):
    rig = make_rig("plaintext")
    params, body = rig.wechat.sign(_text_xml(rig))
    del params[drop]
    assert rig.wechat.post(params, body).status == 400


def test_oversized_body_is_refused_with_413(make_rig):
    rig = make_rig("plaintext", max_body=64 * 1024)
    params, body = rig.wechat.sign(_text_xml(rig, "长" * 30_000))  # ~90 KB of UTF-8
    assert len(body) > 64 * 1024
    assert rig.wechat.post(params, body).status == 413
    assert rig.bot.texts == []


def test_oversized_chunked_body_is_refused_with_413(make_rig):
    rig = make_rig("plaintext", max_body=64 * 1024)
    params, _ = rig.wechat.sign("<xml/>")

    def chunks():
        yield b"<xml><Content>"
        for _ in range(100):
            yield b"x" * 1024

    answer = requests.post(rig.server.url, params=params, data=chunks(), timeout=10)
    assert answer.status_code == 413
    assert rig.bot.texts == []


def test_url_verification_echoes_only_with_a_valid_signature(make_rig):
    rig = make_rig("safe")  # the GET is signed the same way in every mode
    assert rig.wechat.verify_url("echo-123").text == "echo-123"
    good = rig.wechat.verify_url("echo-456").request.url
    forged = good.replace("echostr=echo-456", "echostr=echo-789").replace("signature=", "signature=0")
    answer = requests.get(forged, timeout=5)
    assert answer.status_code == 403 and "echo-789" not in answer.text


def test_rejections_are_json_with_a_reason(make_rig):
    rig = make_rig("plaintext")
    answer = requests.post(rig.server.url, params={"timestamp": "1", "nonce": "2"}, data=b"<xml/>", timeout=5)
    assert answer.status_code == 403
    assert answer.json()["reason"] == "invalid signature"
    assert APP_ID not in answer.text


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><Content>hi</Content></xml>",  # no MsgType
        b"<xml><MsgType>text</MsgType><Content>hi</Content></xml>",  # no sender
        "<?xml version='1.0' encoding='ISO-8859-1'?><xml><MsgType>text</MsgType><Content>\xe9</Content></xml>".encode(
            "latin-1"
        ),
    ],
)
def test_signed_but_malformed_messages_are_bad_requests(make_rig, body):
    rig = make_rig("plaintext")
    params, _ = rig.wechat.sign("<xml/>")
    answer = rig.wechat.post(params, body)
    assert answer.status == 400 and answer.body.startswith("{")
    assert rig.bot.texts == []
