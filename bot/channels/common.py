"""What the chat channels (REST, web chat, WeChat) share, written once so the copies cannot drift.

- The no-reply fallback: Rasa 3.6 answers nothing when the action server is down or an action
  crashed before uttering; every channel then says the same thing, with a next step.
- The paused check: a conversation handed to staff is paused, and the bot is silent on purpose, so
  no fallback is sent there.
- The staff push (`POST /webhooks/<channel>/push`, the desk's contract in kernel/contracts.py):
  bearer CHANNEL_PUSH_TOKEN, a body of at most PUSH_MAX_BODY bytes read as a stream, a JSON
  `StaffPush`. Every channel refuses the same bad request with the same status and the same
  `{"delivered": false, "reason": <Chinese>}` body (the reasons end up in front of staff).
- Reading a streamed body up to a limit, and masking the conversation ids the channels log.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Any

from sanic import response
from sanic.request import Request
from sanic.response import HTTPResponse

from kernel.contracts import SENDER_LABEL_MAX, STAFF_LABEL, PushAnswer, StaffPush
from kernel.transcript import clean_buttons

logger = logging.getLogger(__name__)

#: What a citizen reads when the bot could not answer (and staff have not taken the conversation).
NO_REPLY_FALLBACK = "抱歉，系统繁忙，暂时没能回复您。请稍后再试，或拨打 12368 诉讼服务热线。"

PUSH_MAX_BODY = 32 * 1024  # PUSH_MAX_TEXT CJK characters are 24 KB as \uXXXX escapes (json.dumps' default)
PUSH_MAX_TEXT = 4000
PUSH_MAX_RECIPIENT = 128
#: A conversation id a push may name: a WeChat OpenID or a web chat session id (32 hex digits).
_RECIPIENT = re.compile(rf"[A-Za-z0-9_-]{{1,{PUSH_MAX_RECIPIENT}}}")
#: Spaces and brackets: a label shown as 【label】 must not fake a second line or a second speaker.
LABEL_NOISE = re.compile(r"[\s【】\[\]]+")


def mask_conversation(conversation_id: str) -> str:
    """Conversation ids (OpenIDs, web chat sessions) identify a person: logs keep a recognisable edge."""
    return f"{conversation_id[:6]}…{conversation_id[-2:]}" if len(conversation_id) > 8 else "…"


async def read_limited(request: Request, limit: int) -> bytes | None:
    """The streamed body, or None as soon as the declared or received size exceeds `limit` bytes.

    Read chunk by chunk so a body over the limit is cut off, never buffered whole."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while request.stream is not None:
        chunk = await request.stream.read()
        if chunk is None:
            break
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def conversation_paused(agent: Any, conversation_id: str) -> bool:
    """Whether staff have taken the conversation over (read from the agent's tracker store).

    A store that cannot be read counts as "not paused": the citizen rather gets one fallback too
    many than silence."""
    store = getattr(agent, "tracker_store", None)
    if store is None:
        return False
    try:
        tracker = await store.retrieve(conversation_id)
    except Exception:  # noqa: BLE001 - a broken store must not cost the citizen an answer
        logger.exception("could not read the tracker of %s", mask_conversation(conversation_id))
        return False
    return bool(tracker and tracker.is_paused())


# ---- the staff push -------------------------------------------------------------------------------


class PushRefused(Exception):
    """A push the channel will not act on: HTTP status and a Chinese reason for the desk's staff."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def answer(self, channel: str) -> HTTPResponse:
        """The refusal as every channel gives it (and logs it)."""
        logger.warning("%s push refused (%s): %s", channel, self.status, self.reason)
        return response.json({"delivered": False, "reason": self.reason}, status=self.status)


@dataclass(frozen=True)
class PushRequest:
    """A push that passed the shared checks: the contract's fields, and the whole body for a
    channel's own optional extras (WeChat's `phone`)."""

    message: StaffPush
    body: dict[str, Any]


def authorize(expected: str, header: str | None) -> None:
    """503 while no token is configured (push is off, not open); 401 unless the header matches.

    The whole header is compared in constant time, so neither the scheme nor the token leaks by timing."""
    if not expected:
        raise PushRefused(503, "推送未启用：未设置 CHANNEL_PUSH_TOKEN")
    given = (header or "").encode("utf-8", "replace")
    if not hmac.compare_digest(given, f"Bearer {expected}".encode()):
        raise PushRefused(401, "缺少或错误的推送令牌（Authorization: Bearer）")


def decode_push(raw: bytes) -> dict[str, Any]:
    """The JSON object of a push body, or PushRefused(400)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PushRefused(400, "请求体不是有效的 JSON（UTF-8）") from None
    if not isinstance(data, dict):
        raise PushRefused(400, "请求体必须是 JSON 对象")
    return data


def _recipient(value: Any) -> str:
    if not isinstance(value, str) or not _RECIPIENT.fullmatch(value):
        raise PushRefused(
            400, f"recipient_id 必须是会话标识（微信 OpenID 或网页会话号，不超过{PUSH_MAX_RECIPIENT}个字符）"
        )
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PushRefused(400, "text 不能为空")
    if len(value) > PUSH_MAX_TEXT:
        raise PushRefused(400, f"text 不能超过 {PUSH_MAX_TEXT} 个字符")
    return value


def _label(value: Any) -> str:
    """The desk's label (a name, "承办法官" ...), STAFF_LABEL when it names no one."""
    if value is None:
        return STAFF_LABEL
    if not isinstance(value, str) or not 0 < len(LABEL_NOISE.sub("", value)) <= SENDER_LABEL_MAX:
        raise PushRefused(400, f"sender_label 必须是不超过 {SENDER_LABEL_MAX} 个字的名称")
    return value


def _buttons(value: Any) -> list[dict[str, str]]:
    if value is None:
        return []
    if not isinstance(value, list) or len(clean_buttons(value)) != len(value):
        raise PushRefused(400, "buttons 必须是 {title, payload} 的列表")
    return clean_buttons(value)


def validate_push(data: dict[str, Any]) -> StaffPush:
    """The staff message a push body asks for, or PushRefused(400) naming the first thing wrong."""
    return StaffPush(
        recipient_id=_recipient(data.get("recipient_id")),
        text=_text(data.get("text")),
        sender_label=_label(data.get("sender_label")),
        buttons=_buttons(data.get("buttons")),
    )


async def read_push(request: Request, expected_token: str) -> PushRequest:
    """Authorise, read (at most PUSH_MAX_BODY bytes) and validate a push; PushRefused otherwise.

    The route must be registered with `stream=True`, so an oversized body is never buffered."""
    authorize(expected_token, request.headers.get("authorization"))
    raw = await read_limited(request, PUSH_MAX_BODY)
    if raw is None:
        raise PushRefused(413, f"请求体不能超过 {PUSH_MAX_BODY} 字节")
    data = decode_push(raw)
    return PushRequest(validate_push(data), data)


def push_answer(answer: PushAnswer | dict[str, Any]) -> HTTPResponse:
    """A push that was acted on: 200 with `{delivered, via?, recorded?}`."""
    return response.json(dict(answer))
