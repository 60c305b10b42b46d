"""The REST channel's input rules, against the channel's real Sanic blueprint (and once inside Rasa's own app).

A fake bot stands in for `agent.handle_message`: it records what reached it and answers through the
channel's output channel, so every test can tell whether the bot was asked at all.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import aiohttp
import pytest
import pytest_asyncio
import rasa.core.run
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.channels.rest import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    NO_REPLY_FALLBACK,
    Refused,
    SafeRestInput,
    parse_message,
)
from kernel.contracts import client_key
from tests.channels.helpers import serving

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class FakeBot:
    received: list[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if message.text == "沉默":  # the action server is down: Rasa says nothing
            return
        if message.text == "出错":
            raise RuntimeError("an action crashed")
        await message.output_channel.send_text_message(message.sender_id, f"您说的是：{message.text}")


@dataclass
class Served:
    url: str
    bot: FakeBot
    store: InMemoryTrackerStore

    @property
    def webhook(self) -> str:
        return self.url + "/webhooks/rest/webhook"


@pytest_asyncio.fixture
async def rest() -> AsyncIterator[Served]:
    """The channel's blueprint mounted where Rasa mounts it (/webhooks/rest), with the fake bot."""
    Sanic.test_mode = True
    app = Sanic(f"rest_test_{uuid.uuid4().hex[:8]}")
    app.config.ACCESS_LOG = False
    store = InMemoryTrackerStore(Domain.empty())
    app.ctx.agent = SimpleNamespace(tracker_store=store)
    bot = FakeBot()
    app.blueprint(SafeRestInput().blueprint(bot), url_prefix="/webhooks/rest")
    async with serving(app) as url:
        yield Served(url, bot, store)


async def post(url: str, data: bytes | str | object, **kwargs) -> tuple[int, object]:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=data, **kwargs) as resp:
            raw = await resp.read()
            try:
                return resp.status, json.loads(raw)
            except ValueError:
                return resp.status, raw.decode(errors="replace")


async def post_json(url: str, body: object, **kwargs) -> tuple[int, object]:
    return await post(url, json.dumps(body, ensure_ascii=False).encode(), **kwargs)


# ------------------------------------------------------------------------------- valid requests


async def test_a_valid_message_gets_the_list_of_bot_messages(rest) -> None:
    status, body = await post_json(rest.webhook, {"sender": "user-1", "message": "你好"})
    assert status == 200
    assert body == [{"recipient_id": "rest:user-1", "text": "您说的是：你好"}]
    [message] = rest.bot.received
    assert (message.sender_id, message.text, message.input_channel) == ("rest:user-1", "你好", "rest")


async def test_curl_without_a_json_content_type_still_works(rest) -> None:
    # README: curl -s …/webhooks/rest/webhook -d '{"sender":"me","message":"你好"}' (form content type)
    status, body = await post(
        rest.webhook,
        '{"sender":"me","message":"你好"}'.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 200 and body == [{"recipient_id": "rest:me", "text": "您说的是：你好"}]


async def test_input_channel_and_metadata_are_never_taken_from_the_caller(rest) -> None:
    status, _ = await post_json(
        rest.webhook,
        {"sender": "u2", "message": "你好", "input_channel": "wechat", "metadata": {"client": "forged"}},
    )
    assert status == 200
    [message] = rest.bot.received
    assert message.input_channel == "rest"
    assert message.metadata == {
        "client": client_key("127.0.0.1")
    }  # the channel's own key, never the caller's


@pytest.mark.parametrize(
    "other_channel_id",
    [
        "8edc23c499ee44469e6f319a26a42d7f",  # a web chat conversation (server-issued, 32 hex digits)
        "oAbC1234567890_dEfGhIjKlMnOpQrS",  # a WeChat OpenID
        "default",
    ],
)
async def test_rest_cannot_address_another_channels_conversation(rest, other_channel_id) -> None:
    tracker = DialogueStateTracker(other_channel_id, [])
    await rest.store.save(tracker)
    status, body = await post_json(rest.webhook, {"sender": other_channel_id, "message": "你好"})
    assert status == 200 and body[0]["recipient_id"] == f"rest:{other_channel_id}"
    assert [m.sender_id for m in rest.bot.received] == [f"rest:{other_channel_id}"]


async def test_a_caller_written_prefix_stays_inside_the_rest_namespace(rest) -> None:
    await post_json(rest.webhook, {"sender": "rest:abc", "message": "你好"})
    assert rest.bot.received[0].sender_id == "rest:rest:abc"


async def test_limits_are_inclusive(rest) -> None:
    sender, text = "a" * 64, "好" * MAX_MESSAGE_CHARS
    status, body = await post_json(rest.webhook, {"sender": sender, "message": text})
    assert status == 200 and rest.bot.received[0].sender_id == "rest:" + sender
    assert len("rest:" + sender) <= 255  # the SQL tracker store's sender_id column


async def test_stream_false_is_the_ordinary_answer(rest) -> None:
    status, body = await post_json(rest.webhook + "?stream=false", {"sender": "u", "message": "你好"})
    assert status == 200 and body == [{"recipient_id": "rest:u", "text": "您说的是：你好"}]


# --------------------------------------------------------------------------- refused requests

TOO_LONG = "x" * (MAX_MESSAGE_CHARS + 1)


@pytest.mark.parametrize(
    ("raw", "status", "code"),
    [
        (b"", 400, "empty_body"),
        (b"   \n", 400, "empty_body"),
        (b"[]", 400, "not_an_object"),
        (b'[{"sender": "u", "message": "hi"}]', 400, "not_an_object"),
        (b'"hello"', 400, "not_an_object"),
        (b"null", 400, "not_an_object"),
        (b"123", 400, "not_an_object"),
        (b"sender=u&message=hi", 400, "invalid_json"),
        (b'{"sender": "u", "message": "hi"', 400, "invalid_json"),
        (b"\xff\xfe\x00garbage", 400, "invalid_json"),
        (b"[" * 50_000, 400, "invalid_json"),  # nesting deeper than the parser's recursion limit
        (json.dumps({"message": "你好"}).encode(), 400, "sender_missing"),
        (json.dumps({"sender": "", "message": "你好"}).encode(), 400, "sender_missing"),
        (json.dumps({"sender": None, "message": "你好"}).encode(), 400, "sender_missing"),
        (json.dumps({"sender": "a" * 65, "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "a" * 300, "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "我", "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "a b", "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "a/b", "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "a\nb", "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "u\n"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": 123, "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": ["u"], "message": "你好"}).encode(), 400, "sender_invalid"),
        (json.dumps({"sender": "u"}).encode(), 400, "message_missing"),
        (json.dumps({"sender": "u", "message": None}).encode(), 400, "message_missing"),
        (json.dumps({"sender": "u", "message": 123}).encode(), 400, "message_not_text"),
        (json.dumps({"sender": "u", "message": ["你好"]}).encode(), 400, "message_not_text"),
        (json.dumps({"sender": "u", "message": {"text": "你好"}}).encode(), 400, "message_not_text"),
        (json.dumps({"sender": "u", "message": ""}).encode(), 400, "message_empty"),
        (json.dumps({"sender": "u", "message": " \n\t "}).encode(), 400, "message_empty"),
        (json.dumps({"sender": "u", "message": TOO_LONG}).encode(), 413, "message_too_long"),
        (
            json.dumps({"sender": "u", "message": "好" * (MAX_MESSAGE_CHARS + 1)}).encode(),
            413,
            "message_too_long",
        ),
    ],
    ids=lambda v: v if isinstance(v, (int, str)) else None,
)
async def test_bad_requests_are_refused_with_a_reason_in_chinese(rest, raw, status, code) -> None:
    answer_status, body = await post(rest.webhook, raw, headers={"Content-Type": "application/json"})
    assert answer_status == status, body
    assert isinstance(body, dict) and body["error"] == code and CHINESE.search(body["reason"])
    assert rest.bot.received == []


@pytest.mark.parametrize("size", [MAX_BODY_BYTES + 1, 2_000_000])
async def test_a_body_over_the_cap_is_refused_before_the_bot_sees_it(rest, size) -> None:
    raw = json.dumps({"sender": "u", "message": "啊" * 10})
    raw = raw[:-1] + ', "pad": "' + "x" * size + '"}'
    status, body = await post(rest.webhook, raw.encode(), headers={"Content-Type": "application/json"})
    assert status == 413 and body["error"] == "body_too_large" and CHINESE.search(body["reason"])
    assert rest.bot.received == []


async def test_a_chunked_body_over_the_cap_is_cut_off(rest) -> None:
    async def chunks():
        yield b'{"sender": "u", "message": "'
        for _ in range(100):
            yield b"x" * 10_000
        yield b'"}'

    status, body = await post(rest.webhook, chunks(), headers={"Content-Type": "application/json"})
    assert status == 413 and body["error"] == "body_too_large"
    assert rest.bot.received == []


@pytest.mark.parametrize("value", ["true", "True", "1"])
async def test_stream_is_refused_with_400(rest, value) -> None:
    status, body = await post_json(rest.webhook + f"?stream={value}", {"sender": "u", "message": "你好"})
    assert status == 400 and body["error"] == "stream_unsupported" and CHINESE.search(body["reason"])
    assert rest.bot.received == []


def test_parse_message_returns_the_namespaced_conversation() -> None:
    assert parse_message(b'{"sender": "a.b_c:d-1", "message": "x"}') == ("rest:a.b_c:d-1", "x")
    with pytest.raises(Refused) as refused:
        parse_message(b'{"sender": "u", "message": "x"}', stream="true")
    assert refused.value.status == 400


# ------------------------------------------------------------------------------ never silent


async def test_a_silent_bot_gets_the_fallback(rest) -> None:
    for text in ("沉默", "出错"):
        status, body = await post_json(rest.webhook, {"sender": "u", "message": text})
        assert status == 200 and body == [{"recipient_id": "rest:u", "text": NO_REPLY_FALLBACK}]


async def test_a_paused_conversation_stays_silent(rest) -> None:
    tracker = DialogueStateTracker("rest:held", [])
    tracker.update(ConversationPaused())
    await rest.store.save(tracker)
    status, body = await post_json(rest.webhook, {"sender": "held", "message": "沉默"})
    assert status == 200 and body == []


async def test_health_answers(rest) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(rest.url + "/webhooks/rest/") as resp:
            assert resp.status == 200 and await resp.json() == {"status": "ok"}


# ----------------------------------------------------------------------- inside Rasa's own app


@pytest_asyncio.fixture
async def rasa_app(tmp_path) -> AsyncIterator[str]:
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.channels.rest.SafeRestInput:\n", encoding="utf-8")
    channels = rasa.core.run.create_http_input_channels(None, str(credentials))
    assert [type(c) for c in channels] == [SafeRestInput]
    Sanic.test_mode = True
    app = rasa.core.run.configure_app(channels, enable_api=True, auth_token="api-token")
    # An agent without a model: Rasa ignores every message, like a broken action server.
    app.ctx.agent = Agent(
        domain=Domain.empty(),
        tracker_store=InMemoryTrackerStore(Domain.empty()),
        lock_store=InMemoryLockStore(),
    )
    async with serving(app) as url:
        yield url + "/webhooks/rest/webhook"


async def test_rasa_builds_the_channel_with_the_same_rules(rasa_app) -> None:
    status, body = await post_json(rasa_app, {"sender": "u1", "message": "你好"})
    assert status == 200 and body == [{"recipient_id": "rest:u1", "text": NO_REPLY_FALLBACK}]
    status, body = await post(rasa_app, b"[]", headers={"Content-Type": "application/json"})
    assert status == 400 and body["error"] == "not_an_object"
    status, body = await post_json(rasa_app + "?stream=true", {"sender": "u1", "message": "你好"})
    assert status == 400 and body["error"] == "stream_unsupported"
    status, body = await post_json(rasa_app, {"sender": "u1", "message": "x" * 2_000_000})
    assert status == 413
