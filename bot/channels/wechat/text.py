"""Turning the bot's messages into WeChat text, and numbered replies back into button payloads.

WeChat text messages have no buttons. Buttons become numbered lines ("1. 查询案件进度"); the
payloads are remembered per OpenID in the KV store so that replying "1" sends the first button's
payload, as a click would on the web page. Link buttons become "标题：URL" lines, which WeChat
shows as tappable links.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable
from typing import Any

from kernel.kv import KV

# Customer-service and passive text: WeChat answers 45002 "content size out of limit" above 2048 bytes
# (UTF-8). The limit is not in the reference pages; it is the figure WeChat staff give in the
# developer community, so it is a setting of WeChatSettings rather than buried here.
TEXT_LIMIT_BYTES = 2048
BUTTONS_TTL = 24 * 3600
_CHOOSE_HINT = "请回复数字选择："


def _button_lines(buttons: list[dict[str, Any]], payloads: list[str]) -> list[str]:
    """Numbered lines continue the turn's numbering (`payloads` grows); link buttons get no number."""
    lines = []
    for button in buttons:
        title = str(button.get("title") or button.get("payload") or "").strip()
        if button.get("url"):
            lines.append(f"· {title}：{button['url']}")
            continue
        payloads.append(str(button.get("payload") or title))
        lines.append(f"{len(payloads)}. {title}")
    return lines


def render(messages: Iterable[dict[str, Any]]) -> tuple[str, list[str]]:
    """All of a turn's messages as one text (fewer sends count less against WeChat's quota) and the
    payloads of its numbered choices, in order."""
    parts: list[str] = []
    payloads: list[str] = []
    for message in messages:
        text = str(message.get("text") or "").strip()
        buttons = message.get("buttons") or message.get("quick_replies") or []
        lines = _button_lines(buttons, payloads) if buttons else []
        if any(line[0].isdigit() for line in lines):
            lines.insert(0, _CHOOSE_HINT)
        block = "\n".join([text, *lines] if text else lines).strip()
        if block:
            parts.append(block)
        for extra in ("image", "attachment"):
            if message.get(extra):
                parts.append(str(message[extra]))
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("text"), str):
            parts.append(custom["text"])
    return "\n\n".join(parts), payloads


def _cut(text: str, limit: int) -> int:
    """Index at which to cut `text` so the head fits in `limit` bytes, preferring paragraph then line
    breaks and never splitting a character."""
    size = 0
    end = 0
    for i, ch in enumerate(text):
        size += len(ch.encode("utf-8"))
        if size > limit:
            break
        end = i + 1
    end = max(end, 1)  # a limit below one character's size still makes progress
    head = text[:end]
    for sep in ("\n\n", "\n", "。", "；", "，"):
        at = head.rfind(sep)
        if at > end // 2:
            return at + len(sep)
    return end


def split_text(text: str, limit: int = TEXT_LIMIT_BYTES) -> list[str]:
    """Pieces of at most `limit` UTF-8 bytes each, in order, nothing dropped but edge whitespace."""
    pieces = []
    rest = text.strip()
    while rest:
        if len(rest.encode("utf-8")) <= limit:
            pieces.append(rest)
            break
        at = _cut(rest, limit)
        pieces.append(rest[:at].strip())
        rest = rest[at:].strip()
    return [p for p in pieces if p]


class ButtonMemory:
    """The numbered choices last shown to each user, shared by every process through the KV store."""

    def __init__(self, kv: KV, ttl: float = BUTTONS_TTL) -> None:
        self._kv = kv
        self._ttl = ttl

    @staticmethod
    def _key(openid: str) -> str:
        return f"wechat:buttons:{openid}"

    def remember(self, openid: str, payloads: list[str]) -> None:
        """Replace the previous turn's choices; a turn without buttons forgets them."""
        if payloads:
            self._kv.set(self._key(openid), json.dumps(payloads, ensure_ascii=False), ttl=self._ttl)
        else:
            self._kv.delete(self._key(openid))

    def forget(self, openid: str) -> None:
        self._kv.delete(self._key(openid))

    def resolve(self, openid: str, text: str) -> str:
        """ "2" (or "２", "2." ...) becomes the second choice's payload; anything else is returned as is."""
        choice = unicodedata.normalize("NFKC", text).strip().rstrip(".、").strip()
        if not choice.isdigit():
            return text
        stored = self._kv.get(self._key(openid))
        if not stored:
            return text
        payloads = json.loads(stored)
        index = int(choice) - 1
        return payloads[index] if 0 <= index < len(payloads) else text
