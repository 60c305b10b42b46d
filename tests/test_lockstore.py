"""The atomic Redis lock store against the local Redis: one conversation's turns run one at a time, each
exactly once, in the order the messages reached Redis, across asyncio tasks and across processes (the
replicas); a dead replica's ticket expires; a queued turn starts within a poll, not a second."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import re
import signal
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lockstore import AtomicRedisLockStore
from tests.stack import ROOT, free_port

pytestmark = pytest.mark.redis

DB = 4
CTX = multiprocessing.get_context("fork")


@pytest.fixture
def prefix():
    name = "t" + uuid.uuid4().hex[:10]
    yield name
    client = redis.Redis(db=DB)
    for key in client.scan_iter(f"{name}*"):
        client.delete(key)


def make_store(prefix: str, **options) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=6379, db=DB, key_prefix=prefix, **options)


def test_rasa_builds_it_from_the_production_endpoints(monkeypatch):
    from rasa.core.utils import read_endpoints_from_path

    text = (ROOT / "endpoints.production.yml").read_text(encoding="utf-8")
    for name in re.findall(r"\$\{(\w+)\}", text):
        monkeypatch.setenv(name, "6379" if name.endswith("PORT") else "127.0.0.1")
    endpoints = read_endpoints_from_path(ROOT / "endpoints.production.yml")
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.red.connection_pool.connection_kwargs["db"] == 1
    assert store.key_prefix == "court:lock:"
    assert store.poll_interval <= 0.05


async def test_many_tasks_take_turns_in_arrival_order(prefix):
    store = make_store(prefix)
    conversation = "c-" + uuid.uuid4().hex
    served: list[int] = []
    inside = 0
    overlaps = 0

    async def turn(index: int) -> None:
        nonlocal inside, overlaps
        async with store.lock(conversation):
            inside += 1
            overlaps += inside > 1
            await asyncio.sleep(0.002 * (index % 3))
            served.append(index)
            inside -= 1

    await asyncio.gather(*(turn(i) for i in range(60)))
    assert overlaps == 0
    assert served == list(range(60))
    assert store.get_lock(conversation) is None  # nothing left behind


def _replica(prefix: str, conversation: str, name: str, messages: int, barrier) -> None:
    """A replica: its messages arrive a few ms apart and each becomes a concurrent task, as in Sanic."""

    async def turn(store: AtomicRedisLockStore, index: int, red: redis.Redis) -> None:
        async with store.lock(conversation) as lock:
            if red.incr(f"{prefix}:inside") != 1:
                red.incr(f"{prefix}:overlaps")
            red.rpush(f"{prefix}:log", f"{lock.now_serving}:{name}:{index}")
            await asyncio.sleep(0.003)
            red.decr(f"{prefix}:inside")

    async def main() -> None:
        store = make_store(prefix)
        red = redis.Redis(db=DB)
        barrier.wait()
        tasks = []
        for index in range(messages):
            tasks.append(asyncio.create_task(turn(store, index, red)))
            await asyncio.sleep(0.001 * (index % 4))
        await asyncio.gather(*tasks)

    asyncio.run(main())


def test_replicas_in_several_processes_serve_each_message_once_in_order(prefix):
    conversation = "c-" + uuid.uuid4().hex
    names, messages = ["a", "b", "c", "d"], 15
    barrier = CTX.Barrier(len(names))
    procs = [CTX.Process(target=_replica, args=(prefix, conversation, n, messages, barrier)) for n in names]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    red = redis.Redis(db=DB, decode_responses=True)
    log = [entry.split(":") for entry in red.lrange(f"{prefix}:log", 0, -1)]
    served = [(name, int(index)) for _, name, index in log]
    tickets = [int(ticket) for ticket, _, _ in log]
    assert sorted(served) == sorted((n, i) for n in names for i in range(messages))  # each exactly once
    assert tickets == sorted(tickets) and len(set(tickets)) == len(tickets)  # in arrival (ticket) order
    for name in names:  # and each replica's own messages in the order it received them
        assert [i for n, i in served if n == name] == list(range(messages))
    assert red.get(f"{prefix}:overlaps") is None
    assert len({name for name, _ in served[:8]}) > 1, "the replicas did not contend"


def _hold_forever(prefix: str, conversation: str, held) -> None:
    async def main() -> None:
        async with make_store(prefix, lock_lifetime=1.0).lock(conversation):
            held.set()
            await asyncio.sleep(3600)

    asyncio.run(main())


async def test_a_replica_that_dies_holding_the_lock_blocks_only_for_the_lifetime(prefix):
    conversation = "c-" + uuid.uuid4().hex
    held = CTX.Event()
    proc = CTX.Process(target=_hold_forever, args=(prefix, conversation, held))
    proc.start()
    assert held.wait(30)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    started = time.monotonic()
    async with make_store(prefix, lock_lifetime=1.0).lock(conversation):
        waited = time.monotonic() - started
    assert 0.3 < waited < 1.5


def _hold_on_lease(prefix: str, conversation: str, held) -> None:
    async def main() -> None:
        async with make_store(prefix, lock_lifetime=30, holder_lease=0.6).lock(conversation):
            held.set()
            await asyncio.sleep(3600)

    asyncio.run(main())


async def test_a_replica_that_dies_holding_the_lock_blocks_only_for_its_lease(prefix):
    """Its in-flight turns, re-sent to another replica, wait seconds, not the 30 s lifetime."""
    conversation = "c-" + uuid.uuid4().hex
    held = CTX.Event()
    proc = CTX.Process(target=_hold_on_lease, args=(prefix, conversation, held))
    proc.start()
    assert held.wait(30)
    time.sleep(1.0)  # the holder renewed its lease at least once: alive, it would keep the lock
    assert make_store(prefix).get_lock(conversation) is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    started = time.monotonic()
    async with make_store(prefix, lock_lifetime=30, holder_lease=0.6).lock(conversation):
        waited = time.monotonic() - started
    assert waited < 1.0


async def test_a_live_holder_keeps_the_lock_past_its_lease(prefix, caplog):
    store = make_store(prefix, lock_lifetime=10, holder_lease=0.3)
    conversation = "c-" + uuid.uuid4().hex
    order: list[str] = []

    async def long_turn() -> None:
        async with store.lock(conversation):
            order.append("long starts")
            await asyncio.sleep(1.2)  # four leases
            order.append("long ends")

    async def next_turn() -> None:
        await asyncio.sleep(0.05)
        async with store.lock(conversation):
            order.append("next starts")

    with caplog.at_level(logging.ERROR, logger="bot.lockstore"):
        await asyncio.gather(long_turn(), next_turn())
    assert order == ["long starts", "long ends", "next starts"]
    assert not [r for r in caplog.records if "expired" in r.getMessage()]


async def test_waiters_behind_a_turn_of_the_same_replica_do_not_poll_redis(prefix):
    """A burst routed to one replica: 19 queued turns must not spend its event loop polling every 20 ms."""
    store = make_store(prefix)
    conversation = "c-" + uuid.uuid4().hex
    polls = 0
    served: list[int] = []
    acquire = store.try_acquire

    def counting(*args):
        nonlocal polls
        polls += 1
        return acquire(*args)

    store.try_acquire = counting  # type: ignore[method-assign]

    async def turn(index: int) -> None:
        async with store.lock(conversation):
            served.append(index)
            await asyncio.sleep(0.05)

    tasks = []
    for index in range(20):
        tasks.append(asyncio.create_task(turn(index)))
        await asyncio.sleep(0)  # each task takes its ticket before the next is created
    started = time.monotonic()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    assert served == list(range(20))
    assert elapsed < 20 * 0.05 + 0.5  # hand-offs are immediate
    # polling would be ~19 waiters x 50 polls/s x 1 s; waking on the local release costs a few per turn
    assert polls < 20 * 20, polls


async def test_a_waiter_that_died_gives_up_its_place_after_waiter_ttl(prefix):
    store = make_store(prefix, lock_lifetime=30, waiter_ttl=0.5)
    conversation = "c-" + uuid.uuid4().hex
    async with store.lock(conversation):
        store.issue_ticket(conversation)  # a replica took a ticket, then crashed without polling
    started = time.monotonic()
    async with store.lock(conversation):
        waited = time.monotonic() - started
    assert waited < 1.0  # not the 30 s lifetime


async def test_a_queued_turn_starts_within_a_poll_of_the_release(prefix):
    store = make_store(prefix)
    conversation = "c-" + uuid.uuid4().hex
    released = acquired = 0.0

    async def first() -> None:
        nonlocal released
        async with store.lock(conversation):
            await asyncio.sleep(0.3)
        released = time.monotonic()

    async def second() -> None:
        nonlocal acquired
        await asyncio.sleep(0.05)
        async with store.lock(conversation):
            acquired = time.monotonic()

    await asyncio.gather(first(), second())
    assert 0 <= acquired - released < 0.1


async def test_redis_down_refuses_the_turn_and_says_why(caplog):
    store = AtomicRedisLockStore(host="127.0.0.1", port=free_port(), key_prefix="down")
    ran = False
    with caplog.at_level(logging.ERROR, logger="bot.lockstore"), pytest.raises(LockError):
        async with store.lock("c-down"):
            ran = True
    assert not ran
    assert any("the message is refused" in r.getMessage() for r in caplog.records)


async def test_a_turn_longer_than_the_lifetime_is_reported(prefix, caplog):
    store = make_store(prefix, lock_lifetime=0.2)
    with caplog.at_level(logging.ERROR, logger="bot.lockstore"):
        async with store.lock("c-slow"):
            await asyncio.sleep(0.4)
    assert any("longer than lock_lifetime" in r.getMessage() for r in caplog.records)


def test_endpoint_config_settings_reach_the_store():
    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.lockstore.AtomicRedisLockStore",
        port=6379,
        db=2,
        key_prefix="x1",
        lock_lifetime=45,
        poll_interval=0.5,
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert (store.lifetime, store.poll_interval, store.key_prefix) == (45.0, 0.05, "x1:lock:")
