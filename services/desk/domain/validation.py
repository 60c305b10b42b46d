"""Checking what callers send, with reasons in Chinese.

Everything that enters the store passes through here, so the store can trust its inputs and an API caller
always learns which field was wrong and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kernel.contracts import LIVE_CHANNELS
from kernel.nlu.phone import canonical_phone
from kernel.privacy import mask_text
from kernel.text import strip_invisible

from .terms import CALLBACK_METHODS, CALLBACK_OUTCOMES, CALLBACK_PURPOSES, CHANNELS, KINDS

LIVE_CHANNEL_VALUES = tuple(channel.value for channel in LIVE_CHANNELS)

MAX_SUMMARY = 2000
MAX_TRANSCRIPT_TURNS = 200
MAX_TURN_TEXT = 2000
MAX_REPLY = 4000


class InvalidInput(ValueError):
    """A field is missing or wrong; `message` is the Chinese reason for the caller."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


def normalize_phone(value: Any) -> str | None:
    """11 ASCII digits for a mainland mobile number (strips +86, spaces, dashes), else None."""
    return canonical_phone(value) if isinstance(value, str) and len(value) <= 40 else None


def text_field(data: dict, name: str, label: str, max_len: int, required: bool = True) -> str | None:
    """A stripped string no longer than `max_len`, without control characters (a NUL or ESC in a reply
    must not reach the citizen's SMS, the outbox or a log); None when optional and absent."""
    value = data.get(name)
    if isinstance(value, str):
        value = strip_invisible(value)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(name, f"缺少{label}")
        return None
    if not isinstance(value, str):
        raise InvalidInput(name, f"{label}格式不正确")
    value = value.strip()
    if len(value) > max_len:
        raise InvalidInput(name, f"{label}过长（不超过{max_len}字）")
    return value


#: a judge's id in the court data (J0105-01): letters, digits and - _ . , at most 32 characters
JUDGE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")


def judge_id_field(data: dict, name: str = "court_judge_id") -> str | None:
    """A court-data judge id, or None when absent or empty (an empty one unlinks an account)."""
    value = text_field(data, name, "承办法官编号", 32, required=False)
    if value is not None and not JUDGE_ID.fullmatch(value):
        raise InvalidInput(name, "承办法官编号只能包含字母、数字和 - _ .，如 J0105-01")
    return value


def choice_field(data: dict, name: str, label: str, choices: tuple[str, ...]) -> str:
    value = data.get(name)
    if value not in choices:
        raise InvalidInput(name, f"{label}应为以下之一：{'、'.join(choices)}")
    return value


def phone_field(data: dict, name: str = "phone") -> str:
    phone = normalize_phone(data.get(name))
    if phone is None:
        raise InvalidInput(name, "请提供正确的11位手机号码")
    return phone


def _transcript(value: Any) -> list[dict[str, str]]:
    """The conversation so far, masked; accepts a list of turns or one block of text."""
    if value is None:
        return []
    if isinstance(value, str):
        value = [{"sender": "user", "text": value}]
    if not isinstance(value, list) or len(value) > MAX_TRANSCRIPT_TURNS:
        raise InvalidInput("transcript", f"对话记录应为不超过{MAX_TRANSCRIPT_TURNS}条的列表")
    turns = []
    for turn in value:
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise InvalidInput("transcript", "对话记录每条应包含 sender 和 text")
        turns.append(
            {
                "sender": str(turn.get("sender") or "user")[:16],
                "text": mask_text(turn["text"][:MAX_TURN_TEXT]),
                "at": str(turn.get("at") or "")[:40],
            }
        )
    return turns


@dataclass(frozen=True)
class NewWorkOrder:
    """What the action server (or a clerk) supplies to open a work order."""

    kind: str
    channel: str
    citizen_name: str
    callback_phone: str
    summary: str
    conversation_id: str | None
    message_id: str | None
    case_number: str | None = None
    court: str | None = None
    case_judge: str | None = None
    case_judge_id: str | None = None
    transcript: list[dict[str, str]] = field(default_factory=list)


def parse_new_order(data: Any, require_key: bool = True) -> NewWorkOrder:
    """Validate a creation request; the summary and transcript are masked on the way in."""
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    return NewWorkOrder(
        kind=choice_field(data, "kind", "工单类型", KINDS),
        channel=choice_field(data, "channel", "渠道", CHANNELS),
        citizen_name=text_field(data, "citizen_name", "姓名", 64),
        callback_phone=phone_field(data, "callback_phone"),
        summary=mask_text(text_field(data, "summary", "诉求内容", MAX_SUMMARY)),
        conversation_id=text_field(data, "conversation_id", "会话编号", 128, required=require_key),
        message_id=text_field(data, "message_id", "消息编号", 128, required=require_key),
        case_number=text_field(data, "case_number", "案号", 64, required=False),
        court=text_field(data, "court", "法院", 64, required=False),
        case_judge=text_field(data, "case_judge", "承办法官", 64, required=False),
        case_judge_id=judge_id_field(data, "case_judge_id"),
        transcript=_transcript(data.get("transcript")),
    )


@dataclass(frozen=True)
class LiveOpen:
    """A live handoff that opens without a work order: what the bot knows before any form."""

    conversation_id: str
    channel: str
    summary: str
    message_id: str | None
    transcript: list[dict[str, str]]


def parse_live_open(data: dict) -> LiveOpen:
    """Validate `POST /api/v1/handoff` without a number: a live channel, the conversation, first words."""
    return LiveOpen(
        conversation_id=text_field(data, "conversation_id", "会话编号", 128) or "",
        channel=choice_field(data, "channel", "渠道", LIVE_CHANNEL_VALUES),
        summary=mask_text(text_field(data, "summary", "诉求内容", MAX_SUMMARY) or ""),
        message_id=text_field(data, "message_id", "消息编号", 128, required=False),
        transcript=_transcript(data.get("transcript")),
    )


@dataclass(frozen=True)
class NewCallback:
    """A callback record as staff enter it."""

    method: str
    purpose: str
    outcome: str
    note: str | None


def parse_callback(data: Any) -> NewCallback:
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    return NewCallback(
        method=choice_field(data, "method", "回访方式", CALLBACK_METHODS),
        purpose=choice_field(data, "purpose", "回访目的", CALLBACK_PURPOSES),
        outcome=choice_field(data, "outcome", "回访结果", CALLBACK_OUTCOMES),
        note=text_field(data, "note", "备注", 1000, required=False),
    )


def parse_rating(data: Any) -> tuple[int, str | None]:
    """A satisfaction score 1 (非常不满意) … 5 (非常满意) and an optional comment."""
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    score = data.get("score")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput("score", "满意度应为1到5的整数")
    comment = text_field(data, "comment", "评价内容", 500, required=False)
    return score, mask_text(comment) if comment else None


@dataclass(frozen=True)
class Finish:
    """回访并办结: the callback, the rating the citizen gave in it (None: not asked or declined) and
    whether to close the order in the same step."""

    callback: NewCallback
    score: int | None
    comment: str | None
    close: bool
    close_note: str | None


def parse_finish(data: Any) -> Finish:
    """The one closing form (a satisfaction callback), read from strings as a form posts them."""
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    callback = parse_callback({**data, "purpose": "回访"})
    raw = data.get("score")
    score, comment = None, None
    if raw not in (None, ""):
        try:
            number = int(str(raw))
        except ValueError as exc:
            raise InvalidInput("score", "满意度应为1到5的整数") from exc
        score, comment = parse_rating({"score": number, "comment": data.get("comment") or None})
    close = str(data.get("close") or "").lower() in ("1", "true", "on", "yes")
    note = text_field(data, "close_note", "办结说明", 1000, required=False)
    return Finish(callback, score, comment, close, note)


def parse_reply(data: Any) -> str:
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    return text_field(data, "body", "答复内容", MAX_REPLY)
