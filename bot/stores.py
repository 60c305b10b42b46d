"""A tracker store that masks personal data before anything is stored or streamed.

Rasa keeps every user message, entity and slot value in its tracker store and publishes them to the
event broker. ID numbers, phone numbers and one-time codes must never rest there in clear, so this
store wraps the real one (in-memory, SQL, Redis — chosen by `inner_type` in endpoints.yml) and hands
it a masked copy of the tracker. Within a turn, actions still see the raw values the citizen just
typed (Rasa saves only after the turn), which is exactly what a verification step needs.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from rasa.core.tracker_store import TrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.private_files import prepare_sql_store
from kernel.names import Entity, Slot
from kernel.privacy import mask_id, mask_phone, mask_text

CODE_SLOTS = {Slot.CP_CODE}
# Slot whose request means the next user message carries a one-time code.
CODE_REQUEST = Slot.CP_CODE
_CODE_RUN = re.compile(r"(?<![0-9０-９])[0-9０-９]{4,8}(?![0-9０-９])")
_ENTITY_MASKERS = {Entity.ID_NUMBER: mask_id, Entity.PHONE: mask_phone}


def mask_code_text(text: str) -> str:
    """A message answering the code prompt: hide every 4–8 digit run."""
    return _CODE_RUN.sub(lambda m: "*" * len(m.group(0)), text)


def _mask_parse_data(parse_data: dict[str, Any], code_turn: bool) -> dict[str, Any]:
    data = copy.deepcopy(parse_data)
    if isinstance(data.get("text"), str):
        data["text"] = mask_event_text(data["text"], code_turn)
    for entity in data.get("entities") or []:
        masker = _ENTITY_MASKERS.get(entity.get("entity"))
        if masker and isinstance(entity.get("value"), str):
            entity["value"] = masker(entity["value"])
        elif isinstance(entity.get("value"), str):
            entity["value"] = mask_text(entity["value"])
    return data


def mask_event_text(text: str, code_turn: bool) -> str:
    masked = mask_text(text)
    return mask_code_text(masked) if code_turn else masked


def _mask_slot_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in CODE_SLOTS and value != "verified":
        return "******"
    return mask_text(value)


def mask_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Masked copies of serialised events (pure: table-tested in tests/test_stores.py)."""
    masked: list[dict[str, Any]] = []
    requested: str | None = None
    for event in events:
        item = copy.deepcopy(event)
        kind = item.get("event")
        if kind == "slot":
            if item.get("name") == Slot.REQUESTED:
                requested = item.get("value")
            item["value"] = _mask_slot_value(str(item.get("name")), item.get("value"))
        elif kind == "user":
            code_turn = requested == CODE_REQUEST
            if isinstance(item.get("text"), str):
                item["text"] = mask_event_text(item["text"], code_turn)
            if isinstance(item.get("parse_data"), dict):
                item["parse_data"] = _mask_parse_data(item["parse_data"], code_turn)
        elif kind == "bot" and isinstance(item.get("text"), str):
            item["text"] = mask_text(item["text"])
        elif kind == "active_loop" and item.get("name") is None:
            requested = None
        masked.append(item)
    return masked


def masked_tracker(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    events = mask_events(e.as_dict() for e in tracker.events)
    return DialogueStateTracker.from_dict(tracker.sender_id, events, domain.slots)


class MaskingTrackerStore(TrackerStore):
    """Delegates to an inner store; `save` stores (and streams) only the masked tracker."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: Any = None,
        inner_type: str = "in_memory",
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker)
        prepare_sql_store(inner_type, kwargs)  # the embedded SQLite file: 0600 (bot/private_files.py)
        inner_config = (
            EndpointConfig(url=host, type=inner_type, **kwargs) if inner_type != "in_memory" else None
        )
        self.inner = create_tracker_store(inner_config, domain, event_broker)

    @property
    def domain(self) -> Domain:
        return self.inner.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self.inner.domain = domain or Domain.empty()
        self._domain = self.inner.domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.inner.save(masked_tracker(tracker, self.domain))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await self.inner.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self.inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self.inner.keys()

    async def exists(self, conversation_id: str) -> bool:
        return await self.inner.exists(conversation_id)
