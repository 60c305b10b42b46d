"""bot/store_guard.py: a failing tracker store makes the turn refused, never answered from a blank.

A store that fails for real (an unreachable database port) and one that fails a given number of times,
behind the guard that replaces Rasa's FailSafeTrackerStore.
"""

from __future__ import annotations

import logging

import pytest
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import store_guard
from bot.store_guard import ALERT, GuardedTrackerStore, TrackerStoreUnavailable
from tests.stack import free_port

DOMAIN = Domain.empty()


class Flaky(InMemoryTrackerStore):
    """Fails the first `failures` calls of every method, then works."""

    def __init__(self, failures: int) -> None:
        super().__init__(DOMAIN)
        self.failures = failures

    def _maybe_fail(self) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("database went away")

    async def save(self, tracker):
        self._maybe_fail()
        await super().save(tracker)

    async def retrieve(self, sender_id):
        self._maybe_fail()
        return await super().retrieve(sender_id)


def a_tracker() -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "citizen-1", [UserUttered("查案件进度", message_id="m1"), SlotSet("requested_slot", "cp_case_number")]
    )


async def test_an_unreachable_database_raises_instead_of_answering_from_memory(caplog):
    store = SQLTrackerStore(DOMAIN, dialect="postgresql", host="127.0.0.1", port=free_port(), db="test")
    guarded = GuardedTrackerStore(store)
    with caplog.at_level(logging.ERROR, logger="bot.store_guard"), pytest.raises(TrackerStoreUnavailable):
        await guarded.retrieve("citizen-1")
    with pytest.raises(TrackerStoreUnavailable) as lost:
        await guarded.save(a_tracker())
    assert lost.value.events_lost == 2
    assert any(r.getMessage().startswith(ALERT) for r in caplog.records)


async def test_a_blip_is_retried_and_nothing_is_lost():
    inner = Flaky(failures=2)
    guarded = GuardedTrackerStore(inner)
    await guarded.save(a_tracker())  # two failures, then the third try stores it
    inner.failures = 1
    tracker = await guarded.retrieve("citizen-1")  # one failure, then the retry reads it
    assert tracker is not None and tracker.get_slot("requested_slot") is None  # DOMAIN has no such slot
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["查案件进度"]


def test_the_agent_keeps_no_fail_safe(monkeypatch):
    monkeypatch.setattr(Agent, "_create_tracker_store", Agent._create_tracker_store)
    store_guard.install()
    store = Agent._create_tracker_store(InMemoryTrackerStore(DOMAIN), DOMAIN)
    assert isinstance(store, GuardedTrackerStore) and not isinstance(store, FailSafeTrackerStore)


async def test_a_refused_turn_is_answered_in_the_citizens_channel():
    from rasa.core.processor import MessageProcessor

    async def failing(self, message):
        raise TrackerStoreUnavailable("retrieve", "OperationalError")

    handle = store_guard.guarded_handle_message(failing)
    output = CollectingOutputChannel()
    answer = await handle(
        object.__new__(MessageProcessor), UserMessage("（2026）京0105民初8848号", output, "c-1")
    )
    assert [m["recipient_id"] for m in answer] == ["c-1"] and "12368" in answer[0]["text"]


async def test_an_unreachable_lock_store_refuses_the_turn_with_the_message():
    from rasa.core.lock_store import LockError

    async def locked_out(self, message):
        raise LockError("lock store unavailable for conversation 'c-2'") from ConnectionError("redis down")

    handle = store_guard.guarded_agent_handle_message(locked_out)
    output = CollectingOutputChannel()
    answer = await handle(object.__new__(Agent), UserMessage("你好", output, "c-2"))
    assert len(answer) == 1 and "12368" in answer[0]["text"]
