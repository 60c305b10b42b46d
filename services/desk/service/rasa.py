"""The desk's client of the Rasa server's HTTP API (`--enable-api`, token RASA_TOKEN: bot/cli.py).

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

from kernel.contracts import staff_metadata
from kernel.privacy import mask_text
from kernel.transcript import transcript

log = logging.getLogger(__name__)


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
        return {
            "index": self.index,
            "sender": self.sender,
            "text": self.text,
            "at": self.at,
            "label": self.label,
        }


def _iso(value: float | None) -> str | None:
    if value is None:
        return None
    return datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds")


def chat_lines(events: list[dict[str, Any]], after: int = -1) -> list[ChatLine]:
    """The user, bot and staff messages among tracker events whose index is greater than `after`, masked."""
    return [
        ChatLine(line.index, line.sender, mask_text(line.text), _iso(line.timestamp), line.label)
        for line in transcript(events)
        if line.index > after
    ]


class RasaClient:
    """GET the tracker, POST events (pause / resume / staff line) to one conversation."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: tuple[float, float] = (1.0, 3.0),
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def _url(self, conversation_id: str, suffix: str) -> str:
        return f"{self.base_url}/conversations/{quote(conversation_id, safe='')}/{suffix}"

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            response = self.session.request(
                method, url, params={"token": self.token}, timeout=self.timeout, **kwargs
            )
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
        self.append(conversation_id, {"event": "bot", "text": text, "metadata": staff_metadata(staff_name)})
