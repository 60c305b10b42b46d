"""The desk's push endpoint: staff replies reach a WeChat user by customer-service message inside
WeChat's window, by SMS outside it, and are reported undelivered when there is no way to reach them.
The channel runs in a real Sanic server, WeChat's API is the stand-in, both on loopback."""

from __future__ import annotations

import json
import logging
import threading

import pytest
import requests

from bot.channels.wechat.outbound import SMS_PREFIX
from tests.wechat.conftest import FakeBot

OPENID = "oCitizenPush00000000000001"
PHONE = "13812345678"
PUSH_TOKEN = "desk-push-secret"
AUTH = {"Authorization": f"Bearer {PUSH_TOKEN}"}


def push_url(rig) -> str:
    return rig.server.url.rsplit("/", 1)[0] + "/push"


def push(rig, payload=None, headers=AUTH, data: bytes | None = None) -> requests.Response:
    body = data if data is not None else json.dumps(payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json", **(headers or {})}
    return requests.post(push_url(rig), data=body, headers=headers, timeout=10)


def delivered(rig) -> list[str]:
    return [m["content"] for m in rig.stub.store.delivered(OPENID)]


@pytest.fixture
def rig(make_rig):
    return make_rig("safe", push_token=PUSH_TOKEN)


def test_inside_the_window_the_reply_is_a_customer_service_message(rig, sms):
    rig.wechat.text(OPENID, "我要找承办法官")
    answer = push(rig, {"recipient_id": OPENID, "text": "您好，材料已收到，下周一前答复。", "phone": PHONE})
    assert answer.status_code == 200
    assert answer.json() == {"delivered": True, "via": "customer_service", "parts": 1}
    assert delivered(rig) == ["【诉讼服务工作人员】您好，材料已收到，下周一前答复。"]
    assert sms == []


def test_sender_label_names_who_replies(rig):
    rig.wechat.text(OPENID, "我要找承办法官")
    answer = push(rig, {"recipient_id": OPENID, "text": "请周三上午来院。", "sender_label": "承办法官 张三"})
    assert answer.json()["via"] == "customer_service"
    assert delivered(rig) == ["【承办法官张三】请周三上午来院。"]


def test_after_48_hours_the_reply_goes_by_sms(rig, clock, sms):
    rig.wechat.text(OPENID, "我要找承办法官")
    clock.advance(48 * 3600 + 1)
    answer = push(rig, {"recipient_id": OPENID, "text": "请补交证据。", "phone": PHONE})
    assert answer.json() == {"delivered": True, "via": "sms", "parts": 1}
    assert sms == [(PHONE, SMS_PREFIX + "【诉讼服务工作人员】请补交证据。")]
    assert delivered(rig) == []


def test_wechat_refusing_with_45015_falls_back_to_sms(rig, sms):
    rig.wechat.text(OPENID, "你好")
    rig.stub.store._grants.clear()  # our counter says open, WeChat says 45015 (e.g. the user unfollowed)
    answer = push(rig, {"recipient_id": OPENID, "text": "已为您登记。", "phone": "+86 138-1234-5678"})
    assert answer.json()["via"] == "sms"
    assert sms == [(PHONE, SMS_PREFIX + "【诉讼服务工作人员】已为您登记。")]


def test_five_messages_used_up_means_sms(rig, sms):
    rig.wechat.text(OPENID, "你好")
    for number in range(5):
        assert (
            push(rig, {"recipient_id": OPENID, "text": f"第{number + 1}条"}).json()["via"]
            == "customer_service"
        )
    answer = push(rig, {"recipient_id": OPENID, "text": "第6条", "phone": PHONE})
    assert answer.json()["via"] == "sms"
    assert len(delivered(rig)) == 5 and sms == [(PHONE, SMS_PREFIX + "【诉讼服务工作人员】第6条")]


def test_no_window_and_no_phone_is_reported_undelivered(rig, sms):
    answer = push(rig, {"recipient_id": OPENID, "text": "请回电。"})
    assert answer.status_code == 200
    assert answer.json() == {"delivered": False, "via": "undelivered", "parts": 1}
    assert delivered(rig) == [] and sms == []


def test_phone_remembered_for_the_openid_is_used_when_the_desk_gives_none(rig, sms):
    rig.channel.phones.remember(OPENID, PHONE)
    answer = push(rig, {"recipient_id": OPENID, "text": "已处理。"})
    assert answer.json()["via"] == "sms" and sms[0][0] == PHONE


def test_long_reply_arrives_in_parts(make_rig):
    rig = make_rig("plaintext", push_token=PUSH_TOKEN, text_limit=600)
    rig.wechat.text(OPENID, "你好")
    text = "甲" * 150 + "\n\n" + "乙" * 150
    answer = push(rig, {"recipient_id": OPENID, "text": text})
    assert answer.json() == {"delivered": True, "via": "customer_service", "parts": 2}
    assert "".join(delivered(rig)) == "【诉讼服务工作人员】" + "甲" * 150 + "乙" * 150


def test_long_reply_that_the_window_cannot_take_whole_goes_by_sms_whole(make_rig, sms):
    rig = make_rig("plaintext", push_token=PUSH_TOKEN, text_limit=600)
    rig.wechat.text(OPENID, "你好")
    for _ in range(4):
        push(rig, {"recipient_id": OPENID, "text": "短"})  # one send of five left
    text = "甲" * 150 + "\n\n" + "乙" * 150
    answer = push(rig, {"recipient_id": OPENID, "text": text, "phone": PHONE})
    assert answer.json() == {"delivered": True, "via": "sms", "parts": 2}
    assert len(delivered(rig)) == 4  # nothing of the long reply went to WeChat
    [(phone, message)] = sms
    assert phone == PHONE and "甲" * 150 in message and "乙" * 150 in message


def test_longest_reply_fits_when_escaped_and_goes_whole_by_sms(rig, sms):
    rig.wechat.text(OPENID, "你好")
    text = "字" * 4000  # 12 KB of UTF-8, 6 WeChat messages: more than the window's 5
    answer = requests.post(
        push_url(rig), json={"recipient_id": OPENID, "text": text, "phone": PHONE}, headers=AUTH, timeout=10
    )  # requests (like json.dumps) escapes it to \uXXXX: 24 KB on the wire
    assert answer.status_code == 200
    assert answer.json() == {"delivered": True, "via": "sms", "parts": 6}
    assert delivered(rig) == [] and sms[0][1].replace("\n", "").endswith(text)


def test_project_sms_outbox_receives_the_fallback(rig, clock, tmp_path):
    from bot.channels.wechat.outbound import sms_sender
    from bot.channels.wechat.settings import WeChatSettings
    from kernel.sms import read_messages

    outbox_file = tmp_path / "sms_outbox.jsonl"
    env = {
        "WECHAT_TOKEN": "t",
        "WECHAT_APP_ID": "wx1",
        "SMS_BACKEND": "outbox",
        "SMS_OUTBOX": str(outbox_file),
    }
    rig.channel.outbox._sms = sms_sender(WeChatSettings.load(env=env).sms_gateway())  # the real adapter
    answer = push(rig, {"recipient_id": OPENID, "text": "开庭时间改为5月8日。", "phone": PHONE})
    assert answer.json()["via"] == "sms"
    [message] = read_messages(outbox_file)
    assert message.phone == PHONE and message.text.endswith("【诉讼服务工作人员】开庭时间改为5月8日。")


def test_phone_and_openid_are_masked_in_logs(rig, caplog):
    with caplog.at_level(logging.DEBUG):
        push(rig, {"recipient_id": OPENID, "text": "请回电。", "phone": PHONE})
        push(rig, {"recipient_id": OPENID, "text": "请回电。", "phone": "1381234567X"})
    assert PHONE not in caplog.text and OPENID not in caplog.text
    assert "138****5678" in caplog.text


@pytest.mark.parametrize(
    "headers",
    [
        None,
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": PUSH_TOKEN},
        {"Authorization": f"Basic {PUSH_TOKEN}"},
        {"Authorization": f"Bearer {PUSH_TOKEN}x"},
        {"Authorization": "Bearer 令牌".encode()},
    ],
    ids=["none", "wrong", "no-scheme", "basic", "longer", "non-ascii"],
)
def test_push_without_the_right_token_is_401_and_sends_nothing(rig, sms, headers):
    rig.wechat.text(OPENID, "你好")
    answer = push(rig, {"recipient_id": OPENID, "text": "伪造的回复", "phone": PHONE}, headers=headers)
    assert answer.status_code == 401 and "令牌" in answer.json()["reason"]
    assert delivered(rig) == [] and sms == []


def test_push_is_off_without_a_configured_token(make_rig):
    rig = make_rig("plaintext")  # CHANNEL_PUSH_TOKEN unset
    for headers in (None, {"Authorization": "Bearer "}, AUTH):
        answer = push(rig, {"recipient_id": OPENID, "text": "回复"}, headers=headers)
        assert answer.status_code == 503 and "CHANNEL_PUSH_TOKEN" in answer.json()["reason"]


@pytest.mark.parametrize(
    "data, word",
    [
        (b"{not json", "JSON"),
        ("你好".encode("gbk"), "JSON"),
        (b"[]", "JSON 对象"),
        (b'{"text": "hi"}', "recipient_id"),
        (b'{"recipient_id": "", "text": "hi"}', "recipient_id"),
        (b'{"recipient_id": 42, "text": "hi"}', "recipient_id"),
        (b'{"recipient_id": "o<script>", "text": "hi"}', "recipient_id"),
        (b'{"recipient_id": "oX"}', "text"),
        (b'{"recipient_id": "oX", "text": "   "}', "text"),
        (json.dumps({"recipient_id": "oX", "text": "字" * 4001}, ensure_ascii=False).encode(), "4000"),
        (b'{"recipient_id": "oX", "text": "hi", "phone": "12345"}', "phone"),
        (b'{"recipient_id": "oX", "text": "hi", "phone": 13812345678}', "phone"),
        (b'{"recipient_id": "oX", "text": "hi", "sender_label": 7}', "sender_label"),
        (json.dumps({"recipient_id": "oX", "text": "hi", "sender_label": "法" * 33}).encode(), "32"),
        (b'{"recipient_id": "oX", "text": "hi", "sender_label": "\xe3\x80\x90\xe3\x80\x91"}', "sender_label"),
    ],
    ids=lambda value: value.decode("utf-8", "replace")[:60] if isinstance(value, bytes) else value,
)
def test_bad_push_is_400_with_a_chinese_reason(rig, data, word):
    answer = push(rig, data=data)
    assert answer.status_code == 400
    reason = answer.json()["reason"]
    assert word in reason and any("\u4e00" <= ch <= "\u9fff" for ch in reason)
    assert delivered(rig) == []


def test_oversized_push_is_413(rig):
    body = json.dumps({"recipient_id": OPENID, "text": "字" * 3000, "pad": "x" * 40000}).encode()
    answer = push(rig, data=body)
    assert answer.status_code == 413 and "字节" in answer.json()["reason"]
    assert delivered(rig) == []


def test_slow_wechat_api_does_not_stop_the_channel_answering(rig):
    """The customer-service call runs in a worker thread: while it hangs, callbacks are still served."""
    rig.wechat.text(OPENID, "你好")
    entered, release = threading.Event(), threading.Event()
    send_text = rig.channel.api.send_text

    def slow_send(openid: str, content: str) -> None:
        entered.set()
        release.wait(10)
        send_text(openid, content)

    rig.channel.api.send_text = slow_send
    answers: list = []
    worker = threading.Thread(
        target=lambda: answers.append(push(rig, {"recipient_id": OPENID, "text": "回复"}))
    )
    worker.start()
    try:
        assert entered.wait(10)
        assert rig.wechat.text(OPENID, "还在吗").text == "收到：还在吗"  # a full turn meanwhile
        assert answers == []  # ... while the push is still waiting for WeChat
    finally:
        release.set()
        worker.join(10)
    assert answers[0].json()["via"] == "customer_service"


class GatedKV:
    """A KV store whose nonce check hangs until released, as a stalled Redis would."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.entered, self.release = threading.Event(), threading.Event()

    def set_if_absent(self, key: str, value: str, ttl=None) -> bool:
        if key.startswith("wechat:nonce:") and not self.release.is_set():
            self.entered.set()
            self.release.wait(10)
        return self._inner.set_if_absent(key, value, ttl)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


def test_slow_kv_does_not_block_the_event_loop(make_rig, kv):
    gated = GatedKV(kv)
    rig = make_rig("plaintext", bot=FakeBot(), kv_store=gated)
    answers: list = []
    worker = threading.Thread(target=lambda: answers.append(rig.wechat.text(OPENID, "第一条")))
    worker.start()
    try:
        assert gated.entered.wait(10)
        health = requests.get(rig.server.url.rsplit("/", 1)[0] + "/", timeout=5)
        assert health.status_code == 200  # the loop is free while the nonce check waits on the store
        assert answers == []
    finally:
        gated.release.set()
        worker.join(10)
    assert answers[0].text == "收到：第一条"
