"""A conversation's lines, read from serialised Rasa tracker events (one reader for every view).

The desk's handoff view, the work order's stored transcript and the web chat's history after a
reload all show the same thing: who said what, with a button click shown as the title the citizen
clicked rather than its payload, and staff lines told apart from the bot's by their metadata.
Masking is the caller's choice: the citizen's own page shows what the tracker store holds, the
desk masks again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kernel.contracts import staff_label
from kernel.names import INTENT_LABELS

_CLICK_FALLBACK = "（点击按钮 "


@dataclass(frozen=True)
class Line:
    """One message; `index` is the event's position among the events given."""

    index: int
    sender: str  # user | bot | staff
    text: str
    timestamp: float | None = None
    label: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    image: str | None = None


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Only string titles and payloads, whatever a response or a caller put there."""
    result: list[dict[str, str]] = []
    for button in buttons if isinstance(buttons, list) else []:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and title.strip():
            result.append({"title": title, "payload": payload if isinstance(payload, str) else title})
    return result


def _clicked(text: str, titles: dict[str, str]) -> str:
    """A click is stored as its payload (`/intent{...}`): show the title, or what the intent means."""
    if text in titles:
        return titles[text]
    return button_text(text)


def button_text(text: str) -> str:
    """What a person reads for a click whose button is unknown: `/affirm` (or an older stored
    `（点击按钮 affirm）`) becomes the intent's label (是的); an unknown intent keeps its name."""
    if text.startswith("/"):
        intent = text[1:].split("{", 1)[0].strip()
    elif text.startswith(_CLICK_FALLBACK) and text.endswith("）"):
        intent = text[len(_CLICK_FALLBACK) : -1].strip()
    else:
        return text
    label = INTENT_LABELS.get(intent)
    return label if label else f"{_CLICK_FALLBACK}{intent}）"


def _timestamp(event: dict[str, Any]) -> float | None:
    value = event.get("timestamp")
    return float(value) if isinstance(value, (int, float)) else None


def _bot_line(index: int, event: dict[str, Any]) -> Line | None:
    data = event.get("data") or {}
    buttons = clean_buttons(data.get("buttons") or data.get("quick_replies"))
    image = data.get("image") if isinstance(data.get("image"), str) else None
    text = str(event.get("text") or "")
    if not text and not image and not buttons:
        return None
    label = staff_label(event.get("metadata"))
    return Line(index, "staff" if label else "bot", text, _timestamp(event), label, buttons, image)


def transcript(events: Iterable[Any]) -> list[Line]:
    """The user, bot and staff messages among `events`, oldest first."""
    lines: list[Line] = []
    titles: dict[str, str] = {}  # button payload -> title, from the bot messages seen so far
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        kind = event.get("event")
        if kind == "user" and event.get("text"):
            lines.append(Line(index, "user", _clicked(str(event["text"]), titles), _timestamp(event)))
        elif kind == "bot":
            line = _bot_line(index, event)
            if line is not None:
                lines.append(line)
                titles.update({b["payload"]: b["title"] for b in line.buttons})
    return lines
