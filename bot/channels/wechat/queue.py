"""The durable queue of accepted WeChat turns: nothing WeChat was told "success" for is lost in a crash.

A callback is written here before WeChat gets its answer (passive reply or "success"); the entry is
acknowledged only once its answer went out. Each entry belongs to one consumer (a Rasa process), which
keeps it alive with heartbeats (`touch`); an entry whose owner stopped beating for `min_idle` seconds
is taken over by another worker (`reclaim`), which finds the answer already recorded or runs the turn
again. Per entry the queue also records the answer (`record_answer`) and how many of its parts have
been sent (`record_sent`), so a worker that takes over resends at most the part that was in flight
when the previous owner died (WeChat's customer-service API has no idempotency key).

Two engines behind one interface (`TurnQueue`):

- `RedisTurnQueue` (REDIS_URL set, the production path): a Redis stream with a consumer group.
  XADD and the XREADGROUP that makes the new entry pending for its consumer run in one Lua script,
  so an entry is never "new" in the group and no other worker can read it while its own process
  answers; XAUTOCLAIM takes over entries whose owner went quiet; XACK + XDEL end them. Per-entry
  state (answer, parts sent, attempts) is a hash beside the stream, keyed by the message's
  de-duplication key.
- `SqliteTurnQueue` (the embedded default): one table in `var/wechat_turns.db` (0600, WAL,
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
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
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


# ---- Redis ----------------------------------------------------------------------------------------

# KEYS: stream, state hash. ARGV: turn key, turn json, group, consumer, state ttl.
# The read after XADD delivers every undelivered entry up to ours (only ours, as every entry is added
# by this script) to this consumer, so it is pending for its owner from its first instant.
_PUT = """
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
local id = redis.call('XADD', KEYS[1], '*', 'key', ARGV[1], 'turn', ARGV[2])
redis.call('XREADGROUP', 'GROUP', ARGV[3], ARGV[4], 'COUNT', 1000, 'STREAMS', KEYS[1], '>')
redis.call('HSET', KEYS[2], 'id', id, 'sent', 0, 'attempts', 1, 'done', 0)
redis.call('EXPIRE', KEYS[2], ARGV[5])
return id
"""


class RedisTurnQueue:
    """The queue as a Redis stream with a consumer group (the production path)."""

    def __init__(
        self, url: str, prefix: str = "court:wechat:", group: str = "wechat-workers", consumer: str = ""
    ) -> None:
        import redis  # imported here: no I/O at module import time

        self._redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=3)
        self._stream = prefix + "turns"
        self._state_prefix = prefix + "turn:"
        self._group = group
        self.consumer = consumer or new_consumer_name()
        self._put = self._redis.register_script(_PUT)
        try:
            self._redis.xgroup_create(self._stream, group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def _state(self, key: str) -> str:
        return self._state_prefix + key

    def put(self, turn: Turn) -> Entry | None:
        keys = [self._stream, self._state(turn.key)]
        args = [turn.key, turn.dumps(), self._group, self.consumer, STATE_TTL]
        entry_id = self._put(keys=keys, args=args)
        return Entry(str(entry_id), turn) if entry_id else None

    def _entry(self, entry_id: str, fields: dict[str, str] | None) -> Entry | None:
        """The entry with its recorded state; None when the stream entry or its state is gone."""
        if not fields or "turn" not in fields:
            return None
        state = self._redis.hgetall(self._state(fields["key"]))
        if not state or state.get("done") == "1":
            return None
        answer = json.loads(state["answer"]) if state.get("answer") else None
        turn = Turn.loads(fields["turn"])
        return Entry(entry_id, turn, answer, int(state.get("sent", 0)), int(state.get("attempts", 1)))

    def find(self, key: str) -> Entry | None:
        entry_id = self._redis.hget(self._state(key), "id")
        if not entry_id:
            return None
        found = self._redis.xrange(self._stream, entry_id, entry_id)
        return self._entry(entry_id, found[0][1]) if found else None

    def _claimed(self, claimed: list) -> list[Entry]:
        entries = []
        for entry_id, fields in claimed:
            if fields and "key" in fields:
                self._redis.hincrby(self._state(fields["key"]), "attempts", 1)
            entry = self._entry(entry_id, fields)
            if entry is None:  # answered meanwhile, or its state expired: nothing left to do
                self._redis.xack(self._stream, self._group, entry_id)
                self._redis.xdel(self._stream, entry_id)
            else:
                entries.append(entry)
        return entries

    def take(self, entry: Entry, min_idle: float) -> Entry | None:
        claimed = self._redis.xclaim(
            self._stream, self._group, self.consumer, int(min_idle * 1000), [entry.id]
        )
        found = self._claimed(claimed)
        return found[0] if found else None

    def reclaim(self, min_idle: float, count: int = 10) -> list[Entry]:
        if count <= 0:
            return []
        result = self._redis.xautoclaim(
            self._stream, self._group, self.consumer, int(min_idle * 1000), "0-0", count=count
        )
        return self._claimed(result[1])

    def touch(self, entries: Iterable[Entry]) -> None:
        wanted = {entry.id for entry in entries}
        if not wanted:
            return
        pending = self._redis.xpending_range(
            self._stream, self._group, "-", "+", 1000, consumername=self.consumer
        )
        mine = [item["message_id"] for item in pending if item["message_id"] in wanted]
        if mine:  # only entries still ours: a worker that took one over keeps it
            self._redis.xclaim(self._stream, self._group, self.consumer, 0, mine, justid=True)

    def record_answer(self, entry: Entry, pieces: list[str]) -> Entry:
        self._redis.hset(
            self._state(entry.turn.key), mapping={"answer": json.dumps(pieces, ensure_ascii=False)}
        )
        return replace(entry, answer=list(pieces))

    def record_sent(self, entry: Entry, sent: int) -> None:
        self._redis.hset(self._state(entry.turn.key), "sent", sent)

    def ack(self, entry: Entry) -> None:
        state = self._state(entry.turn.key)
        pipe = self._redis.pipeline()
        pipe.hset(state, "done", 1)
        pipe.hdel(state, "answer")
        pipe.expire(state, TOMBSTONE_SECONDS)
        pipe.xack(self._stream, self._group, entry.id)
        pipe.xdel(self._stream, entry.id)
        pipe.execute()


# ---- SQLite ---------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    turn TEXT,
    owner TEXT NOT NULL,
    touched REAL NOT NULL,
    answer TEXT,
    sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 1,
    done INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
)
"""
_COLUMNS = "id, turn, answer, sent, attempts"


class SqliteTurnQueue:
    """The queue as one SQLite table (the embedded default: one host, usually one Rasa process)."""

    def __init__(self, path: str | Path, consumer: str = "", clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)  # the citizen's text lies here until it is answered
        self.consumer = consumer or new_consumer_name()
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        with self._lock:
            self._db.execute(
                "DELETE FROM turns WHERE done = 1 AND created < ?", (self._clock() - TOMBSTONE_SECONDS,)
            )

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        """One statement in its own transaction (serialised: the connection is shared by threads)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rows = self._db.execute(sql, params).fetchall()
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return rows

    @staticmethod
    def _entry(row: tuple) -> Entry:
        entry_id, turn, answer, sent, attempts = row
        return Entry(str(entry_id), Turn.loads(turn), json.loads(answer) if answer else None, sent, attempts)

    def put(self, turn: Turn) -> Entry | None:
        now = self._clock()
        rows = self._run(
            "INSERT INTO turns (key, turn, owner, touched, created) VALUES (?, ?, ?, ?, ?) "
            f"ON CONFLICT (key) DO NOTHING RETURNING {_COLUMNS}",
            (turn.key, turn.dumps(), self.consumer, now, now),
        )
        return self._entry(rows[0]) if rows else None

    def find(self, key: str) -> Entry | None:
        rows = self._run(f"SELECT {_COLUMNS} FROM turns WHERE key = ? AND done = 0", (key,))
        return self._entry(rows[0]) if rows else None

    def take(self, entry: Entry, min_idle: float) -> Entry | None:
        now = self._clock()
        rows = self._run(
            "UPDATE turns SET owner = ?, touched = ?, attempts = attempts + 1 "
            f"WHERE id = ? AND done = 0 AND touched <= ? RETURNING {_COLUMNS}",
            (self.consumer, now, int(entry.id), now - min_idle),
        )
        return self._entry(rows[0]) if rows else None

    def reclaim(self, min_idle: float, count: int = 10) -> list[Entry]:
        if count <= 0:
            return []
        now = self._clock()
        rows = self._run(
            "UPDATE turns SET owner = ?, touched = ?, attempts = attempts + 1 WHERE id IN "
            "(SELECT id FROM turns WHERE done = 0 AND touched <= ? ORDER BY id LIMIT ?) "
            f"RETURNING {_COLUMNS}",
            (self.consumer, now, now - min_idle, count),
        )
        return sorted((self._entry(row) for row in rows), key=lambda e: int(e.id))

    def touch(self, entries: Iterable[Entry]) -> None:
        ids = [int(entry.id) for entry in entries]
        if ids:
            marks = ",".join("?" * len(ids))
            self._run(
                f"UPDATE turns SET touched = ? WHERE owner = ? AND done = 0 AND id IN ({marks})",
                (self._clock(), self.consumer, *ids),
            )

    def record_answer(self, entry: Entry, pieces: list[str]) -> Entry:
        self._run(
            "UPDATE turns SET answer = ? WHERE id = ?",
            (json.dumps(pieces, ensure_ascii=False), int(entry.id)),
        )
        return replace(entry, answer=list(pieces))

    def record_sent(self, entry: Entry, sent: int) -> None:
        self._run("UPDATE turns SET sent = ? WHERE id = ?", (sent, int(entry.id)))

    def ack(self, entry: Entry) -> None:
        self._run("UPDATE turns SET done = 1, turn = NULL, answer = NULL WHERE id = ?", (int(entry.id),))

    def close(self) -> None:
        with self._lock:
            self._db.close()


def turn_queue(redis_url: str, sqlite_path: str | Path) -> TurnQueue:
    """Redis when REDIS_URL is set (every replica shares it), else the local SQLite file."""
    if redis_url.strip():
        return RedisTurnQueue(redis_url.strip())
    return SqliteTurnQueue(sqlite_path)
