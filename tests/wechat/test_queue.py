"""The durable turn queue on both engines: SQLite (embedded default) and a Redis stream (production path,
the local Redis, a unique key prefix per test, removed afterwards). Each `make()` is another process."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from bot.channels.wechat.queue import Turn, TurnQueue
from bot.channels.wechat.queue_redis import RedisTurnQueue
from bot.channels.wechat.queue_sqlite import SqliteTurnQueue

IDLE = 0.3


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@dataclass
class Engine:
    make: Callable[[], TurnQueue]
    wait: Callable[[float], None]  # let `seconds` pass for the queue's idea of idle time


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def engine(request, tmp_path, redis_url) -> Iterator[Engine]:
    if request.param == "sqlite":
        clock = Clock()

        def advance(seconds: float) -> None:
            clock.now += seconds

        yield Engine(lambda: SqliteTurnQueue(tmp_path / "turns.db", clock=clock), advance)
        return
    import redis

    prefix = f"test:wechat-queue:{uuid.uuid4().hex}:"
    yield Engine(lambda: RedisTurnQueue(redis_url, prefix=prefix), time.sleep)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def turn(key: str = "msg-1", text: str = "我想查案件进度") -> Turn:
    return Turn(key=key, openid="oQueueUser0001", text=text, message_id=f"wechat-{key}", metadata={})


def test_an_accepted_turn_is_seen_by_another_process(engine):
    first, second = engine.make(), engine.make()
    entry = first.put(turn())
    assert entry is not None
    found = second.find("msg-1")
    assert found is not None and found.turn.text == "我想查案件进度" and found.answer is None


def test_a_second_put_of_the_same_message_is_refused_even_after_its_answer(engine):
    queue = engine.make()
    entry = queue.put(turn())
    assert queue.put(turn()) is None
    queue.ack(entry)
    assert queue.put(turn()) is None  # a WeChat retry after the answer is still a duplicate
    assert engine.make().find("msg-1") is None


def test_the_turn_of_a_stopped_process_is_reclaimed_after_the_idle_time_only(engine):
    dead, alive = engine.make(), engine.make()
    dead.put(turn())
    assert alive.reclaim(IDLE) == []  # its owner may still be answering
    engine.wait(IDLE + 0.2)
    [taken] = alive.reclaim(IDLE)
    assert taken.turn.key == "msg-1" and taken.attempts == 2
    assert engine.make().reclaim(IDLE) == []  # one owner at a time


def test_heartbeats_keep_a_slow_turn_with_its_owner(engine):
    owner, other = engine.make(), engine.make()
    entry = owner.put(turn())
    for _ in range(3):
        engine.wait(IDLE / 2)
        owner.touch([entry])
    assert other.reclaim(IDLE) == []
    assert other.take(entry, min_idle=IDLE) is None


def test_a_reclaimed_entry_keeps_its_answer_and_what_was_sent(engine):
    dead, alive = engine.make(), engine.make()
    entry = dead.put(turn())
    dead.record_answer(entry, ["第一段", "第二段"])
    dead.record_sent(entry, 1)
    engine.wait(IDLE + 0.2)
    [taken] = alive.reclaim(IDLE)
    assert taken.answer == ["第一段", "第二段"] and taken.sent == 1


def test_an_acknowledged_entry_is_never_handed_out_again_and_its_text_is_gone(engine, tmp_path):
    dead, alive = engine.make(), engine.make()
    entry = dead.put(turn(text="陈思远 11010519880615245X"))
    dead.record_answer(entry, ["验证码已发送"])
    dead.ack(entry)
    engine.wait(IDLE + 0.2)
    assert alive.reclaim(IDLE) == [] and alive.find("msg-1") is None
    if isinstance(dead, SqliteTurnQueue):  # neither in the file nor in its write-ahead log
        files = [p for p in tmp_path.iterdir() if p.name.startswith("turns.db")]
        assert files and all(b"11010519880615245X" not in p.read_bytes() for p in files)


def test_a_take_over_waits_until_the_owner_went_quiet(engine):
    owner, retry = engine.make(), engine.make()
    entry = owner.put(turn())
    assert retry.take(entry, min_idle=IDLE) is None
    engine.wait(IDLE + 0.2)
    taken = retry.take(entry, min_idle=IDLE)
    assert taken is not None and taken.attempts == 2
    for _ in range(3):  # the old owner's heartbeats no longer count for an entry it lost
        owner.touch([entry])
        engine.wait(IDLE / 2)
    assert [e.turn.key for e in engine.make().reclaim(IDLE)] == ["msg-1"]


def test_the_sqlite_file_is_private_and_survives_a_restart(tmp_path):
    path = tmp_path / "var" / "wechat_turns.db"
    SqliteTurnQueue(path).put(turn())
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    found = SqliteTurnQueue(path).find("msg-1")
    assert found is not None and found.turn.openid == "oQueueUser0001"


@pytest.mark.redis
def test_consumers_of_past_process_starts_are_forgotten_once_they_hold_nothing(redis_url):
    import redis

    prefix = f"test:wechat-queue:{uuid.uuid4().hex}:"
    try:
        past, busy, current = (RedisTurnQueue(redis_url, prefix=prefix) for _ in range(3))
        done = past.put(turn("msg-a"))
        busy.put(turn("msg-b"))
        past.ack(done)
        gone = current.prune_consumers(idle=0)
        assert gone == [past.consumer]  # the one holding an unanswered turn stays
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(prefix + "*"):
            client.delete(key)
