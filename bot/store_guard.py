"""No silent fall-back to memory when the tracker store fails: the citizen is told, nothing is reset.

Rasa's Agent wraps every tracker store in `FailSafeTrackerStore`: when PostgreSQL (or the SQLite file)
cannot be read it logs an error and answers from an empty in-memory tracker, so the conversation is
silently reset, and what is said meanwhile is saved only in memory and lost. `install()` replaces that
wrapper, in the Rasa process, with `GuardedTrackerStore`:

- a failed read (retried once) raises `TrackerStoreUnavailable`; `MessageProcessor.handle_message` is wrapped so that
  the turn is refused with `utter_store_unavailable` (a short Chinese message naming 12368) sent through
  the citizen's own channel, and nothing of the turn is stored, so nothing is lost either: the citizen
  sends the message again after recovery and the conversation continues where it was;
- a failed write is retried (SAVE_RETRIES, with backoff within about 1.5 s, a connection blip); when it
  still fails, the turn's new events are counted as lost, logged, and the citizen is told to resend;
- every failure logs one line starting with TRACKER_STORE_UNAVAILABLE (op, reason, events_lost) for the
  operator's alerting.

The lock store is guarded the same way: when Redis cannot be reached, `Agent.handle_message` gets
`LockError` from bot/lockstore.py and the turn is refused with the same message (op=lock).

The store recovers by itself: SQLAlchemy's pool reconnects on the next call once the database is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from bot.channels.common import mask_conversation
from kernel.names import Response

logger = logging.getLogger(__name__)

ALERT = "TRACKER_STORE_UNAVAILABLE"
RESPONSE = Response.STORE_UNAVAILABLE
FALLBACK_TEXT = "抱歉，系统暂时无法记录对话，您刚才的消息没有办理。请过一会儿再发一次；着急的话请拨打 12368 诉讼服务热线。"
SAVE_RETRIES = (0.2, 0.5, 0.8)  # seconds before each retry of a failed save
READ_RETRY = 0.1  # seconds before the one retry of a failed read


class TrackerStoreUnavailable(Exception):
    """The conversation could not be read or written; the turn must be refused, not run on a blank."""

    def __init__(self, op: str, reason: str, events_lost: int = 0) -> None:
        super().__init__(f"tracker store {op} failed: {reason}")
        self.op, self.reason, self.events_lost = op, reason, events_lost


def _reason(exc: BaseException) -> str:
    return type(exc).__name__


def _store_base() -> type:
    from rasa.core.tracker_store import TrackerStore

    return TrackerStore


class GuardedTrackerStore(_store_base()):  # type: ignore[misc]
    """Delegates to the real store; raises TrackerStoreUnavailable instead of falling back to memory."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.event_broker = getattr(inner, "event_broker", None)
        self.max_event_history = getattr(inner, "max_event_history", None)

    @property
    def domain(self) -> Any:
        return self.inner.domain

    @domain.setter
    def domain(self, domain: Any) -> None:
        self.inner.domain = domain

    async def retrieve(self, sender_id: str) -> Any:
        return await self._call("retrieve", self.inner.retrieve, sender_id)

    async def create_tracker(self, sender_id: str, append_action_listen: bool = True) -> Any:
        """The inner store's own (the masking store stores a new tracker with its first turn)."""
        return await self.inner.create_tracker(sender_id, append_action_listen)

    async def retrieve_full_tracker(self, conversation_id: str) -> Any:
        return await self._call("retrieve", self.inner.retrieve_full_tracker, conversation_id)

    async def keys(self) -> Iterable[str]:
        return await self._call("keys", self.inner.keys)

    async def exists(self, conversation_id: str) -> bool:
        return await self._call("exists", self.inner.exists, conversation_id)

    async def save(self, tracker: Any) -> None:
        for attempt, pause in enumerate((*SAVE_RETRIES, None)):
            try:
                await self.inner.save(tracker)
                return
            except Exception as exc:  # noqa: BLE001 - any engine's error: connection, timeout, disk
                if pause is None:
                    lost = _new_events(tracker)
                    logger.error(
                        "%s op=save conversation=%s reason=%s attempts=%d events_lost=%d",
                        ALERT,
                        mask_conversation(tracker.sender_id),
                        _reason(exc),
                        attempt + 1,
                        lost,
                    )
                    raise TrackerStoreUnavailable("save", _reason(exc), lost) from exc
                await asyncio.sleep(pause)

    async def _call(self, op: str, method: Any, *args: Any) -> Any:
        """One retry: after an outage the pool's first, stale connection fails once and is replaced."""
        try:
            return await method(*args)
        except Exception:  # noqa: BLE001
            await asyncio.sleep(READ_RETRY)
        try:
            return await method(*args)
        except Exception as exc:  # noqa: BLE001
            logger.error("%s op=%s reason=%s", ALERT, op, _reason(exc))
            raise TrackerStoreUnavailable(op, _reason(exc)) from exc


def _new_events(tracker: Any) -> int:
    """Events of this turn: those after the last user message's predecessor that the store never got."""
    events = list(tracker.events)
    for index in range(len(events) - 1, -1, -1):
        if getattr(events[index], "type_name", "") == "user":
            return len(events) - index
    return len(events)


async def refuse_turn(message: Any, error: TrackerStoreUnavailable, nlg: Any = None) -> None:
    """Tell the citizen in their own channel that the message was not handled and to send it again."""
    text = FALLBACK_TEXT
    if nlg is not None:
        try:
            from rasa.shared.core.trackers import DialogueStateTracker

            draft = await nlg.generate(
                RESPONSE, DialogueStateTracker(message.sender_id, []), message.output_channel.name()
            )
            text = (draft or {}).get("text") or FALLBACK_TEXT
        except Exception:  # noqa: BLE001 - the answer must go out even if the NLG cannot make it
            text = FALLBACK_TEXT
    logger.error(
        "%s op=%s conversation=%s refused turn, events_lost=%d",
        ALERT,
        error.op,
        mask_conversation(message.sender_id or ""),
        error.events_lost,
    )
    await message.output_channel.send_text_message(message.sender_id, text)


def guarded_handle_message(original: Any) -> Any:
    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original(self, message)
        except TrackerStoreUnavailable as error:
            await refuse_turn(message, error, getattr(self, "nlg", None))
            output = message.output_channel
            return getattr(output, "messages", None)

    handle_message.__wrapped__ = original  # type: ignore[attr-defined]
    return handle_message


def guarded_agent_handle_message(original: Any) -> Any:
    """The lock store (Redis) unreachable: the turn is refused with the same message, never run unlocked."""
    from rasa.core.lock_store import LockError

    async def handle_message(self: Any, message: Any) -> Any:
        try:
            return await original(self, message)
        except LockError as exc:
            error = TrackerStoreUnavailable("lock", _reason(exc.__cause__ or exc))
            await refuse_turn(message, error, getattr(getattr(self, "processor", None), "nlg", None))
            return getattr(message.output_channel, "messages", None)

    handle_message.__wrapped__ = original  # type: ignore[attr-defined]
    return handle_message


def _unwrapped_store(store: Any, domain: Any) -> Any:
    """Agent._create_tracker_store without FailSafeTrackerStore: the real store, guarded."""
    from rasa.core.tracker_store import InMemoryTrackerStore

    inner = store if store is not None else InMemoryTrackerStore(domain)
    inner.domain = domain
    return GuardedTrackerStore(inner)


def install() -> None:
    """Once per Rasa process (bot/cli.py): the Agent keeps no fail-safe; the processor refuses turns."""
    from rasa.core.agent import Agent
    from rasa.core.processor import MessageProcessor

    Agent._create_tracker_store = staticmethod(_unwrapped_store)
    current = MessageProcessor.handle_message
    original = getattr(current, "__wrapped__", current)
    MessageProcessor.handle_message = guarded_handle_message(original)
    current = Agent.handle_message
    Agent.handle_message = guarded_agent_handle_message(getattr(current, "__wrapped__", current))
