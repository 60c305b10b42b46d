"""What the channels share behaves the same on each of them, seen through each channel's real handler.

One Sanic app mounts the REST, web chat and WeChat blueprints where Rasa mounts them, over one
in-memory tracker store and one fake bot (the web chat tests' FakeBot: "沉默" gets no answer, "出错"
raises, and a paused conversation is left alone). Each test asks every channel the same thing and
compares the answers, so a copy that drifts in one channel fails here.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp
import pytest
import pytest_asyncio
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.channels.common import NO_REPLY_FALLBACK, PUSH_MAX_BODY
from bot.channels.rest import SafeRestInput
from bot.channels.webchat import WebChatInput, WebChatSettings
from bot.channels.wechat import WeChatInput
from bot.channels.wechat.queue_sqlite import SqliteTurnQueue
from bot.channels.wechat.settings import WeChatSettings
from kernel.contracts import PUSH_PATHS, Channel
from kernel.kv import MemoryKV
from tests.channels.helpers import serving
from tests.webchat.conftest import SECRET, ChatClient, FakeBot, Server, close_sockets, new_session

PUSH_TOKEN = "shared-push-token-for-tests"
AUTH = {"Authorization": f"Bearer {PUSH_TOKEN}"}


@dataclass
class Channels:
    url: str
    store: InMemoryTrackerStore
    webchat: Server

    async def rest_turn(self, sender: str, text: str) -> list[dict]:
        body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url + "/webhooks/rest/webhook", data=body) as resp:
                assert resp.status == 200
                return await resp.json()

    async def webchat_turn(self, text: str, session: dict | None = None) -> list[dict]:
        client = await ChatClient(self.webchat).connect()
        try:
            await client.join(session or await new_session(self.webchat))
            return await client.turn(text)
        finally:
            await client.sio.disconnect()

    async def push(self, channel: Channel, raw: bytes, headers: dict) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", **headers}
        async with aiohttp.ClientSession() as http:
            async with http.post(self.url + PUSH_PATHS[channel], data=raw, headers=headers) as resp:
                return resp.status, await resp.json()


@pytest_asyncio.fixture
async def channels(tmp_path) -> AsyncIterator[Channels]:
    store = InMemoryTrackerStore(Domain.empty())
    bot = FakeBot(store)
    webchat = WebChatInput(WebChatSettings(secret=SECRET, push_token=PUSH_TOKEN, staff_ack_timeout=1.0))
    wechat = WeChatInput(
        WeChatSettings(token="court-test-token", app_id="wx1234567890abcdef", push_token=PUSH_TOKEN),
        MemoryKV(),
        queue=SqliteTurnQueue(tmp_path / "wechat_turns.db"),
    )
    Sanic.test_mode = True
    app = Sanic(f"channels_test_{uuid.uuid4().hex[:8]}")
    app.config.ACCESS_LOG = False
    app.ctx.agent = SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore())
    app.blueprint(SafeRestInput().blueprint(bot), url_prefix="/webhooks/rest")
    app.blueprint(webchat.blueprint(bot), url_prefix="/webhooks/webchat")
    app.blueprint(wechat.blueprint(bot), url_prefix="/webhooks/wechat")
    async with serving(app) as url:
        try:
            yield Channels(url, store, Server(url, bot, webchat))
        finally:
            await close_sockets(webchat)
            await wechat.drain()


async def pause(store: InMemoryTrackerStore, conversation_id: str) -> None:
    tracker = DialogueStateTracker(conversation_id, [])
    tracker.update(ConversationPaused())
    await store.save(tracker)


@pytest.mark.parametrize("text", ["沉默", "出错"], ids=["silent-bot", "failing-bot"])
async def test_the_no_reply_fallback_is_the_same_text_on_rest_and_web_chat(channels, text) -> None:
    rest = await channels.rest_turn("u1", text)
    web = await channels.webchat_turn(text)
    assert [m["text"] for m in rest] == [m["text"] for m in web] == [NO_REPLY_FALLBACK]


async def test_a_paused_conversation_gets_no_fallback_on_rest_nor_web_chat(channels) -> None:
    session = await new_session(channels.webchat)
    await pause(channels.store, "rest:held")
    await pause(channels.store, session["session_id"])
    assert await channels.rest_turn("held", "沉默") == []
    assert await channels.webchat_turn("沉默", session) == []
    # ... and the same silent bot, unpaused, is answered on both (the check, not the bot, kept them quiet)
    assert len(await channels.rest_turn("free", "沉默")) == len(await channels.webchat_turn("沉默")) == 1


BAD_PUSHES = [
    pytest.param(
        AUTH | {"Authorization": "Bearer wrong"}, b'{"recipient_id": "oX", "text": "hi"}', id="token"
    ),
    pytest.param({}, b'{"recipient_id": "oX", "text": "hi"}', id="no-token"),
    pytest.param(AUTH, b"{not json", id="not-json"),
    pytest.param(AUTH, "你好".encode("gbk"), id="not-utf8"),
    pytest.param(AUTH, b"[1, 2]", id="not-an-object"),
    pytest.param(AUTH, b'{"text": "hi"}', id="no-recipient"),
    pytest.param(AUTH, b'{"recipient_id": "o<script>", "text": "hi"}', id="bad-recipient"),
    pytest.param(AUTH, b'{"recipient_id": "oX", "text": "   "}', id="blank-text"),
    pytest.param(AUTH, json.dumps({"recipient_id": "oX", "text": "x" * 4001}).encode(), id="long-text"),
    pytest.param(AUTH, b'{"recipient_id": "oX", "text": "hi", "sender_label": 7}', id="label-type"),
    pytest.param(
        AUTH,
        json.dumps({"recipient_id": "oX", "text": "hi", "sender_label": "法" * 33}).encode(),
        id="long-label",
    ),
    pytest.param(AUTH, b'{"recipient_id": "oX", "text": "hi", "buttons": "yes"}', id="buttons"),
    pytest.param(AUTH, b'{"recipient_id": "oX", "text": "hi", "buttons": [{"payload": "/x"}]}', id="button"),
    pytest.param(
        AUTH,
        json.dumps({"recipient_id": "oX", "text": "hi", "pad": "x" * PUSH_MAX_BODY}).encode(),
        id="too-large",
    ),
]


@pytest.mark.parametrize("headers, raw", BAD_PUSHES)
async def test_the_push_refuses_a_bad_request_alike_on_web_chat_and_wechat(channels, headers, raw) -> None:
    web = await channels.push(Channel.WEB, raw, headers)
    wechat = await channels.push(Channel.WECHAT, raw, headers)
    assert web == wechat, (web, wechat)
    status, body = web
    assert 400 <= status < 500 and set(body) == {"delivered", "reason"} and body["delivered"] is False
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["reason"])  # staff read it: Chinese
