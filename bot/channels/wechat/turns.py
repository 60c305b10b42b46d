"""The worker that answers queued WeChat turns (queue.py) and takes over those of a stopped process.

It runs in the Rasa process, started with the channel: one task beats (marks this process alive in the
KV store and touches the entries it is working on), another reclaims entries whose owner went quiet for
`idle` seconds and answers them through the customer-service API (else SMS, as every late answer).

A reclaimed entry whose answer was recorded is only sent (from the first part not yet sent); one
without an answer is looked up in the tracker first (the dead process may have finished the turn and
saved it, just not recorded the answer: the bot's messages after the user message with this message id
are the answer), and run again only when the tracker does not have it. An entry that has been taken
over `max_attempts` times (a message that brings its process down every time) is given up, with a
`WECHAT_TURN_ABANDONED` log line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, UserUttered

from bot.channels.common import NO_REPLY_FALLBACK, mask_conversation
from bot.channels.wechat.queue import Entry, Turn, TurnQueue
from kernel.kv import KV

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]
TrackerStoreOf = Callable[[], Any]

MAX_ATTEMPTS = 5


def alive_key(consumer: str) -> str:
    return f"wechat:alive:{consumer}"


async def run_turn(handler: Handler, turn: Turn, channel: str = "wechat") -> list[dict]:
    """The bot's turn for a queued message; a failure becomes an apology rather than silence."""
    collector = CollectingOutputChannel()
    message = UserMessage(
        turn.text,
        collector,
        turn.openid,
        input_channel=channel,
        message_id=turn.message_id,
        metadata=turn.metadata,
    )
    try:
        await handler(message)
    except Exception:
        logger.exception("wechat: the bot failed on a message from %s", mask_conversation(turn.openid))
        return [*collector.messages, {"text": NO_REPLY_FALLBACK}]
    return collector.messages


async def answer_in_tracker(store: Any, turn: Turn) -> list[dict] | None:
    """The bot messages that followed this turn's user message in the stored conversation, or None if
    the conversation does not have it (the turn never finished, so it must run again)."""
    if store is None:
        return None
    try:
        tracker = await store.retrieve(turn.openid)
    except Exception:
        logger.warning("wechat: could not read the conversation of %s", mask_conversation(turn.openid))
        return None
    found, messages = False, []
    for event in getattr(tracker, "events", None) or []:
        if isinstance(event, UserUttered):
            if found:
                break
            found = event.message_id == turn.message_id
        elif found and isinstance(event, BotUttered):
            data = {key: value for key, value in (event.data or {}).items() if value}
            messages.append({"text": event.text, **data})
    return messages if found else None


class TurnWorker:
    """Answers this process's queued turns and takes over the orphans of others."""

    def __init__(
        self,
        queue: TurnQueue,
        kv: KV,
        pieces: Callable[[str, list[dict]], list[str]],
        deliver: Callable[[Entry], None],
        idle: float = 10.0,
        max_attempts: int = MAX_ATTEMPTS,
        concurrency: int = 4,
    ) -> None:
        self.queue = queue
        self._kv = kv
        self._pieces = pieces  # render + split (blocking: remembers the numbered buttons)
        self._deliver = deliver  # send from entry.sent on, recording progress, then ack (blocking)
        self.idle = idle
        self.heartbeat = max(0.2, min(1.0, idle / 5))
        self._max_attempts = max_attempts
        self._concurrency = concurrency
        self._held: dict[str, Entry] = {}
        self._tasks: set[asyncio.Future] = set()
        self._loops: list[asyncio.Task] = []
        self._tracker_store: TrackerStoreOf = lambda: None

    @property
    def consumer(self) -> str:
        return self.queue.consumer

    def is_alive(self, consumer: str) -> bool:
        """Whether `consumer` (a process) has beaten within the last few heartbeats."""
        return consumer == self.consumer or self._kv.get(alive_key(consumer)) is not None

    def hold(self, entry: Entry) -> None:
        self._held[entry.id] = entry

    def release(self, entry: Entry) -> None:
        self._held.pop(entry.id, None)

    # ---- answering one entry -----------------------------------------------------------------------

    async def answer_of(self, entry: Entry, handler: Handler) -> Entry:
        """The entry with its answer recorded: the one on record, the tracker's, or a new turn's."""
        if entry.answer is not None:
            return entry
        messages = None
        if entry.attempts > 1:
            messages = await answer_in_tracker(self._tracker_store(), entry.turn)
            if messages is not None:
                logger.info("wechat: turn %s was answered before its process stopped", entry.turn.key)
        if messages is None:
            messages = await run_turn(handler, entry.turn)
        pieces = await asyncio.to_thread(self._pieces, entry.turn.openid, messages)
        return await asyncio.to_thread(self.queue.record_answer, entry, pieces)

    async def finish(self, entry: Entry) -> None:
        """Send what is left of the answer and acknowledge the entry."""
        try:
            await asyncio.to_thread(self._deliver, entry)
        finally:
            self.release(entry)

    async def recover(self, entry: Entry, handler: Handler) -> None:
        """Answer an entry taken over from a stopped process (or give it up after too many tries)."""
        who = mask_conversation(entry.turn.openid)
        if entry.attempts > self._max_attempts:
            logger.error(
                "WECHAT_TURN_ABANDONED key=%s user=%s attempts=%d", entry.turn.key, who, entry.attempts
            )
            await asyncio.to_thread(self.queue.ack, entry)
            return
        logger.info("wechat: taking over turn %s of %s (attempt %d)", entry.turn.key, who, entry.attempts)
        self.hold(entry)
        try:
            answered = await self.answer_of(entry, handler)
        except Exception:
            self.release(entry)  # left pending: the next reclaim tries again
            raise
        await self.finish(answered)

    # ---- the loops ---------------------------------------------------------------------------------

    async def start(self, handler: Handler, tracker_store: TrackerStoreOf | None = None) -> None:
        """Start beating and reclaiming on the running loop (idempotent)."""
        if tracker_store is not None:
            self._tracker_store = tracker_store
        if self._loops:
            return
        self._loops = [asyncio.ensure_future(asyncio.sleep(0))]  # taken: a second start returns here
        await asyncio.to_thread(self._beat)  # alive before the first callback is taken
        self._loops = [
            asyncio.ensure_future(self._every(self._beat)),
            asyncio.ensure_future(self._reclaim_loop(handler)),
        ]

    async def stop(self) -> None:
        for task in self._loops:
            task.cancel()
        for task in self._loops:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._loops = []

    async def drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _beat(self) -> None:
        self._kv.set(alive_key(self.consumer), "1", ttl=3 * self.heartbeat)
        self.queue.touch(list(self._held.values()))

    async def _every(self, step: Callable[[], None]) -> None:
        while True:
            try:
                await asyncio.to_thread(step)
            except Exception:
                logger.exception("WECHAT_QUEUE_UNAVAILABLE step=heartbeat")
            await asyncio.sleep(self.heartbeat)

    async def _reclaim_loop(self, handler: Handler) -> None:
        while True:
            try:
                room = self._concurrency - len(self._tasks)
                for entry in await asyncio.to_thread(self.queue.reclaim, self.idle, room):
                    task = asyncio.ensure_future(self.recover(entry, handler))
                    self._tasks.add(task)
                    task.add_done_callback(self._done)
            except Exception:
                logger.exception("WECHAT_QUEUE_UNAVAILABLE step=reclaim")
            await asyncio.sleep(self.heartbeat)

    def _done(self, task: asyncio.Future) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("wechat: a taken-over turn failed", exc_info=task.exception())
