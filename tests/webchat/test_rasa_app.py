"""The channel as Rasa itself builds it: from credentials.yml, inside Rasa's own Sanic app."""

from __future__ import annotations

import aiohttp
import pytest_asyncio
import rasa.core.run
from rasa.core.agent import Agent
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from sanic import Sanic

from bot.channels.common import NO_REPLY_FALLBACK
from bot.channels.webchat import WebChatInput
from tests.webchat.conftest import PUSH_TOKEN, SECRET, ChatClient, Server, close_sockets, new_session, serving


@pytest_asyncio.fixture
async def rasa_server(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBCHAT_SECRET", SECRET)
    monkeypatch.setenv("CHANNEL_PUSH_TOKEN", PUSH_TOKEN)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("rest:\n\nbot.channels.webchat.WebChatInput:\n", encoding="utf-8")
    channels = rasa.core.run.create_http_input_channels(None, str(credentials))
    webchat = next(c for c in channels if isinstance(c, WebChatInput))
    Sanic.test_mode = True
    app = rasa.core.run.configure_app(channels, enable_api=True, auth_token="api-token")
    store = InMemoryTrackerStore(Domain.empty())
    # An agent without a model: Rasa ignores every message without a word, like a broken action server.
    app.ctx.agent = Agent(domain=Domain.empty(), tracker_store=store, lock_store=InMemoryLockStore())
    async with serving(app) as url:
        try:
            yield Server(url, None, webchat)
        finally:
            await close_sockets(webchat)


async def test_rasa_builds_the_channel_from_credentials(rasa_server) -> None:
    assert rasa_server.channel.settings.push_token == PUSH_TOKEN
    async with aiohttp.ClientSession() as http:
        async with http.get(rasa_server.page) as resp:
            assert resp.status == 200 and "诉讼服务智能助手" in await resp.text()
        async with http.get(rasa_server.url + "/webhooks/rest/") as resp:
            assert resp.status == 200  # Rasa's other channels are untouched


async def test_a_silent_rasa_gets_the_fallback(rasa_server) -> None:
    client = await ChatClient(rasa_server).connect()
    try:
        await client.join(await new_session(rasa_server))
        assert await client.turn("你好") == [{"from": "bot", "text": NO_REPLY_FALLBACK, "buttons": []}]
    finally:
        await client.sio.disconnect()
