"""The desk's client of the Rasa server's HTTP API (`--enable-api --auth-token $RASA_TOKEN`).

Used for the live handoff: read a paused conversation's tracker (the tracker store masks personal data, and
the messages are masked again here), resume it for the bot, and record staff lines in the transcript when the
channel's push did not. Every call is a blocking `requests` call with connect/read timeouts; callers are the
desk's request threads and the handoff sweeper, never an event loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import requests

from bot.privacy import mask_text

log = logging.getLogger(__name__)
# Keys of BotUttered metadata that mark a line written by staff: the webchat push sets the first,
# this client the second.
STAFF_KEYS = ("webchat_staff", "staff")


class RasaUnavailable(RuntimeError):
    """The Rasa server did not answer, or refused the call; the message is for the desk's log and staff."""


@dataclass(frozen=True)
class ChatLine:
    """One line of a conversation as the desk shows it; `index` is the event's position in the tracker."""

    index: int
    sender: str  # user | bot | staff
    text: str
    at: str | None
    label: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "sender": self.sender, "text": self.text, "at": self.at, "label": self.label}


def _timestamp(value: Any) -> str | None:
    if not isinstance(value, (int, float)):
        return None
    return datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds")


def _staff_label(metadata: dict[str, Any]) -> str | None:
    for key in STAFF_KEYS:
        value = metadata.get(key)
        if isinstance(value, dict):
            return str(value.get("label") or "工作人员")
        if isinstance(value, str) and value:
            return value
    return None


def _button_titles(event: dict[str, Any]) -> dict[str, str]:
    buttons = (event.get("data") or {}).get("buttons") or []
    return {str(b["payload"]): str(b["title"]) for b in buttons
            if isinstance(b, dict) and b.get("payload") and b.get("title")}


def chat_lines(events: list[dict[str, Any]], after: int = -1) -> list[ChatLine]:
    """The user, bot and staff messages among tracker events whose index is greater than `after`, masked."""
    lines = []
    titles: dict[str, str] = {}  # button payload -> title, so a click shows as what the citizen clicked
    for index, event in enumerate(events):
        if not isinstance(event, dict) or not event.get("text"):
            continue
        kind = event.get("event")
        if kind == "bot":
            titles.update(_button_titles(event))
        if index <= after:
            continue
        if kind == "user":
            text = str(event["text"])
            text = titles.get(text, f"（点击按钮 {text[1:].split('{', 1)[0]}）" if text.startswith("/") else text)
            lines.append(ChatLine(index, "user", mask_text(text), _timestamp(event.get("timestamp"))))
        elif kind == "bot":
            label = _staff_label(event.get("metadata") or {})
            lines.append(ChatLine(index, "staff" if label else "bot", mask_text(str(event["text"])),
                                  _timestamp(event.get("timestamp")), label))
    return lines


class RasaClient:
    """GET the tracker, POST events (pause / resume / staff line) to one conversation."""

    def __init__(self, base_url: str, token: str, timeout: tuple[float, float] = (1.0, 3.0),
                 session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{suffix}"

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self.session.request(method, url, params={"token": self.token}, timeout=self.timeout,
                                            **kwargs)
        except requests.RequestException as exc:
            raise RasaUnavailable(f"Rasa 服务无法连接（{type(exc).__name__}）") from exc
        if response.status_code >= 300:
            raise RasaUnavailable(f"Rasa 服务拒绝了请求（HTTP {response.status_code}）")
        try:
            return response.json()
        except ValueError as exc:
            raise RasaUnavailable("Rasa 服务的应答不是 JSON") from exc

    def events(self, conversation_id: str) -> list[dict[str, Any]]:
        """The tracker's events (masked by the tracker store)."""
        body = self._call("GET", self._url(conversation_id, "tracker"))
        events = body.get("events") if isinstance(body, dict) else None
        return events if isinstance(events, list) else []

    def lines(self, conversation_id: str, after: int = -1) -> list[ChatLine]:
        return chat_lines(self.events(conversation_id), after)

    def append(self, conversation_id: str, event: dict[str, Any]) -> None:
        self._call("POST", self._url(conversation_id, "tracker/events"), json=event)

    def pause(self, conversation_id: str) -> None:
        self.append(conversation_id, {"event": "pause"})

    def resume(self, conversation_id: str) -> None:
        """The bot answers this conversation again."""
        self.append(conversation_id, {"event": "resume"})

    def record_staff_line(self, conversation_id: str, text: str, staff_name: str) -> None:
        """Keep a staff line in the transcript when the channel's push did not record it."""
        self.append(conversation_id, {"event": "bot", "text": text, "metadata": {"staff": staff_name}})
