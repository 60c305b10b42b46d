"""Slow answers, WeChat's retries, the access token, the 48-hour window and the SMS fallback."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from bot.channels.wechat import outbound as wechat_outbound
from bot.channels.wechat.outbound import SMS, SMS_PREFIX, UNDELIVERED, WECHAT
from tests.wechat.conftest import FakeBot

OPENID = "oCitizen0000000000000000003"
PHONE = "13812345678"


def _wait_until(condition, limit: float = 5.0) -> None:
    """Poll (not a timing assertion: it only bounds how long a broken test hangs)."""
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition never became true"
        time.sleep(0.01)


def _delivered(rig, openid: str = OPENID) -> list[str]:
    return [m["content"] for m in rig.stub.store.delivered(openid)]


def test_slow_bot_answers_success_then_customer_service_message(make_rig):
    gate = threading.Event()
    rig = make_rig("safe", bot=FakeBot(gate=gate), reply_budget=0.2)
    reply = rig.wechat.text(OPENID, "查询案件进度")
    assert reply.status == 200 and reply.body == "success"
    assert rig.bot.finished == 0  # WeChat got its answer while the bot was still thinking
    gate.set()
    _wait_until(lambda: rig.bot.finished == 1)
    rig.server.drain()
    assert _delivered(rig) == ["收到：查询案件进度"]


def test_retry_while_the_first_is_processing_starts_no_second_turn(make_rig):
    gate = threading.Event()
    rig = make_rig("plaintext", bot=FakeBot(gate=gate), reply_budget=30)
    params, body = rig.wechat.build(OPENID, "text", Content="联系法官")
    first: list = []
    worker = threading.Thread(target=lambda: first.append(rig.wechat.post(params, body)))
    worker.start()
    _wait_until(lambda: rig.bot.texts == ["联系法官"])
    retry = rig.wechat.post(params, body)  # WeChat heard nothing and sends the same message again
    assert retry.body == "success"
    gate.set()
    worker.join(10)
    rig.server.drain()
    assert rig.bot.texts == ["联系法官"]
    # WeChat abandoned the first connection when it retried, so the answer comes as a message instead.
    assert first[0].body == "success"
    assert _delivered(rig) == ["收到：联系法官"]


def test_token_is_cached_and_refreshed_before_expiry(make_rig, clock):
    rig = make_rig("plaintext")
    rig.wechat.text(OPENID, "你好")  # opens the window
    outbox = rig.channel.outbox
    assert outbox.send(OPENID, "第一条") == [WECHAT]
    assert outbox.send(OPENID, "第二条") == [WECHAT]
    assert rig.stub.store.token_requests == 1
    clock.advance(7200 - 200)  # inside the refresh margin: a new token is fetched in time
    rig.wechat.text(OPENID, "还在吗")
    assert outbox.send(OPENID, "第三条") == [WECHAT]
    assert rig.stub.store.token_requests == 2


def test_token_rejected_by_wechat_is_refreshed_and_the_message_still_arrives(make_rig):
    rig = make_rig("plaintext")
    rig.wechat.text(OPENID, "你好")
    assert rig.channel.outbox.send(OPENID, "第一条") == [WECHAT]
    rig.stub.store.expire_tokens()  # WeChat says 42001 although our cache thought it valid
    assert rig.channel.outbox.send(OPENID, "第二条") == [WECHAT]
    assert rig.stub.store.token_requests == 2
    assert _delivered(rig) == ["第一条", "第二条"]


def test_two_processes_share_one_token(make_rig, kv):
    first, second = make_rig("plaintext", kv_store=kv), make_rig("plaintext", kv_store=kv)
    first.wechat.text(OPENID, "你好")
    assert first.channel.outbox.send(OPENID, "一") == [WECHAT]
    assert second.channel.outbox.send(OPENID, "二") == [WECHAT]
    assert first.stub.store.token_requests == 1


def test_customer_service_quota_is_five_per_user_message(make_rig, sms):
    rig = make_rig("plaintext")
    rig.channel.phones.remember(OPENID, PHONE)
    rig.wechat.text(OPENID, "你好")
    routes = [rig.channel.outbox.send(OPENID, f"第{i}条")[0] for i in range(1, 7)]
    assert routes == [WECHAT] * 5 + [SMS]
    assert sms == [(PHONE, SMS_PREFIX + "第6条")]
    rig.wechat.text(OPENID, "又来了")  # a new user message starts a new count
    assert rig.channel.outbox.send(OPENID, "第7条") == [WECHAT]


def test_after_48_hours_staff_reply_goes_to_the_sms_outbox(make_rig, clock, sms):
    rig = make_rig("safe")
    rig.wechat.text(OPENID, "我要找法官")
    rig.channel.phones.remember(OPENID, PHONE)
    clock.advance(48 * 3600 + 1)
    assert rig.channel.outbox.send(OPENID, "您好，承办法官已回复：请于周三上午来院。") == [SMS]
    assert sms == [(PHONE, SMS_PREFIX + "您好，承办法官已回复：请于周三上午来院。")]
    assert _delivered(rig) == []


def test_window_closed_at_wechat_falls_back_to_sms(make_rig, sms):
    rig = make_rig("plaintext")
    rig.wechat.text(OPENID, "你好")
    rig.stub.store._grants.clear()  # e.g. the user unfollowed: WeChat answers 45015
    assert rig.channel.outbox.send(OPENID, "回复", phone=PHONE) == [SMS]
    assert sms == [(PHONE, SMS_PREFIX + "回复")]


def test_unknown_phone_is_logged_masked_and_not_lost_silently(make_rig, caplog):
    rig = make_rig("plaintext")
    with caplog.at_level(logging.WARNING, logger="bot.channels.wechat.outbound"):
        assert rig.channel.outbox.send(OPENID, "回复内容") == [UNDELIVERED]
    assert "could not deliver" in caplog.text and "no phone" in caplog.text
    assert OPENID not in caplog.text and "回复内容" not in caplog.text


def test_sms_log_masks_the_phone_number(make_rig, caplog):
    rig = make_rig("plaintext")
    with caplog.at_level(logging.INFO, logger="bot.channels.wechat.outbound"):
        assert rig.channel.outbox.send(OPENID, "回复", phone=PHONE) == [SMS]
    assert PHONE not in caplog.text and "138****5678" in caplog.text


def test_wrong_app_secret_does_not_lose_the_message(make_rig, sms):
    rig = make_rig("plaintext")
    rig.wechat.text(OPENID, "你好")
    rig.channel.api._secret = "wrong"  # WeChat answers 40125
    assert rig.channel.outbox.send(OPENID, "回复", phone=PHONE) == [SMS]


def test_proactive_output_channel_reaches_the_user(make_rig):
    rig = make_rig("plaintext")
    rig.wechat.text(OPENID, "你好")
    output = rig.channel.get_output_channel()
    rig.server.run(output.send_response(OPENID, {"text": "提醒：明天上午9点开庭。"}))
    assert _delivered(rig) == ["提醒：明天上午9点开庭。"]


def test_desk_helper_sends_by_wechat_then_sms(make_rig, monkeypatch, kv, sms, stub):
    rig = make_rig("plaintext")
    for name, value in {
        "WECHAT_TOKEN": "t",
        "WECHAT_APP_ID": rig.channel.settings.app_id,
        "WECHAT_APP_SECRET": rig.channel.settings.app_secret,
        "WECHAT_API_BASE": stub.url,
        "WECHAT_ENCODING_AES_KEY": "",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("kernel.kv._default", kv)
    monkeypatch.setattr(wechat_outbound, "_default", None)
    monkeypatch.setattr(wechat_outbound, "sms_sender", lambda gateway: lambda p, t: sms.append((p, t)))
    rig.wechat.text(OPENID, "你好")
    assert wechat_outbound.send_to_wechat_user(OPENID, "工作人员：材料已收到。") == [WECHAT]
    wechat_outbound.remember_phone(OPENID, PHONE)
    rig.stub.store._grants.clear()
    assert wechat_outbound.send_to_wechat_user(OPENID, "工作人员：请补充材料。") == [SMS]
    assert sms == [(PHONE, SMS_PREFIX + "工作人员：请补充材料。")]


@pytest.mark.redis
def test_dedupe_across_two_processes_sharing_redis(make_rig, redis_url):
    import uuid

    from kernel.kv import RedisKV

    shared = RedisKV(redis_url, prefix=f"test:wechat:{uuid.uuid4().hex}:")
    gate = threading.Event()
    bot = FakeBot(gate=gate)
    first = make_rig("safe", bot=bot, kv_store=shared, reply_budget=30)
    second = make_rig("safe", bot=bot, kv_store=shared, reply_budget=30)
    params, body = first.wechat.build(OPENID, "text", Content="我是不是失信被执行人")
    answers: list = []
    worker = threading.Thread(target=lambda: answers.append(first.wechat.post(params, body)))
    worker.start()
    _wait_until(lambda: bot.texts == ["我是不是失信被执行人"])
    retry = second.wechat.post(params, body)  # the retry lands on the other process
    assert retry.body == "success"
    gate.set()
    worker.join(10)
    first.server.drain()
    assert bot.texts == ["我是不是失信被执行人"]  # exactly one turn
    assert _delivered(first) == ["收到：我是不是失信被执行人"]


def test_sms_fallback_lands_in_the_project_outbox(make_rig, clock, tmp_path):
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
    rig = make_rig("plaintext")
    rig.channel.outbox._sms = sms_sender(WeChatSettings.load(env=env).sms_gateway())  # the real adapter
    rig.wechat.text(OPENID, "你好")
    clock.advance(48 * 3600 + 1)
    assert rig.channel.outbox.send(OPENID, "法官回复：请补交证据。", phone=PHONE) == [SMS]
    [message] = read_messages(outbox_file)
    assert message.phone == PHONE and message.text.endswith("法官回复：请补交证据。")
    assert message.purpose == "wechat"
