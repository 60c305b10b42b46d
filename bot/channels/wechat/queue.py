"""The durable queue of accepted WeChat turns: nothing WeChat was told "success" for is lost in a crash.

A callback is written here before WeChat gets its answer (passive reply or "success"); the entry is
acknowledged only once its answer went out. Each entry belongs to one consumer (a Rasa process), which
keeps it alive with heartbeats (`touch`); an entry whose owner stopped beating for `min_idle` seconds
is taken over by another worker (`reclaim`), which finds the answer already recorded or runs the turn
again. Per entry the queue also records the answer (`record_answer`) and how many of its parts have
been sent (`record_sent`), so a worker that takes over resends at most the part that was in flight
when the previous owner died (WeChat's customer-service API has no idempotency key).

Two engines behind one interface (`TurnQueue`; `WeChatSettings.turn_queue()` picks one):

- `queue_redis.RedisTurnQueue` (REDIS_URL set, the production path): a Redis stream with a consumer group.
  XADD and the XREADGROUP that makes the new entry pending for its consumer run in one Lua script,
  so an entry is never "new" in the group and no other worker can read it while its own process
  answers; XAUTOCLAIM takes over entries whose owner went quiet; XACK + XDEL end them. Per-entry
  state (answer, parts sent, attempts) is a hash beside the stream, keyed by the message's
  de-duplication key.
- `queue_sqlite.SqliteTurnQueue` (the embedded default): one table in `var/wechat_turns.db` (0600, WAL,
  synchronous=FULL, so an accepted turn is on disk before WeChat hears anything). One file per
  host; the owner and the time of its last heartbeat play the part of the consumer group.

The queue holds the citizen's text unmasked until the turn is answered, because the turn needs it;
`ack` removes the text and the answer and keeps only the key (a tombstone for a day), so a WeChat
retry after a restart is still recognised.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

TOMBSTONE_SECONDS = 24 * 3600
STATE_TTL = 2 * 24 * 3600  # an unanswered entry's state outlives any reasonable outage


@dataclass(frozen=True)
class Turn:
    """What the bot needs to answer one accepted WeChat message, and where the answer goes."""

    key: str  # the de-duplication key (MsgId, or FromUserName + CreateTime for events)
    openid: str
    text: str  # what the bot gets (numbered choices already resolved)
    message_id: str  # the Rasa message id: finds the turn in the tracker after a crash
    metadata: dict[str, Any]
    grant: str | None = None  # the customer-service window this message opened (window.py)
    grant_id: str = ""
    accepted_at: float = 0.0

    def dumps(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def loads(cls, raw: str) -> Turn:
        return cls(**json.loads(raw))


@dataclass(frozen=True)
class Entry:
    """One queued turn as its current owner sees it."""

    id: str
    turn: Turn
    answer: list[str] | None = None  # the rendered parts, once the bot has answered
    sent: int = 0  # parts that went out (passive reply, customer-service message or SMS)
    attempts: int = 1  # how many workers have held it (1: the process that accepted it)


class TurnQueue(Protocol):
    """Accepted turns, owned by one consumer at a time, until acknowledged."""

    consumer: str

    def put(self, turn: Turn) -> Entry | None:
        """Queue a turn owned by this consumer; None if one with the same key is known already."""
        ...

    def find(self, key: str) -> Entry | None:
        """The unacknowledged entry for a key (None: unknown or already answered)."""
        ...

    def take(self, entry: Entry, min_idle: float) -> Entry | None:
        """Own `entry` now if its owner has not beaten for `min_idle` seconds (None: it is alive)."""
        ...

    def reclaim(self, min_idle: float, count: int = 10) -> list[Entry]:
        """Take over up to `count` entries whose owners have been quiet for `min_idle` seconds."""
        ...

    def touch(self, entries: Iterable[Entry]) -> None:
        """Heartbeat: these entries, still owned by this consumer, are being worked on."""
        ...

    def record_answer(self, entry: Entry, pieces: list[str]) -> Entry: ...

    def record_sent(self, entry: Entry, sent: int) -> None: ...

    def ack(self, entry: Entry) -> None:
        """The answer went out (or was given up on): forget the text, keep a tombstone."""
        ...


def new_consumer_name() -> str:
    """Unique per process start: a restarted process is a new consumer, its old entries orphans."""
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
