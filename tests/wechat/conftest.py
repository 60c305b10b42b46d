"""Real servers on loopback ports: the channel in Sanic, the WeChat stand-in in werkzeug, and wechatpy
playing WeChat. The bot behind the channel is a fake `on_new_message` (no trained model needed)."""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sanic import Sanic
from werkzeug.serving import make_server

from bot.channels.wechat import WeChatInput
from bot.channels.wechat.queue import TurnQueue
from bot.channels.wechat.queue_sqlite import SqliteTurnQueue
from bot.channels.wechat.settings import WeChatSettings
from kernel.kv import MemoryKV
from services.wechat_stub import StubSettings, StubStore, WeChatServer, create_app

# Several Sanic apps start in one process here; test mode keeps Sanic's start-up rewrite repeatable.
Sanic.test_mode = True

TOKEN = "court-test-token"
APP_ID = "wx1234567890abcdef"
APP_SECRET = "test-app-secret"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")


class FakeClock:
    """Wall-clock seconds that only move when a test says so (shared by channel, stand-in, simulator)."""

    def __init__(self, start: float | None = None) -> None:
        self.now = float(int(start if start is not None else time.time()))

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Stub:
    url: str
    store: StubStore


@dataclass
class FakeBot:
    """Stands in for Rasa's agent: records the texts it got and answers through the collector.

    `answer(text)` gives the bot messages; with `gate` set the turn waits until the test opens it,
    which is how a slow bot is simulated without timing anything."""

    answer: Callable[[str], list[dict]] = lambda text: [{"text": f"收到：{text}"}]
    gate: threading.Event | None = None
    texts: list[str] = field(default_factory=list)
    senders: list[str] = field(default_factory=list)
    metadata: list[dict] = field(default_factory=list)
    finished: int = 0

    async def __call__(self, message) -> None:
        self.texts.append(message.text)
        self.senders.append(message.sender_id)
        self.metadata.append(dict(message.metadata or {}))
        if self.gate is not None:
            while not self.gate.is_set():
                await asyncio.sleep(0.01)
        for bot_message in self.answer(message.text):
            await message.output_channel.send_response(message.sender_id, dict(bot_message))
        self.finished += 1


def channel_app(channel: WeChatInput, bot: FakeBot) -> Sanic:
    """The channel's blueprint mounted where Rasa mounts it."""
    app = Sanic(f"wechat_test_{uuid.uuid4().hex[:10]}")
    app.config.ACCESS_LOG = False
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/wechat")
    return app


class BotServer:
    """A Sanic app serving the channel on its own thread and event loop."""

    def __init__(self, app: Sanic, channel: WeChatInput) -> None:
        self.channel = channel
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/wechat/webhook"
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            self.server = self.loop.run_until_complete(
                app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
            )
            self.loop.run_until_complete(self.server.startup())
            self.loop.run_until_complete(self.server.after_start())  # as in Rasa: the queue worker starts
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10), "Sanic did not start"

    def run(self, coro, timeout: float = 10):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def drain(self) -> None:
        """Wait until background customer-service deliveries have finished."""
        self.run(self.channel.drain())

    def kill(self) -> None:
        """The process dies: its loop stops where it is, nothing pending ever runs again (kill -9)."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.killed = True

    def close(self) -> None:
        if getattr(self, "killed", False):
            return

        async def stop() -> None:
            self.server.close()
            await self.server.wait_closed()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def stub(clock: FakeClock):
    store = StubStore()
    app = create_app(StubSettings(APP_ID, APP_SECRET, clock=clock), store)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield Stub(f"http://127.0.0.1:{server.server_port}", store)
    server.shutdown()
    thread.join(5)


@pytest.fixture
def sms() -> list[tuple[str, str]]:
    """The SMS outbox as the channel sees it: (phone, text) pairs."""
    return []


@pytest.fixture
def kv() -> MemoryKV:
    return MemoryKV()


@dataclass
class Rig:
    channel: WeChatInput
    bot: FakeBot
    server: BotServer
    wechat: WeChatServer
    stub: Stub


@pytest.fixture
def queue_path(tmp_path) -> str:
    """One process's SQLite turn queue; two channels on the same file are two processes of one host."""
    return str(tmp_path / "wechat_turns.db")


@pytest.fixture
def make_rig(stub: Stub, clock: FakeClock, kv, sms, queue_path):
    """Factory: a channel in `mode` behind a real server, a fake bot and wechatpy playing WeChat."""
    servers: list[BotServer] = []

    def make(
        mode: str = "plaintext",
        bot: FakeBot | None = None,
        kv_store=None,
        token: str = TOKEN,
        app_id: str = APP_ID,
        aes_key: str = AES_KEY,
        queue: TurnQueue | None = None,
        **settings,
    ) -> Rig:
        key = "" if mode == "plaintext" else aes_key
        config = WeChatSettings(token, app_id, APP_SECRET, key, api_base=stub.url, **settings)
        channel = WeChatInput(
            config,
            kv=kv_store or kv,
            clock=clock,
            sms_sender=lambda p, t: sms.append((p, t)),
            queue=queue or SqliteTurnQueue(queue_path),
        )
        bot = bot or FakeBot()
        server = BotServer(channel_app(channel, bot), channel)
        servers.append(server)
        wechat = WeChatServer(server.url, token, app_id, key, mode=mode, stub_url=stub.url, clock=clock)
        return Rig(channel, bot, server, wechat, stub)

    yield make
    for server in servers:
        server.close()


@pytest.fixture
def redis_url() -> str:
    return os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
