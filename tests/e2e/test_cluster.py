"""`make cluster` for real: HAProxy in front of two Rasa replicas and two action servers, on PostgreSQL,
Redis and RabbitMQ. One conversation's messages stay on one replica (none lost, duplicated or
reordered); a staff push to either replica reaches the citizen's page; web chat long-polling sticks to
its replica; WeChat callbacks of one user stay on one replica; a replica killed under load is noticed by
fewer than 1 % of the turns.

The tests share one cluster and run in file order: the last one stops a replica for good.
"""

from __future__ import annotations

import asyncio
import signal
import uuid

import aiohttp
import pytest
import socketio

from benchmarks.burst import over_http
from benchmarks.failover import run_load, stop_replica
from services.wechat_stub.sim import WeChatServer
from tests.cluster import start_cluster
from tests.stack import Chat

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis, pytest.mark.rabbitmq]

if not hasattr(
    aiohttp, "ClientWSTimeout"
):  # python-engineio's client with Rasa's aiohttp 3.9 (see tests/webchat)
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close  # type: ignore[attr-defined]

SOCKET_PATH = "/webhooks/webchat/socket.io"


@pytest.fixture(scope="module")
def cluster(trained_model, tmp_path_factory):
    import shutil

    if shutil.which("haproxy") is None:  # make test installs it (scripts/ensure_system_packages.sh)
        pytest.fail("Debian's haproxy is not installed: bash scripts/ensure_system_packages.sh")
    running = start_cluster(trained_model, tmp_path_factory.mktemp("cluster"))
    for replica in running.replicas:  # a serving cluster is warm: the first turns after a model load are slow
        for n in range(3):
            Chat(replica, f"warm-{n}-{uuid.uuid4().hex[:6]}").say("诉讼费怎么交")
    running.wait_routed()
    yield running
    running.stop()


def _one_at_a_time_seconds(url: str, turns: int = 20) -> float:
    """The same work as the burst, one message after the other's answer: the machine is shared, so the
    burst is judged against what its turns cost right now."""
    import time

    chat = Chat(url, f"serial-{uuid.uuid4().hex[:8]}")
    started = time.perf_counter()
    for index in range(turns):
        chat.say(f"诉讼费怎么交 第{index + 1}条")
    return time.perf_counter() - started


@pytest.mark.parametrize("gap_ms", [0, 20])
def test_a_burst_of_one_conversation_through_haproxy_is_kept_whole_and_in_order(cluster, gap_ms) -> None:
    serial = _one_at_a_time_seconds(cluster.url)
    before = {name: int(row["stot"]) for name, row in cluster.server_stats().items()}
    outcome = asyncio.run(over_http([cluster.url], "test-rasa-token", 20, gap_ms / 1000, "through HAProxy"))
    print(outcome.row(), f"(the same 20 turns one at a time: {serial:.2f} s)")
    lost, duplicated, disorder = outcome.counts()
    assert (outcome.errors, lost, duplicated) == (0, 0, 0), outcome.stored
    # 20 ms apart: in order. At once (µs apart on the wire) a busy machine may let the replica read the
    # first message after the next few: at most one such pair (docs/cluster.md, "Measured").
    assert disorder <= (1 if gap_ms == 0 else 0), outcome.stored
    # queued, the turns must not wait on 1-second poll steps (Rasa's own lock store: 18 s for these 20)
    # nor on pollers eating the replica's event loop. The bound only tells that failure apart from a
    # busy machine (CI measured 4.5 s against 2.7 s one at a time); the figures are benchmarks/burst.py's
    assert outcome.last_answer_s < max(8.0, 2.5 * serial), (outcome.last_answer_s, serial)
    sent = {name: int(row["stot"]) - before[name] for name, row in cluster.server_stats().items()}
    assert sorted(sent.values())[-1] >= 20, sent  # every message of the conversation on one replica
    assert sorted(sent.values())[0] <= 1, sent  # the other one got at most the tracker read


async def _page(url: str, transports: list[str]) -> tuple[socketio.AsyncClient, dict, asyncio.Queue]:
    """A citizen's page: a verified session, one message answered; returns the socket, session, inbox."""
    inbox: asyncio.Queue = asyncio.Queue()
    sio = socketio.AsyncClient(
        reconnection=False, http_session=aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    )
    sio.on("bot_uttered", lambda message: inbox.put_nowait(message) or {"ok": True})
    typing: asyncio.Queue = asyncio.Queue()
    sio.on("typing", lambda data: typing.put_nowait(data))
    async with aiohttp.ClientSession() as http:
        async with http.get(url + "/webhooks/webchat/session") as reply:
            session = await reply.json()
    await sio.connect(url, socketio_path=SOCKET_PATH, transports=transports)
    confirmed = asyncio.Event()
    sio.on("session_confirm", lambda _: confirmed.set())
    await sio.emit("session_request", {"session_id": session["session_id"], "token": session["token"]})
    await asyncio.wait_for(confirmed.wait(), 10)
    assert await sio.call("user_uttered", {"message": "诉讼费怎么交"}, timeout=30) == {"ok": True}
    while (await asyncio.wait_for(typing.get(), 30)) != {"on": False}:
        pass
    assert not inbox.empty(), "the page got no answer"
    while not inbox.empty():
        inbox.get_nowait()
    return sio, session, inbox


async def _push(url: str, conversation: str, text: str) -> dict:
    body = {"recipient_id": conversation, "text": text}
    headers = {"Authorization": "Bearer test-push-token"}
    async with aiohttp.ClientSession() as http:
        async with http.post(url + "/webhooks/webchat/push", json=body, headers=headers) as reply:
            assert reply.status == 200
            return await reply.json()


def test_a_staff_push_to_the_other_replica_reaches_the_page(cluster) -> None:
    async def scenario() -> None:
        here, there = cluster.replicas
        sio, session, inbox = await _page(here, ["websocket"])
        try:
            assert await _push(there, session["session_id"], "您好，我是立案庭工作人员。") == {
                "delivered": True,
                "recorded": True,
            }
            shown = await asyncio.wait_for(inbox.get(), 5)
            assert (shown["from"], shown["text"]) == ("staff", "您好，我是立案庭工作人员。")
        finally:
            await sio.disconnect()
            await sio.eio.http.close()
        await asyncio.sleep(0.5)
        closed = await _push(there, session["session_id"], "还在吗？")
        assert closed == {"delivered": False, "recorded": True}

    asyncio.run(scenario())


def test_web_chat_long_polling_through_haproxy_sticks_to_one_replica(cluster) -> None:
    """Polling is many HTTP requests per connection: each must reach the replica that opened it."""

    async def scenario() -> None:
        sio, session, inbox = await _page(cluster.url, ["polling"])
        try:
            for _ in range(2):  # more turns on the same polling connection
                assert await sio.call("user_uttered", {"message": "法院几点上班"}, timeout=30) == {"ok": True}
                assert (await asyncio.wait_for(inbox.get(), 30))["text"]
            assert await _push(cluster.url, session["session_id"], "请稍候。") == {
                "delivered": True,
                "recorded": True,
            }
        finally:
            await sio.disconnect()
            await sio.eio.http.close()

    asyncio.run(scenario())


def test_wechat_callbacks_of_one_user_stay_on_one_replica_and_are_answered(cluster) -> None:
    """HAProxy hashes the `openid` WeChat puts in the callback's query."""
    import time

    import requests

    env = cluster.env
    wechat = WeChatServer(
        cluster.url + "/webhooks/wechat/webhook",
        env["WECHAT_TOKEN"],
        env["WECHAT_APP_ID"],
        env["WECHAT_ENCODING_AES_KEY"],
        stub_url=env["WECHAT_API_BASE"],
    )
    openid = f"o{uuid.uuid4().hex[:27]}"
    before = {name: int(row["stot"]) for name, row in cluster.server_stats().items()}
    questions = ["请问法院几点上班", "诉讼费怎么交", "法院地址在哪里", "立案需要什么材料"]
    passive = [wechat.text(openid, text) for text in questions]
    assert all(reply.status == 200 for reply in passive)
    answered = sum(bool(reply.text) for reply in passive)
    deadline = time.time() + 20
    while answered < len(questions) and time.time() < deadline:  # slow turns answer as service messages
        found = requests.get(env["WECHAT_API_BASE"] + "/stub/messages", params={"touser": openid}, timeout=5)
        answered = sum(bool(reply.text) for reply in passive) + len(found.json().get("messages", []))
        time.sleep(0.5)
    assert answered >= len(questions)
    sent = {name: int(row["stot"]) - before[name] for name, row in cluster.server_stats().items()}
    assert sorted(sent.values()) == [0, len(questions)], sent


def test_a_replica_killed_under_load_is_noticed_by_fewer_than_one_percent_of_turns(cluster) -> None:
    """SIGKILL, a crash: HAProxy re-sends the turns the dead replica never answered, and they wait only for
    its lock tickets' lease (bot/lockstore.py, 10 s), not for the 60 s lifetime. (A stop, SIGTERM, is
    gentler: the replica finishes what it has; `benchmarks/failover.py --signal TERM`.)"""
    stop = stop_replica(cluster.run_dir, "rasa-a", signal.SIGKILL)
    result = asyncio.run(run_load(cluster.url, concurrency=6, seconds=25, stop_after=8, stop=stop))
    print(result.report(25))
    assert result.turns > 100 and result.turns_after_stop > 50
    assert result.error_rate < 0.01, result.report(25)
    assert max(result.latencies) < 20, result.report(25)
    assert cluster.server_stats()["replica_a"]["status"].startswith("DOWN")
