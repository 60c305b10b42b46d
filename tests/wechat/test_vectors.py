"""Published vectors: WeChat's 加解密 sample (QDG6eK / wx5823bf96d3bd56c7) and wechatpy's own test vectors.

If our signature or AES code disagreed with WeChat by one byte, every real callback would be refused;
these fix the behaviour to the values WeChat itself published.
"""

from __future__ import annotations

import pytest
import requests
import xmltodict
from wechatpy.crypto import PrpCrypto

from bot.channels.wechat import security as sec
from bot.channels.wechat.settings import WeChatSettings
from tests.wechat.conftest import FakeClock

# WeChat's official encryption sample (Sample.cs / WXBizMsgCrypt, also in the WeCom callback docs).
OFFICIAL = {
    "token": "QDG6eK",
    "key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "app_id": "wx5823bf96d3bd56c7",
}
OFFICIAL_POST = {
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
}
OFFICIAL_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sY"
    "YvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR"
    "+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallc"
    "rw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8"
    "Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
OFFICIAL_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
    f"<Encrypt><![CDATA[{OFFICIAL_ENCRYPT}]]></Encrypt>"
    "<AgentID><![CDATA[218]]></AgentID></xml>"
)
OFFICIAL_VERIFY = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
}
OFFICIAL_ECHO = "1616140317555161061"

# wechatpy tests/test_utils.py: plain callback signature.
PLAIN = {"token": "test", "timestamp": "1410685589", "nonce": "test"}
PLAIN_SIGNATURE = "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"

# wechatpy tests/test_crypto.py: a reply encrypted with a fixed random prefix.
WPY = {
    "token": "123456",
    "key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR",
    "app_id": "wx49f0ab532d5d035a",
}
WPY_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
    "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
)
WPY_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGsL8GqxlhZgURnAtOb"
    "vesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSjPUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8"
    "NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJvFurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O"
    "5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFYFMNMpatF9XiKzHo3"
)
WPY_SIGNATURE = "407518b7649e86ef23978113f92d27afa9296533"


@pytest.mark.parametrize(
    "given, ok",
    [
        (PLAIN_SIGNATURE, True),
        (PLAIN_SIGNATURE.upper(), True),  # hex case does not matter
        (PLAIN_SIGNATURE[:-1] + "e", False),  # wechatpy's own "should fail" vector
        (PLAIN_SIGNATURE[:-1], False),
        (PLAIN_SIGNATURE + "0", False),
        ("", False),
        (None, False),
        ("签名" * 20, False),  # non-ASCII must be refused, not crash compare_digest
    ],
)
def test_plain_signature_table(given, ok):
    if ok:
        sec.check_url_signature(PLAIN["token"], given, PLAIN["timestamp"], PLAIN["nonce"])
    else:
        with pytest.raises(sec.RejectedRequest) as err:
            sec.check_url_signature(PLAIN["token"], given, PLAIN["timestamp"], PLAIN["nonce"])
        assert err.value.status == 403


@pytest.mark.parametrize(
    "field, value",
    [
        ("token", "QDG6eL"),
        ("timestamp", "1409659814"),
        ("nonce", "1372623148"),
        ("encrypt", OFFICIAL_ENCRYPT[:-4]),
    ],
)
def test_official_msg_signature_covers_every_part(field, value):
    parts = {"token": OFFICIAL["token"], "encrypt": OFFICIAL_ENCRYPT, **OFFICIAL_POST}
    sec.check_msg_signature(
        parts["token"], parts["msg_signature"], parts["timestamp"], parts["nonce"], parts["encrypt"]
    )
    parts[field] = value
    with pytest.raises(sec.RejectedRequest):
        sec.check_msg_signature(
            parts["token"], parts["msg_signature"], parts["timestamp"], parts["nonce"], parts["encrypt"]
        )


def test_official_sample_decrypts_to_hello():
    xml = sec.decrypt(sec.aes_key(OFFICIAL["key"]), OFFICIAL["app_id"], OFFICIAL_ENCRYPT)
    message = xmltodict.parse(xml)["xml"]
    assert message["Content"] == "hello"
    assert message["MsgId"] == "4561255354251345929"


def test_official_sample_for_another_appid_is_refused():
    with pytest.raises(sec.RejectedRequest) as err:
        sec.decrypt(sec.aes_key(OFFICIAL["key"]), "wx0000000000000000", OFFICIAL_ENCRYPT)
    assert err.value.status == 403


def test_encrypted_reply_matches_wechatpy_vector(monkeypatch):
    monkeypatch.setattr(PrpCrypto, "get_random_string", lambda self: "1234567890123456")
    xml = sec.encrypt_reply(
        WPY["token"], sec.aes_key(WPY["key"]), WPY["app_id"], WPY_REPLY, "461056294", "1411525903"
    )
    reply = xmltodict.parse(xml)["xml"]
    assert reply["Encrypt"] == WPY_ENCRYPT
    assert reply["MsgSignature"] == WPY_SIGNATURE


@pytest.mark.parametrize("bad", ["short", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2", "!" * 43])
def test_malformed_aes_key_fails_at_start_up(bad):
    with pytest.raises(ValueError):
        WeChatSettings("token", "wx1", encoding_aes_key=bad)


@pytest.fixture
def official_rig(make_rig, clock: FakeClock):
    """The channel configured exactly like WeChat's sample account, its clock at the sample's time."""

    def make(at: str):
        clock.now = float(at)
        return make_rig("safe", token=OFFICIAL["token"], app_id=OFFICIAL["app_id"], aes_key=OFFICIAL["key"])

    return make


def test_official_url_verification_vector_through_the_channel(official_rig):
    rig = official_rig(OFFICIAL_VERIFY["timestamp"])
    answer = requests.get(rig.server.url, params=OFFICIAL_VERIFY, timeout=5)
    assert answer.status_code == 200
    assert answer.text == OFFICIAL_ECHO


def test_official_message_vector_reaches_the_bot(official_rig):
    rig = official_rig(OFFICIAL_POST["timestamp"])
    params = {**OFFICIAL_POST, "encrypt_type": "aes"}
    answer = requests.post(rig.server.url, params=params, data=OFFICIAL_BODY.encode(), timeout=5)
    assert answer.status_code == 200
    assert rig.bot.texts == ["hello"]
    reply = xmltodict.parse(answer.text)["xml"]
    inner = sec.decrypt(sec.aes_key(OFFICIAL["key"]), OFFICIAL["app_id"], reply["Encrypt"])
    assert xmltodict.parse(inner)["xml"]["Content"] == "收到：hello"
    expected = sec.sha1_signature(OFFICIAL["token"], reply["TimeStamp"], reply["Nonce"], reply["Encrypt"])
    assert reply["MsgSignature"] == expected
