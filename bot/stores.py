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
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rasa.core.tracker_store import TrackerStore, create_tracker_store
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.private_files import prepare_sql_store
from bot.sql_store import CourtSQLTrackerStore
from kernel.names import Entity, Slot
from kernel.privacy import mask_id, mask_phone, mask_text

CODE_SLOTS = {Slot.CP_CODE}
# Slot whose request means the next user message carries a one-time code.
CODE_REQUEST = Slot.CP_CODE
_CODE_RUN = re.compile(r"(?<![0-9０-９])[0-9０-９]{4,8}(?![0-9０-９])")
_ENTITY_MASKERS = {Entity.ID_NUMBER: mask_id, Entity.PHONE: mask_phone}
#: On a tracker this store read or created: how many of its events the inner store holds (bot/sql_store.py).
STORED = "_court_events_stored"


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
    return mask_events_from(events, None)[0]


def mask_events_from(
    events: Iterable[dict[str, Any]], requested: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Masked copies of events that follow a point where `requested` was the slot being asked, and the
    slot being asked after them: so a turn's new events can be masked without the ones before."""
    masked: list[dict[str, Any]] = []
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
    return masked, requested


def masked_tracker(tracker: DialogueStateTracker, domain: Domain) -> DialogueStateTracker:
    events = mask_events(e.as_dict() for e in tracker.events)
    return DialogueStateTracker.from_dict(tracker.sender_id, events, domain.slots)


def events_only_tracker(sender_id: str, events: list[Event], domain: Domain) -> DialogueStateTracker:
    """A tracker that holds `events` without replaying them: what the inner stores read of a tracker
    they save is its events (SQL appends the new ones, in-memory and Redis serialise the dialogue), and
    replaying every event on every save was most of a save's time in a long conversation."""
    tracker = DialogueStateTracker(sender_id, domain.slots)
    tracker.events.extend(events)
    return tracker


@dataclass
class _Masked:
    """The masked form of a conversation's first `count` events, as last saved by this process."""

    count: int
    last_timestamp: float
    requested: str | None
    events: list[Event]


class MaskCache:
    """Per conversation, the events already masked, so a save masks only the turn's new events.

    Used only while the tracker still starts with exactly those events (same count and the same timestamp
    at the end of them); anything else (another replica saved in between, a new session) masks it all."""

    def __init__(self, size: int = 2000) -> None:
        self._items: OrderedDict[str, _Masked] = OrderedDict()
        self._size = size

    def masked(self, tracker: DialogueStateTracker) -> list[Event]:
        events = list(tracker.events)
        known = self._items.get(tracker.sender_id)
        if (
            known
            and 0 < known.count <= len(events)
            and events[known.count - 1].timestamp == known.last_timestamp
        ):
            start, prefix, requested = known.count, known.events, known.requested
        else:
            start, prefix, requested = 0, [], None
        new, requested = mask_events_from((e.as_dict() for e in events[start:]), requested)
        masked = [*prefix, *(Event.from_parameters(item) for item in new)]
        if events:
            self._items[tracker.sender_id] = _Masked(len(events), events[-1].timestamp, requested, masked)
            self._items.move_to_end(tracker.sender_id)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return masked


def tune_sqlite(store: Any) -> None:
    """The embedded SQLite store with pooled connections, in WAL mode with `synchronous=NORMAL`.

    Pooled: SQLAlchemy 1.4 gives a SQLite file `NullPool`, so every fetch and every save opened a new
    connection, set its pragmas and closed it again (about 16 % of the Rasa server's event loop under 16
    concurrent conversations, docs/benchmarks.md). A pool keeps a few open (SQLAlchemy 2.0's default for
    files); the store is used from the event loop's thread, one session at a time per connection.
    WAL and `synchronous=NORMAL`: a save no longer waits for two fsyncs. A crash of any process loses
    nothing committed; only a power cut can lose the last commits, which the embedded default accepts
    (the production path is PostgreSQL)."""
    import sqlalchemy
    from sqlalchemy import event
    from sqlalchemy.orm import sessionmaker
    from sqlalchemy.pool import QueuePool

    def on_connect(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    old = store.engine
    if old.url.database in (None, "", ":memory:"):  # an in-memory database lives in one connection
        event.listen(old, "connect", on_connect)
        return
    engine = sqlalchemy.create_engine(
        old.url,
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", on_connect)
    store.engine = engine
    store.sessionmaker = sessionmaker(bind=engine)
    old.dispose()


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
        self.inner = _inner_store(inner_config, domain, event_broker)
        self._cache = MaskCache()
        engine = getattr(self.inner, "engine", None)
        if engine is not None and engine.dialect.name == "sqlite":
            tune_sqlite(self.inner)

    @property
    def domain(self) -> Domain:
        return self.inner.domain

    @domain.setter
    def domain(self, domain: Domain | None) -> None:
        self.inner.domain = domain or Domain.empty()
        self._domain = self.inner.domain

    async def save(self, tracker: DialogueStateTracker) -> None:
        masked = events_only_tracker(tracker.sender_id, self._cache.masked(tracker), self.domain)
        stored = getattr(tracker, STORED, None)
        if stored is not None and isinstance(self.inner, CourtSQLTrackerStore):
            await self.inner.save_from(masked, stored)
        else:
            await self.inner.save(masked)
        _mark(tracker)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = await self.inner.retrieve(sender_id)
        if tracker is not None:
            _mark(tracker)  # read under the conversation's lock: all of these events are stored
        return tracker

    async def create_tracker(self, sender_id: str, append_action_listen: bool = True) -> DialogueStateTracker:
        """A new conversation's tracker, not saved yet: the turn's own save stores it with the turn
        (Rasa's default saved the lone action_listen first, a second write per new conversation)."""
        tracker = self.init_tracker(sender_id)
        if append_action_listen:
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
        setattr(tracker, STORED, 0)
        return tracker

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await self.inner.retrieve_full_tracker(conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self.inner.keys()

    async def exists(self, conversation_id: str) -> bool:
        return await self.inner.exists(conversation_id)


def _mark(tracker: DialogueStateTracker) -> None:
    """Remember on the tracker that all its events are stored; not for a capped tracker (max_event_history),
    whose length is not the number stored."""
    if tracker.events.maxlen is None:
        setattr(tracker, STORED, len(tracker.events))


def _inner_store(config: EndpointConfig | None, domain: Domain | None, event_broker: Any) -> TrackerStore:
    """The configured store; SQL as CourtSQLTrackerStore (Rasa's, without the count per save)."""
    if config is not None and (config.type or "").lower() == "sql":
        return CourtSQLTrackerStore(
            domain=domain, host=config.url, event_broker=event_broker, **config.kwargs
        )
    return create_tracker_store(config, domain, event_broker)
