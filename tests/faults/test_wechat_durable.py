"""The Rasa process is killed (SIGKILL) after WeChat was told "success" and before the answer went out:
once it is started again the citizen gets the answer, exactly once, as a customer-service message.

Real processes: the trained model behind the WeChat channel (safe mode), the WeChat stand-in counting
what it delivers, and the court-data service made slow (its fault switch), so the turn is still
waiting for the court's system when the process dies. Both queue engines: the embedded default
(SQLite, the in-process KV store lost in the restart) and the production path's Redis stream.
"""

from __future__ import annotations

import signal
import time
import uuid

import pytest
import redis
import requests

from services.wechat_stub.sim import WeChatServer
from tests.stack import set_court_fault, start_stack

pytestmark = pytest.mark.slow

STEPS = ("查案件进度", "（2026）京0105民初8848号")  # the form then asks who is asking
WHO = "陈思远 11010519880615245X"  # answered after the court's system starts a verification
IDLE = 5  # WECHAT_QUEUE_IDLE: seconds before a turn of a dead process is taken over
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture(scope="module", params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def stack(request, trained_model, tmp_path_factory):
    # the turn waits for the slow court system instead of giving up after the usual 3-4 s
    extra = {"ACTION_TIMEOUT_SECONDS": "60", "COURT_READ_TIMEOUT": "60", "WECHAT_QUEUE_IDLE": str(IDLE)}
    if request.param == "redis":
        extra["REDIS_URL"] = REDIS_URL
    running = start_stack(trained_model, tmp_path_factory.mktemp(f"wechat-{request.param}"), extra_env=extra)
    yield running
    running.stop()
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter("court:*"):  # this stack's database: its queue, KV records
            client.delete(key)


def delivered(stack, openid: str) -> list[str]:
    found = requests.get(stack.urls["wechat"] + "/stub/messages", params={"touser": openid}, timeout=5)
    return [m.get("content", "") for m in found.json().get("messages", [])]


def wait_for(stack, openid: str, count: int, limit: float = 120) -> list[str]:
    deadline = time.time() + limit
    while len(found := delivered(stack, openid)) < count and time.time() < deadline:
        time.sleep(0.5)
    return found


def test_a_turn_accepted_before_a_crash_is_answered_once_after_the_restart(stack):
    wechat = WeChatServer(
        stack.urls["rasa"] + "/webhooks/wechat/webhook",
        stack.env["WECHAT_TOKEN"],
        stack.env["WECHAT_APP_ID"],
        stack.env["WECHAT_ENCODING_AES_KEY"],
        stub_url=stack.urls["wechat"],
    )
    openid = f"o{uuid.uuid4().hex[:27]}"
    for step in STEPS:  # answered passively, or (a slow machine) by customer-service message
        before = len(delivered(stack, openid))
        reply = wechat.text(openid, step)
        assert reply.status == 200 and (reply.text or wait_for(stack, openid, before + 1)[before:])
    before = len(delivered(stack, openid))
    set_court_fault(stack, "slow", 30)
    try:
        reply = wechat.text(openid, WHO)
        assert reply.status == 200 and reply.body == "success"  # WeChat was told the answer follows
        stack.signal("rasa", signal.SIGKILL)
    finally:
        set_court_fault(stack, "none")
    assert len(delivered(stack, openid)) == before  # the process died before answering
    stack.restart("rasa")
    wait_for(stack, openid, before + 1)
    time.sleep(3 * IDLE)  # room for a second delivery, if there were one
    answers = delivered(stack, openid)[before:]
    assert len(answers) == 1, answers
    assert "139****1001" in answers[0], answers[0]  # the verification step's answer, phone masked
    assert "taking over turn" in stack.log("rasa")
