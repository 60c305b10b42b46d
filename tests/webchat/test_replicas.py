"""Two web chat replicas sharing Redis (socket.io's Redis manager): a staff message pushed to one replica
reaches the citizen's page on the other, and the push says `delivered` only when a page acknowledged it."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from types import SimpleNamespace

import pytest
import pytest_asyncio
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.channels.webchat import WebChatInput, WebChatSettings
from tests.channels.helpers import serving
from tests.webchat.conftest import PUSH_TOKEN, SECRET, ChatClient, FakeBot, Server, close_sockets, new_session
from tests.webchat.test_push import push

pytestmark = pytest.mark.redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
ACK_TIMEOUT = 1.0


@pytest_asyncio.fixture
async def replicas() -> AsyncIterator[list[Server]]:
    """Two Sanic apps, each with its own channel and socket.io server; one tracker store, one Redis."""
    settings = WebChatSettings(
        secret=SECRET,
        push_token=PUSH_TOKEN,
        staff_ack_timeout=ACK_TIMEOUT,
        redis_url=REDIS_URL,
        redis_channel=f"test-webchat-{uuid.uuid4().hex[:8]}",  # private to this test
    )
    store = InMemoryTrackerStore(Domain.empty())
    lock_store = InMemoryLockStore()
    bot = FakeBot(store)
    Sanic.test_mode = True
    servers = []
    async with AsyncExitStack() as stack:
        for name in ("a", "b"):
            channel = WebChatInput(settings)
            app = Sanic(f"webchat_replica_{name}_{uuid.uuid4().hex[:8]}")
            app.config.ACCESS_LOG = False
            app.ctx.agent = SimpleNamespace(tracker_store=store, lock_store=lock_store)
            app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/webchat")
            url = await stack.enter_async_context(serving(app))
            servers.append(Server(url, bot, channel))
        await asyncio.sleep(0.3)  # both replicas subscribed to the pub/sub channel
        try:
            yield servers
        finally:
            for server in servers:
                await close_sockets(server.channel)
            prefix = settings.redis_channel
            presence = servers[0].channel.presence.redis  # type: ignore[union-attr]
            for key in await presence.keys(f"{prefix}:*"):
                await presence.delete(key)


async def page_on(server: Server, session: dict) -> ChatClient:
    client = await ChatClient(server).connect()
    await client.join(session)
    return client


async def test_a_push_to_the_other_replica_reaches_the_page_and_is_acknowledged(replicas) -> None:
    a, b = replicas
    session = await new_session(a)
    page = await page_on(a, session)
    await page.turn("转人工")
    body = {"recipient_id": session["session_id"], "text": "您好，我是立案庭工作人员。"}
    assert await push(b, body) == (200, {"delivered": True, "recorded": True})
    shown = await page.next("bot_uttered")
    assert (shown["from"], shown["text"]) == ("staff", "您好，我是立案庭工作人员。")
    await page.sio.disconnect()


async def test_a_bot_answer_reaches_every_page_of_the_conversation_on_both_replicas(replicas) -> None:
    a, b = replicas
    session = await new_session(a)
    here, there = await page_on(a, session), await page_on(b, session)
    answer = await here.turn("你好")
    assert [m["text"] for m in answer] == ["您好，请问需要办理什么业务？"]
    assert (await there.next("bot_uttered"))["text"] == "您好，请问需要办理什么业务？"
    await asyncio.gather(here.sio.disconnect(), there.sio.disconnect())


async def test_a_closed_page_on_the_other_replica_is_reported_at_once(replicas) -> None:
    a, b = replicas
    session = await new_session(a)
    page = await page_on(a, session)
    await page.turn("你好")
    await page.sio.disconnect()
    await asyncio.sleep(0.2)  # the replica has seen the disconnect
    started = time.perf_counter()
    status, body = await push(b, {"recipient_id": session["session_id"], "text": "还在吗？"})
    assert (status, body) == (200, {"delivered": False, "recorded": True})
    assert time.perf_counter() - started < ACK_TIMEOUT  # no wait for a page that is not there


async def test_a_page_on_the_other_replica_that_never_acknowledges_is_not_delivered(replicas) -> None:
    a, b = replicas
    session = await new_session(a)
    page = await page_on(a, session)
    page.frozen = True
    status, body = await push(b, {"recipient_id": session["session_id"], "text": "还在吗？"})
    assert (status, body["delivered"]) == (200, False)
    page.thaw.set()
    await page.sio.disconnect()
