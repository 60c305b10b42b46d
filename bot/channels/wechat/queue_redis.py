"""The turn queue on a Redis stream with a consumer group: the production path (see queue.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import replace

from bot.channels.wechat.queue import STATE_TTL, TOMBSTONE_SECONDS, Entry, Turn, new_consumer_name

PRUNE_EVERY = 3600.0  # how often a worker forgets consumers of past process starts
CONSUMER_IDLE = 24 * 3600.0

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
        self._pruned_at = 0.0
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
            entry = self._entry(entry_id, fields)
            if entry is None:  # answered meanwhile, or its state expired: nothing left to do
                self._redis.xack(self._stream, self._group, entry_id)
                self._redis.xdel(self._stream, entry_id)
                continue
            attempts = self._redis.hincrby(self._state(entry.turn.key), "attempts", 1)
            entries.append(replace(entry, attempts=int(attempts)))
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
        if time.monotonic() - self._pruned_at > PRUNE_EVERY:
            self.prune_consumers()
        return self._claimed(result[1])

    def prune_consumers(self, idle: float = CONSUMER_IDLE) -> list[str]:
        """Forget consumers (past process starts) that hold nothing and were quiet for `idle` seconds:
        every start adds one, and the group would otherwise list every process that ever ran."""
        self._pruned_at = time.monotonic()
        gone = []
        for item in self._redis.xinfo_consumers(self._stream, self._group):
            name = item["name"]
            if name != self.consumer and int(item["pending"]) == 0 and int(item["idle"]) >= idle * 1000:
                self._redis.xgroup_delconsumer(self._stream, self._group, name)
                gone.append(name)
        return gone

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
