"""The web chat's message format, and a conversation's history rebuilt from tracker events.

The page shows one format everywhere (live messages, staff messages and history after a reload):
``{"from": "user"|"bot"|"staff", "text": str, "buttons": [{"title", "payload"}], "ts"?, "image"?,
"label"?, "card"?, "waiting"?}``. ``ts`` is when the message was said (epoch seconds; the page shows
local HH:MM). ``card`` and ``waiting`` come from the bot message's custom payload (kernel.contracts
CARD_KEY, WAITING_KEY): with a card, ``text`` is the card's details, since the card says the rest.
History is read from the agent's tracker store, where personal data is already masked, so a reload
shows the masked text (an ID number typed earlier comes back as ``110105********1234``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from kernel.contracts import CARD_KEY, STAFF_LABEL, WAITING_KEY
from kernel.transcript import Line, clean_buttons, transcript

MAX_HISTORY = 200
MAX_CARD_ROWS = 12


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def card_of(custom: Any) -> dict[str, Any] | None:
    """A card with string fields only (whatever an action put there), or None."""
    card = custom.get(CARD_KEY) if isinstance(custom, dict) else None
    if not isinstance(card, dict):
        return None
    rows = [
        {"label": _text(r.get("label")), "value": _text(r.get("value"))}
        for r in card.get("rows") or []
        if isinstance(r, dict) and _text(r.get("label"))
    ][:MAX_CARD_ROWS]
    if not rows:
        return None
    return {
        "title": _text(card.get("title")),
        "subtitle": _text(card.get("subtitle")),
        "rows": rows,
        "details": _text(card.get("details")),
    }


def waiting_of(custom: Any) -> dict[str, int] | None:
    """The queue place and expected minutes of a live handoff, or None."""
    waiting = custom.get(WAITING_KEY) if isinstance(custom, dict) else None
    if not isinstance(waiting, dict):
        return None
    minutes, position = waiting.get("minutes"), waiting.get("position")
    if not isinstance(minutes, int) or not isinstance(position, int) or minutes < 1:
        return None
    return {"minutes": minutes, "position": max(1, position)}


def bot_message(
    text: str | None,
    buttons: Any = None,
    image: str | None = None,
    custom: Any = None,
    ts: float | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "from": "bot",
        "text": text or "",
        "buttons": clean_buttons(buttons),
        "ts": time.time() if ts is None else ts,
    }
    if image:
        message["image"] = image
    card, waiting = card_of(custom), waiting_of(custom)
    if card:
        message["card"] = card
        message["text"] = card["details"]
    if waiting:
        message["waiting"] = waiting
    return message


def staff_message(
    text: str, buttons: Any = None, label: str | None = None, ts: float | None = None
) -> dict[str, Any]:
    return {
        "from": "staff",
        "text": text,
        "buttons": clean_buttons(buttons),
        "label": label or STAFF_LABEL,
        "ts": time.time() if ts is None else ts,
    }


def _message(line: Line, custom: Any) -> dict[str, Any]:
    if line.sender == "user":
        message: dict[str, Any] = {"from": "user", "text": line.text, "buttons": [], "ts": line.timestamp}
    elif line.sender == "staff":
        message = staff_message(line.text, line.buttons, line.label, line.timestamp)
    else:
        message = bot_message(line.text, line.buttons, line.image, custom, line.timestamp)
    if line.timestamp is None:
        del message["ts"]  # unknown: no time shown rather than the time of the reload
    return message


def _custom(event: Any) -> Any:
    data = event.get("data") if isinstance(event, dict) else None
    return data.get("custom") if isinstance(data, dict) else None


def history_from_events(events: Iterable[dict[str, Any]], limit: int = MAX_HISTORY) -> list[dict[str, Any]]:
    """The user, bot and staff messages of serialised tracker events, oldest first, the last `limit`."""
    events = list(events)
    return [_message(line, _custom(events[line.index])) for line in transcript(events)][-limit:]
