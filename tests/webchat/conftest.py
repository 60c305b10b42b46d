"""A real Sanic server with the web chat blueprint on a free loopback port, and a fake bot.

The fake bot stands in for `agent.handle_message` (no trained model needed): it writes the user and
bot events into a real Rasa in-memory tracker store, as the agent would, and answers through the
channel's output channel. What it answers depends on the text (see FakeBot.reply).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest_asyncio
import socketio
from playwright.async_api import Browser, async_playwright
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.channels.webchat import WebChatInput, WebChatSettings
from tests.channels.helpers import free_socket, serving  # noqa: F401 - test_rasa_app imports serving from here
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium

SECRET = "test-secret-0123456789abcdef"
PUSH_TOKEN = "push-token-for-tests"
MENU = [
    {"title": "查询案件进度", "payload": "/query_case_progress"},
    {"title": "联系法官", "payload": "/contact_judge"},
]

LONG_ANSWER = "开头第一行：案件 （2026）京0105民初8848号\n" + "\n".join(
    f"第{i}行说明文字" for i in range(2, 41)
)
# Messages the real actions send with a custom payload or form buttons (actions/case_progress.py,
# actions/workorder.py), in the shape Rasa hands them to the output channel.
SPECIAL: dict[str, dict[str, Any]] = {
    "查进度": {
        "text": "案件 （2026）京0105民初8848号（民事一审，民间借贷纠纷）\n当前阶段：审理\n最近进展：…",
        "buttons": [{"title": "给法官留言", "payload": "/contact_judge"}],
        "custom": {
            "card": {
                "title": "案件 （2026）京0105民初8848号",
                "subtitle": "民事一审，民间借贷纠纷",
                "rows": [
                    {"label": "当前阶段", "value": "审理"},
                    {"label": "下次开庭", "value": "2026年12月10日 09:30，第十二法庭"},
                    {"label": "承办法官", "value": "易泽俊（民事审判第一庭）"},
                    {"label": "联系电话", "value": "010-65851234"},
                    {"label": "审理期限", "value": "至 2027-01-08（还剩 38 天）"},
                ],
                "details": "最近进展：\n· 2026-10-09 立案：法院已立案受理本案\n· 2026-11-05 开庭排期",
            }
        },
    },
    "排队": {
        "text": "现在有工作人员在线，正在为您转接人工服务。您前面还有 2 位，预计等待约 3 分钟。",
        "custom": {"waiting": {"position": 3, "minutes": 3}},
    },
    "验证码": {
        "text": "请输入短信中的 6 位验证码。",
        "buttons": [
            {"title": "重新发送验证码", "payload": "重新发送验证码"},
            {"title": "取消", "payload": "取消"},
        ],
    },
}


@dataclass
class FakeBot:
    """Answers like a small court bot; records every (conversation, text) it was given."""

    store: InMemoryTrackerStore
    received: list[tuple[str, str]] = field(default_factory=list)
    metadata: list[dict[str, Any]] = field(default_factory=list)  # each message's, as the channel set it
    gate: asyncio.Event = field(default_factory=asyncio.Event)  # "请稍等" waits for it: a slow turn

    def reply(self, text: str) -> tuple[str | None, list[dict[str, str]]]:
        if text in ("你好", "菜单"):
            return "您好，请问需要办理什么业务？", MENU
        if text == "/query_case_progress":
            return "请提供您的案号，例如（2024）京03民初123号。", []
        if text == "/contact_judge":
            return "请问您要联系哪个案件的承办法官？", []
        if text in ("沉默", "转人工"):  # action server down / handed to staff: Rasa says nothing
            return None, []
        if text == "出错":
            raise RuntimeError("the action server is down")
        if text == "长答复":
            return LONG_ANSWER, []
        if text in SPECIAL:
            return SPECIAL[text]["text"], SPECIAL[text].get("buttons", [])
        return f"您说的是：{text}", []

    async def __call__(self, message: UserMessage) -> None:
        self.received.append((message.sender_id, message.text))
        self.metadata.append(dict(message.metadata or {}))
        if message.text == "请稍等":
            await self.gate.wait()
        tracker = await self.store.retrieve(message.sender_id) or DialogueStateTracker(message.sender_id, [])
        tracker.update(UserUttered(message.text))
        if not tracker.is_paused():
            text, buttons = self.reply(message.text)
            if message.text == "转人工":
                tracker.update(ConversationPaused())
            if text:
                custom = SPECIAL.get(message.text, {}).get("custom")
                extra = {"custom": custom} if custom else {}
                await message.output_channel.send_response(
                    message.sender_id, {"text": text, "buttons": buttons, **extra}
                )
                tracker.update(BotUttered(text, {**({"buttons": buttons} if buttons else {}), **extra}))
        await self.store.save(tracker)


@dataclass
class Server:
    url: str
    bot: FakeBot
    channel: WebChatInput

    @property
    def page(self) -> str:
        return f"{self.url}/webhooks/webchat/"


async def close_sockets(channel: WebChatInput) -> None:
    """Forget every socket still open without waiting for its writer (which may be gone already)."""
    for sock in list(channel.sio.eio.sockets.values()):
        await sock.close(wait=False, abort=True)
    channel.sio.eio.sockets = {}
    for task in asyncio.all_tasks():  # their ping timers and frame readers, left by the abort
        name = getattr(task.get_coro(), "__qualname__", "")
        if name.startswith(("AsyncSocket.", "WebsocketFrameAssembler.")):
            task.cancel()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    settings = WebChatSettings(secret=SECRET, push_token=PUSH_TOKEN, staff_ack_timeout=1.0)
    channel = WebChatInput(settings)
    store = InMemoryTrackerStore(Domain.empty())
    bot = FakeBot(store)
    Sanic.test_mode = True  # several apps in one process (Sanic's own test mode: touch-ups are redone)
    app = Sanic(f"webchat_test_{uuid.uuid4().hex[:8]}")
    app.config.ACCESS_LOG = False
    app.ctx.agent = SimpleNamespace(tracker_store=store, lock_store=InMemoryLockStore())
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/webchat")
    async with serving(app) as url:
        try:
            yield Server(url, bot, channel)
        finally:
            await close_sockets(channel)


if not hasattr(aiohttp, "ClientWSTimeout"):
    # python-engineio 4.15's client passes aiohttp>=3.10's ClientWSTimeout; Rasa 3.6 pins aiohttp 3.9,
    # whose ws_connect takes the close timeout as a plain float. Only the test client needs this.
    aiohttp.ClientWSTimeout = lambda ws_close=10.0, **_: ws_close  # type: ignore[attr-defined]

EVENTS = ("session_confirm", "session_error", "history", "bot_uttered", "typing")


class ChatClient:
    """A python-socketio client speaking to the channel like the page does; events land in queues."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.sio = socketio.AsyncClient(reconnection=False)
        self.queues: dict[str, asyncio.Queue] = {name: asyncio.Queue() for name in EVENTS}
        self.frozen = False  # True: the page stops answering (a frozen tab) until `thaw` is set
        self.thaw = asyncio.Event()
        for name in EVENTS:
            self.sio.on(name, self._handler(name))

    def _handler(self, name: str):
        async def handle(data: Any = None) -> Any:
            if self.frozen:
                await self.thaw.wait()
            await self.queues[name].put(data)
            return {"ok": True} if name == "bot_uttered" else None

        return handle

    async def connect(self) -> ChatClient:
        await self.sio.connect(
            self.server.url, socketio_path="/webhooks/webchat/socket.io", transports=["websocket"]
        )
        return self

    async def next(self, name: str, timeout: float = 10.0) -> Any:
        return await asyncio.wait_for(self.queues[name].get(), timeout)

    def pending(self, name: str) -> list[Any]:
        items = []
        while not self.queues[name].empty():
            items.append(self.queues[name].get_nowait())
        return items

    @staticmethod
    def untimed(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The messages without their time, after checking each has a real one (epoch seconds) from this run.

        Fifteen minutes, not one: the restart test reads a history written before the processes restarted,
        which on a loaded 2-core CI machine took 92 s once."""
        for message in messages:
            assert abs(time.time() - message.pop("ts")) < 900, message
        return messages

    async def join(self, session: dict[str, Any]) -> list[dict[str, Any]]:
        """A verified session: returns the history the server sent."""
        await self.sio.emit(
            "session_request", {"session_id": session["session_id"], "token": session["token"]}
        )
        await self.next("session_confirm")
        return self.untimed((await self.next("history"))["messages"])

    async def say(self, text: str, **extra: Any) -> dict[str, Any]:
        return await self.sio.call("user_uttered", {"message": text, **extra}, timeout=10)

    async def turn(self, text: str) -> list[dict[str, Any]]:
        """Send a message and collect every bot message until the turn is over (typing off)."""
        ack = await self.say(text)
        assert ack == {"ok": True}
        assert await self.next("typing") == {"on": True}
        assert await self.next("typing") == {"on": False}
        return self.untimed(self.pending("bot_uttered"))


@pytest_asyncio.fixture
async def clients(server: Server) -> AsyncIterator[Callable[[], Awaitable[ChatClient]]]:
    made: list[ChatClient] = []

    async def make() -> ChatClient:
        client = ChatClient(server)
        made.append(client)
        return await client.connect()

    yield make
    for client in made:
        client.thaw.set()
    await asyncio.gather(*(c.sio.disconnect() for c in made if c.sio.connected), return_exceptions=True)


async def new_session(server: Server) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.get(server.url + "/webhooks/webchat/session") as resp:
            assert resp.status == 200
            return await resp.json()


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[Browser]:
    require_chromium()
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()
