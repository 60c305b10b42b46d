"""The web chat's message format, and a conversation's history rebuilt from tracker events.

The page shows one format everywhere (live messages, staff messages and history after a reload):
``{"from": "user"|"bot"|"staff", "text": str, "buttons": [{"title", "payload"}], "image"?, "label"?}``.
History is read from the agent's tracker store, where personal data is already masked, so a reload
shows the masked text (an ID number typed earlier comes back as ``110105********1234``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

STAFF_LABEL = "工作人员"
# BotUttered metadata key marking a message written by staff (set by the push endpoint).
STAFF_METADATA_KEY = "webchat_staff"
MAX_HISTORY = 200


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Only string titles and payloads reach the page, whatever a response or a caller put there."""
    result: list[dict[str, str]] = []
    for button in buttons if isinstance(buttons, list) else []:
        if not isinstance(button, dict):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and title.strip():
            result.append({"title": title, "payload": payload if isinstance(payload, str) else title})
    return result


def bot_message(text: str | None, buttons: Any = None, image: str | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"from": "bot", "text": text or "", "buttons": clean_buttons(buttons)}
    if image:
        message["image"] = image
    return message


def staff_message(text: str, buttons: Any = None, label: str | None = None) -> dict[str, Any]:
    return {"from": "staff", "text": text, "buttons": clean_buttons(buttons), "label": label or STAFF_LABEL}


def _bot_event_message(event: dict[str, Any]) -> dict[str, Any] | None:
    data = event.get("data") or {}
    metadata = event.get("metadata") or {}
    buttons = data.get("buttons") or data.get("quick_replies")
    if isinstance(metadata.get(STAFF_METADATA_KEY), dict):
        label = metadata[STAFF_METADATA_KEY].get("label")
        return staff_message(event.get("text") or "", buttons, label if isinstance(label, str) else None)
    if not event.get("text") and not data.get("image") and not buttons:
        return None
    image = data.get("image")
    return bot_message(event.get("text"), buttons, image if isinstance(image, str) else None)


def _user_text(event: dict[str, Any], titles: dict[str, str]) -> str:
    """A button click is stored as its payload (`/intent{...}`); show the title the citizen clicked."""
    text = event.get("text") or ""
    return titles.get(text, text)


def history_from_events(events: Iterable[dict[str, Any]], limit: int = MAX_HISTORY) -> list[dict[str, Any]]:
    """The user, bot and staff messages of serialised tracker events, oldest first, the last `limit`."""
    messages: list[dict[str, Any]] = []
    titles: dict[str, str] = {}
    for event in events:
        kind = event.get("event")
        if kind == "user":
            text = _user_text(event, titles)
            if text:
                messages.append({"from": "user", "text": text, "buttons": []})
        elif kind == "bot":
            message = _bot_event_message(event)
            if message:
                messages.append(message)
                titles.update({b["payload"]: b["title"] for b in message["buttons"]})
    return messages[-limit:]
