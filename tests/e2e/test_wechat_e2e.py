"""A simulated WeChat user talking to the trained bot through the real WeChat channel (safe mode)."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from services.wechat_stub.sim import WeChatServer

pytestmark = pytest.mark.slow


def answers(stack, wechat: WeChatServer, openid: str, text: str) -> str:
    return collect(stack, openid, wechat.text(openid, text))


def collect(stack, openid: str, reply, wait: float = 20.0) -> str:
    """The passive reply, or what arrived at the stand-in's customer-service API when the bot was slow."""
    assert reply.status == 200
    if reply.text:
        return reply.text
    deadline = time.time() + wait
    while time.time() < deadline:
        found = requests.get(stack.urls["wechat"] + "/stub/messages", params={"touser": openid}, timeout=5)
        messages = found.json().get("messages", [])
        if messages:
            return "\n".join(m.get("content", "") or m.get("text", "") for m in messages)
        time.sleep(0.5)
    raise AssertionError("no answer reached the WeChat user")


@pytest.fixture
def wechat(stack):
    return WeChatServer(
        stack.urls["rasa"] + "/webhooks/wechat/webhook",
        stack.env["WECHAT_TOKEN"],
        stack.env["WECHAT_APP_ID"],
        stack.env["WECHAT_ENCODING_AES_KEY"],
        stub_url=stack.urls["wechat"],
    )


def test_a_wechat_user_gets_the_courts_hours(stack, wechat):
    openid = f"o{uuid.uuid4().hex[:27]}"
    text = answers(stack, wechat, openid, "请问法院几点上班")
    assert "9:00" in text or "13:30" in text


def test_a_voice_message_is_understood_as_text(stack, wechat):
    openid = f"o{uuid.uuid4().hex[:27]}"
    text = collect(stack, openid, wechat.voice(openid, "离婚财产怎么分"))
    assert "12348" in text
