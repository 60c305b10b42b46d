"""Rasa's SQL tracker store without the per-save count query and the per-save re-read for the broker.

Rasa's `SQLTrackerStore.save` finds a turn's new events by counting the stored events of the conversation's
session (a query with a sub-query, built by the ORM on every save), and `stream_events` re-reads the whole
tracker from the database to diff it before publishing to the event broker. Profiled under 16 concurrent
conversations, the count alone was 12 % of the Rasa server's event-loop time (docs/benchmarks.md).

`MaskingTrackerStore` (bot/stores.py) knows how many events were stored: it read the tracker at the start
of the turn, under the conversation's lock, so nothing else wrote in between. It hands that number to
`save_from`, which inserts and publishes only what follows. A tracker it did not read itself (a copy, a
tracker from the HTTP API's replace call) goes through Rasa's own `save`, count and all.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY


class CourtSQLTrackerStore(SQLTrackerStore):
    """`save_from(tracker, stored)`: store and stream `tracker.events[stored:]`, no count, no re-read."""

    async def save_from(self, tracker: DialogueStateTracker, stored: int) -> None:
        new = list(itertools.islice(tracker.events, stored, None))
        if self.event_broker is not None:
            await self._stream_new_events(self.event_broker, new, tracker.sender_id)
        with self.session_scope() as session:
            for event in new:
                session.add(self._row(tracker.sender_id, event))
            session.commit()

    def _row(self, sender_id: str, event: Event) -> Any:
        """The row Rasa's own `save` writes for an event (same columns, same JSON)."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
