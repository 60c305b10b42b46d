"""A burst of one conversation's messages sent round-robin to two replicas: lost, duplicated and
out-of-order messages in the stored tracker, and the time until the last one is answered.

    .venv/bin/python benchmarks/burst.py                      # in-process: both lock stores, 0 and 20 ms gaps
    .venv/bin/python benchmarks/burst.py --urls http://127.0.0.1:5006,http://127.0.0.1:5007 [--token T]
    .venv/bin/python benchmarks/burst.py --model models/court.tar.gz   # starts two real replicas first
    .venv/bin/python benchmarks/burst.py --urls http://127.0.0.1:5005   # through `make cluster`'s HAProxy

In-process, two processes stand in for two Rasa replicas: each takes the conversation's lock from the
store under test (ours, `bot.lockstore.AtomicRedisLockStore`, or Rasa's `RedisLockStore`), reads the
tracker from Redis, spends `--turn-ms` on the turn and saves only the events beyond those already stored,
as Rasa's SQL tracker store does; a second turn running at the same time therefore loses its message.
Against URLs, each message is a REST turn (`/webhooks/rest/webhook`) and the tracker is read back through
the HTTP API (`RASA_TOKEN`). "Out of order" counts adjacent pairs stored in the opposite order of sending;
in-process it is judged against the time each replica received the message (the arrival order; two arrivals within 1 ms are a tie);
over HTTP against the sending order, which with a 0 ms gap is not the arrival order (read it with a gap).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import re
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REDIS_DB = 4
CTX = multiprocessing.get_context("fork")


@dataclass
class Outcome:
    """What a citizen would notice after the burst."""

    label: str
    sent: int
    stored: list[int]
    last_answer_s: float
    errors: int = 0
    arrival: dict[int, float] | None = None  # when each message reached a replica; None: the sending order

    def counts(self) -> tuple[int, int, int]:
        """Lost, duplicated and out-of-order messages."""
        unique = set(self.stored)
        lost = self.sent - len(unique & set(range(self.sent)))
        duplicated = len(self.stored) - len(unique)
        order = self.arrival or {i: float(i) for i in unique}
        # messages that reached two replicas within a millisecond of each other have no order between them
        tie = 0.001 if self.arrival else 0.0
        disorder = sum(1 for a, b in zip(self.stored, self.stored[1:]) if order[b] < order[a] - tie)
        return lost, duplicated, disorder

    def row(self) -> str:
        lost, duplicated, disorder = self.counts()
        return (
            f"| {self.label} | {self.sent} | {lost} | {duplicated} | {disorder} | {self.errors} "
            f"| {self.last_answer_s:.2f} s |"
        )


HEADER = (
    "| run | sent | lost | duplicated | out of order | errors | last answered after |\n| --- |" + " --- |" * 6
)


# ---------------------------------------------------------------- in-process replicas


def _store(kind: str, prefix: str):
    if kind == "atomic":
        from bot.lockstore import AtomicRedisLockStore

        return AtomicRedisLockStore(host="127.0.0.1", port=6379, db=REDIS_DB, key_prefix=prefix)
    from rasa.core.lock_store import RedisLockStore

    return RedisLockStore(host="127.0.0.1", port=6379, db=REDIS_DB, key_prefix=prefix)


def _busy(seconds: float) -> None:
    """CPU work that holds the event loop, as Rasa's prediction does: the replica reads no request meanwhile."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


def _replica(kind: str, prefix: str, conversation: str, turn_s: float, cpu_s: float, inbox, ready) -> None:
    """One replica: every message it receives becomes a concurrent task, as a Sanic server's requests."""
    import redis

    red = redis.Redis(db=REDIS_DB, decode_responses=True)
    events = f"{prefix}:tracker"

    def receive() -> int | None:
        """The replica's socket: a message arrives even while the event loop is busy."""
        index = inbox.get()
        if index is not None:
            red.zadd(f"{prefix}:arrived", {str(index): time.time()})
        return index

    async def turn(store, index: int) -> None:
        async with store.lock(conversation):
            stored = red.lrange(events, 0, -1)  # the tracker as this turn sees it
            _busy(cpu_s)  # understanding and policies, on the event loop
            await asyncio.sleep(turn_s)  # waiting for the action server and the stores
            tracker = [*stored, f"user:{index}", f"bot:{index}"]
            already = red.llen(events)  # SQL tracker store: write only events beyond those stored
            if tracker[already:]:
                red.rpush(events, *tracker[already:])
        red.rpush(f"{prefix}:answered", f"{index}:{time.time()}")

    async def main() -> None:
        store = _store(kind, prefix)
        loop = asyncio.get_running_loop()
        ready.set()
        tasks = []
        while (index := await loop.run_in_executor(None, receive)) is not None:
            tasks.append(asyncio.create_task(turn(store, index)))
        await asyncio.gather(*tasks)

    asyncio.run(main())


def in_process(kind: str, messages: int, gap_s: float, turn_s: float, cpu_s: float) -> Outcome:
    import redis

    prefix = "burst" + uuid.uuid4().hex[:8]
    red = redis.Redis(db=REDIS_DB, decode_responses=True)
    inboxes = [CTX.Queue(), CTX.Queue()]
    readies = [CTX.Event(), CTX.Event()]
    procs = [
        CTX.Process(target=_replica, args=(kind, prefix, "conv", turn_s, cpu_s, q, r))
        for q, r in zip(inboxes, readies)
    ]
    for proc in procs:
        proc.start()
    for ready in readies:
        ready.wait(60)
    started = time.time()
    for index in range(messages):
        inboxes[index % 2].put(index)
        if gap_s:
            time.sleep(gap_s)
    for inbox in inboxes:
        inbox.put(None)
    for proc in procs:
        proc.join(300)
    answered = [float(a.split(":")[1]) for a in red.lrange(f"{prefix}:answered", 0, -1)]
    stored = [int(e.split(":")[1]) for e in red.lrange(f"{prefix}:tracker", 0, -1) if e.startswith("user:")]
    # out of order is judged against arrival at the replicas, not the order the burst was sent in
    arrival = {int(i): at for i, at in red.zrange(f"{prefix}:arrived", 0, -1, withscores=True)}
    for key in red.scan_iter(f"{prefix}*"):
        red.delete(key)
    store = "ours" if kind == "atomic" else "Rasa RedisLockStore"
    label = f"in-process, {store}, gap {gap_s * 1000:.0f} ms, CPU {cpu_s * 1000:.0f} ms/turn"
    last = max(answered) - started if answered else float("nan")
    return Outcome(label, messages, stored, last, errors=messages - len(answered), arrival=arrival)


# ---------------------------------------------------------------- real replicas over HTTP

TEXT = "诉讼费怎么交 第{}条"
NUMBER = re.compile(r"第(\d+)条")


def _request(url: str, body: dict, headers: dict[str, str]) -> bytes:
    """One REST turn as raw HTTP/1.1 (`Connection: close`: the answer ends where the stream ends)."""
    import json

    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    lines = [
        "POST /webhooks/rest/webhook HTTP/1.1",
        f"Host: {urlsplit(url).netloc}",
        "Content-Type: application/json",
        f"Content-Length: {len(data)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + data


async def _answered(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, float]:
    """The HTTP status of the answer and when it was complete."""
    try:
        status_line = await asyncio.wait_for(reader.readline(), 120)
        await asyncio.wait_for(reader.read(), 120)
        return int(status_line.split()[1]), time.perf_counter()
    except (OSError, asyncio.TimeoutError, IndexError, ValueError):
        return 0, time.perf_counter()
    finally:
        writer.close()


async def over_http(urls: list[str], token: str, messages: int, gap_s: float, label: str) -> Outcome:
    """The burst over real connections, all opened first and then written to in sending order.

    An HTTP client library sets up connections and writes requests in whatever order its tasks get
    there, so "sent at once" would mean a different order every run; here the requests go on the wire
    exactly in sending order (gap 0: microseconds apart, from one loop with no pause)."""
    import aiohttp

    sender = "burst-" + uuid.uuid4().hex[:10]
    headers = (
        {"Authorization": f"Bearer {os.environ['REST_CHANNEL_TOKEN']}"}
        if "REST_CHANNEL_TOKEN" in os.environ
        else {}
    )
    targets = [urls[index % len(urls)] for index in range(messages)]
    conns = await asyncio.gather(
        *(asyncio.open_connection(urlsplit(u).hostname, urlsplit(u).port or 80) for u in targets)
    )
    started = time.perf_counter()
    tasks = []
    for index, (url, (reader, writer)) in enumerate(zip(targets, conns)):
        body = {"sender": sender, "message": TEXT.format(index + 1)}
        writer.write(_request(url, body, headers))
        tasks.append(asyncio.create_task(_answered(reader, writer)))
        if gap_s:
            await asyncio.sleep(gap_s)
    answers = await asyncio.gather(*tasks)
    errors = sum(status != 200 for status, _ in answers)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60), headers=headers) as session:
        tracker_url = f"{urls[0]}/conversations/rest:{sender}/tracker"
        async with session.get(tracker_url, params={"token": token}) as reply:
            reply.raise_for_status()
            events = (await reply.json())["events"]
    stored = [
        int(found.group(1)) - 1
        for event in events
        if event.get("event") == "user" and (found := NUMBER.search(event.get("text") or ""))
    ]
    last = max(at for _, at in answers) - started
    return Outcome(f"{label}, gap {gap_s * 1000:.0f} ms", messages, stored, last, errors)


def start_replicas(model: Path, workdir: Path):
    """The production path (tests/stack.py) plus a second Rasa replica on the same PostgreSQL and Redis."""
    import subprocess

    from tests.stack import PY, free_port, production_env, start_stack, wait_http

    pg = "postgresql://postgres@127.0.0.1:5432/test"
    schema = f"desk_burst_{uuid.uuid4().hex[:8]}"
    env = production_env(3, schema)
    stack = start_stack(
        model, workdir, extra_env=env, endpoints="endpoints.production.yml", pg_schema=(pg, schema)
    )
    port = free_port()
    log = open(workdir / "rasa2.log", "w")  # noqa: SIM115 - closed with the process
    args = [
        PY,
        "-m",
        "bot.cli",
        "run",
        "-m",
        str(model),
        "--enable-api",
        "--endpoints",
        str(workdir / "endpoints.yml"),
    ]
    args += ["--credentials", str(ROOT / "credentials.yml"), "--port", str(port)]
    proc = subprocess.Popen(
        args, cwd=ROOT, env=stack.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    stack.procs.append(proc)
    second = f"http://127.0.0.1:{port}"
    wait_http(f"{second}/status?token={stack.env['RASA_TOKEN']}", 600, proc)
    return stack, [stack.urls["rasa"], second]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", help="comma-separated Rasa replicas to burst (REST channel)")
    parser.add_argument("--model", type=Path, help="start two production-path replicas with this model")
    parser.add_argument("--token", default=os.environ.get("RASA_TOKEN", ""), help="Rasa API token")
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--gaps-ms", default="0,20", help="comma-separated gaps between sends")
    parser.add_argument("--turn-ms", type=float, default=50, help="in-process: time a turn waits on I/O")
    parser.add_argument(
        "--cpu-ms", type=float, default=0, help="in-process: time a turn blocks the event loop"
    )
    parser.add_argument("--stores", default="atomic,rasa", help="in-process: atomic, rasa or both")
    args = parser.parse_args()
    gaps = [float(g) / 1000 for g in args.gaps_ms.split(",")]
    print(HEADER)
    if args.urls or args.model:
        stack = None
        if args.model:
            import tempfile

            workdir = Path(tempfile.mkdtemp(prefix="burst-"))
            stack, urls = start_replicas(args.model, workdir)
            token = stack.env["RASA_TOKEN"]
        else:
            urls, token = args.urls.split(","), args.token
        try:
            for gap in gaps:
                label = f"{len(urls)} replicas over HTTP" if len(urls) > 1 else f"through {urls[0]}"
                outcome = asyncio.run(over_http(urls, token, args.messages, gap, label))
                print(outcome.row(), flush=True)
        finally:
            if stack is not None:
                stack.stop()
        return
    for kind in args.stores.split(","):
        for gap in gaps:
            outcome = in_process(kind, args.messages, gap, args.turn_ms / 1000, args.cpu_ms / 1000)
            print(outcome.row(), flush=True)


if __name__ == "__main__":
    main()
