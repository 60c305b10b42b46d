"""The web chat's message format, and a conversation's history rebuilt from tracker events.

The page shows one format everywhere (live messages, staff messages and history after a reload):
``{"from": "user"|"bot"|"staff", "text": str, "buttons": [{"title", "payload"}], "image"?, "label"?}``.
History is read from the agent's tracker store, where personal data is already masked, so a reload
shows the masked text (an ID number typed earlier comes back as ``110105********1234``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kernel.contracts import STAFF_LABEL
from kernel.transcript import Line, clean_buttons, transcript

MAX_HISTORY = 200


def bot_message(text: str | None, buttons: Any = None, image: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"from": "bot", "text": text or "", "buttons": clean_buttons(buttons)}
    if image:
        message["image"] = image
    return message


def staff_message(text: str, buttons: Any = None, label: str | None = None) -> dict[str, Any]:
    return {"from": "staff", "text": text, "buttons": clean_buttons(buttons), "label": label or STAFF_LABEL}


def _message(line: Line) -> dict[str, Any]:
    if line.sender == "user":
        return {"from": "user", "text": line.text, "buttons": []}
    if line.sender == "staff":
        return staff_message(line.text, line.buttons, line.label)
    return bot_message(line.text, line.buttons, line.image)


def history_from_events(events: Iterable[dict[str, Any]], limit: int = MAX_HISTORY) -> list[dict[str, Any]]:
    """The user, bot and staff messages of serialised tracker events, oldest first, the last `limit`."""
    return [_message(line) for line in transcript(events)][-limit:]
