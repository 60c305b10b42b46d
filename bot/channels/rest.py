"""Rasa's REST channel (/webhooks/rest/webhook), but bounded, namespaced and never silent.

- Input is validated before the bot sees it: the body must be a JSON object of at most MAX_BODY_BYTES
  (read as a stream, so a larger one is cut off, not buffered); `sender` is required, 1–64 characters of
  [A-Za-z0-9_.:-]; `message` is a string of at most MAX_MESSAGE_CHARS characters. A refusal is
  400 (413 for too large) with a JSON body {"error": code, "reason": Chinese text}.
- Conversations belong to the channel: the server keeps the conversation as `rest:<sender>`, so a REST
  caller cannot name a web chat (32 hex digits, issued and signed by the server) or WeChat (OpenID)
  conversation. `input_channel` is always "rest" and caller metadata is ignored.
- `?stream=true` (Rasa's line-by-line streaming) is refused with 400; the answer is the list of bot
  messages, exactly as Rasa's REST channel gives it.
- Production (COURT_MODE=production): the channel has no login of its own, so it is closed (404) unless
  REST_CHANNEL_TOKEN is set, and then it answers only callers with that bearer token (an integration
  such as the court's own app). In demo mode it is open, for `make chat` and the tests.
- Rasa 3.6 answers `[]` when the action server is down or an action crashed before uttering anything;
  this channel then adds a polite fallback — except when the conversation is paused for a live handoff,
  where the bot is silent on purpose and staff answer (both shared with the other channels: common.py).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, Request, response
from sanic.response import HTTPResponse

from bot.channels.common import NO_REPLY_FALLBACK, conversation_paused, read_limited
from kernel.contracts import CLIENT_METADATA_KEY, client_key
from kernel.text import strip_invisible

logger = logging.getLogger(__name__)
SENDER_PREFIX = "rest:"
MAX_SENDER_CHARS = 64
MAX_MESSAGE_CHARS = 2000
MAX_BODY_BYTES = 64 * 1024  # 2,000 characters as \uXXXX escapes are 12 KB
_SENDER = re.compile(rf"[A-Za-z0-9_.:-]{{1,{MAX_SENDER_CHARS}}}")


class Refused(Exception):
    """A request the channel does not pass to the bot: its status, code and reason (Chinese)."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason

    def answer(self) -> HTTPResponse:
        return response.json({"error": self.code, "reason": self.reason}, status=self.status)


def too_large() -> Refused:
    return Refused(413, "body_too_large", f"请求内容过大（不超过{MAX_BODY_BYTES // 1024} KB）。")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The body of a streamed request, refused as soon as it passes `limit` bytes."""
    body = await read_limited(request, limit)
    if body is None:
        raise too_large()
    return body


def parse_message(raw: bytes, stream: str | None = None) -> tuple[str, str]:
    """(conversation id, text) of a valid request, else Refused."""
    if stream is not None and stream.strip().lower() not in ("", "false"):
        raise Refused(400, "stream_unsupported", "不支持流式回复（stream=true），请去掉该参数。")
    if not raw.strip():
        raise Refused(
            400, "empty_body", '请求体为空，请发送 JSON 对象，例如 {"sender": "user1", "message": "你好"}。'
        )
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise Refused(400, "invalid_json", "请求体不是有效的 JSON。") from None
    if not isinstance(body, dict):
        raise Refused(
            400, "not_an_object", '请求体必须是 JSON 对象，例如 {"sender": "user1", "message": "你好"}。'
        )
    sender, text = body.get("sender"), body.get("message")
    if sender is None or sender == "":
        raise Refused(400, "sender_missing", "缺少 sender（会话标识）。")
    if not isinstance(sender, str) or not _SENDER.fullmatch(sender):
        raise Refused(
            400,
            "sender_invalid",
            f"sender 须为1至{MAX_SENDER_CHARS}个字符，只能包含英文字母、数字和 _ . : - 。",
        )
    if text is None:
        raise Refused(400, "message_missing", "缺少 message（消息文字）。")
    if not isinstance(text, str):
        raise Refused(400, "message_not_text", "message 必须是文字（字符串）。")
    if len(text) > MAX_MESSAGE_CHARS:
        raise Refused(
            413, "message_too_long", f"消息太长了，请分几次发送（每次不超过{MAX_MESSAGE_CHARS}字）。"
        )
    text = strip_invisible(text)  # NUL, ESC, bidi overrides: never stored, logged or classified
    if not text.strip():
        raise Refused(400, "message_empty", "message 不能为空。")
    return SENDER_PREFIX + sender, text


@dataclass(frozen=True)
class RestSettings:
    """Whether the channel is open: always in demo mode; in production only with a caller token."""

    production: bool = False
    token: str = field(default="", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> RestSettings:
        env = os.environ if env is None else env
        production = (env.get("COURT_MODE") or "").strip().lower() == "production"
        return cls(production, (env.get("REST_CHANNEL_TOKEN") or "").strip())

    def refusal(self, authorization: str | None) -> Refused | None:
        """Why a call is not let in (None: it is)."""
        if not self.production:
            return None
        if not self.token:
            return Refused(404, "rest_disabled", "此接口在正式环境中未开放，请使用法院网站或微信公众号咨询。")
        if not hmac.compare_digest((authorization or "").encode(), f"Bearer {self.token}".encode()):
            return Refused(401, "unauthorized", "缺少或错误的接口令牌（Authorization: Bearer …）。")
        return None


class SafeRestInput(RestInput):
    """`rest` with validated input, channel-owned conversation ids and a no-silence guarantee."""

    def __init__(self, settings: RestSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or RestSettings()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> SafeRestInput:
        return cls(RestSettings.from_env())

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            closed = self.settings.refusal(request.headers.get("Authorization"))
            if closed is not None:
                return closed.answer()
            try:
                sender_id, text = parse_message(await read_body(request), request.args.get("stream"))
            except Refused as refused:
                return refused.answer()
            collector = CollectingOutputChannel()
            try:
                metadata = {CLIENT_METADATA_KEY: client_key(request.remote_addr or request.ip)}
                await on_new_message(
                    UserMessage(text, collector, sender_id, input_channel=self.name(), metadata=metadata)
                )
            except asyncio.CancelledError:
                logger.error("rest: the turn was cancelled (timeout)")
            except Exception:  # noqa: BLE001 - the citizen gets the fallback, the log the fault
                logger.exception("rest: the bot failed on a message")
            if not collector.messages and not await conversation_paused(_agent(request), sender_id):
                logger.warning("no reply to a message: sending the fallback")
                await collector.send_text_message(sender_id, NO_REPLY_FALLBACK)
            return response.json(collector.messages)

        return webhook


def _agent(request: Request) -> Any:
    """The Rasa agent serving this app (None in tests that mount the blueprint alone)."""
    return getattr(getattr(request.app, "ctx", None), "agent", None)
