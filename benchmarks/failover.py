"""FAQ turns through `make cluster`'s HAProxy while one Rasa replica is stopped: how many citizens notice.

    .venv/bin/python benchmarks/failover.py                  # the cluster on :5005: stop rasa-a after 8 s
    .venv/bin/python benchmarks/failover.py --signal KILL    # a crash instead of a stop

Each of `--concurrency` clients sends FAQ questions, every turn a fresh conversation, for `--seconds`;
after `--stop-after` seconds the replica named in CLUSTER_RUN_DIR/pids.json (`--replica`, rasa-a) gets
`--signal` (TERM: a stop, Sanic finishes what it has; KILL: a crash). An error is a reply that
is not HTTP 200 with at least one bot message, or no reply within `--timeout`. Run the cluster with
CLUSTER_RESTART=0 to keep the replica down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ("诉讼费怎么交", "法院几点上班", "立案需要带什么材料", "怎么申请诉讼费缓交")


@dataclass
class LoadResult:
    """What the clients saw, before and after the replica stopped."""

    turns: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    errors_after_stop: int = 0
    turns_after_stop: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def error_rate(self) -> float:
        return self.errors / self.turns if self.turns else 1.0

    def percentile(self, share: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(int(share * len(ordered)), len(ordered) - 1)]

    def report(self, seconds: float) -> str:
        ms = 1000
        return (
            f"turns {self.turns} ({self.turns / seconds:.1f}/s), errors {self.errors} "
            f"({self.error_rate:.2%}; {self.errors_after_stop} of {self.turns_after_stop} after the stop) "
            f"{self.error_kinds or ''}, p50 {statistics.median(self.latencies) * ms:.0f} ms, "
            f"p95 {self.percentile(0.95) * ms:.0f} ms, p99 {self.percentile(0.99) * ms:.0f} ms, "
            f"max {max(self.latencies, default=0) * ms:.0f} ms"
        )


async def run_load(
    url: str,
    concurrency: int,
    seconds: float,
    stop_after: float,
    stop: Callable[[], None],
    timeout: float = 90,
) -> LoadResult:
    """`concurrency` clients for `seconds`; `stop()` is called once, `stop_after` seconds in."""
    import aiohttp

    result = LoadResult()
    started = time.perf_counter()
    stopped_at: list[float] = []
    webhook = url.rstrip("/") + "/webhooks/rest/webhook"

    def failed(kind: str, sent_at: float) -> None:
        result.errors += 1
        result.error_kinds[kind] = result.error_kinds.get(kind, 0) + 1
        if stopped_at and sent_at >= stopped_at[0] - 1:
            result.errors_after_stop += 1

    async def client(session: aiohttp.ClientSession, number: int) -> None:
        index = number
        while time.perf_counter() - started < seconds:
            body = {"sender": f"load-{uuid.uuid4().hex[:12]}", "message": QUESTIONS[index % len(QUESTIONS)]}
            index += 1
            sent = time.perf_counter()
            result.turns += 1
            if stopped_at and sent >= stopped_at[0]:
                result.turns_after_stop += 1
            try:
                async with session.post(webhook, json=body) as reply:
                    answer = await reply.json(content_type=None) if reply.status == 200 else None
                    if reply.status != 200:
                        failed(f"HTTP {reply.status}", sent)
                    elif not isinstance(answer, list) or not answer:
                        failed("no answer", sent)
                    else:
                        result.latencies.append(time.perf_counter() - sent)
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                failed(type(exc).__name__, sent)

    async def stopper() -> None:
        await asyncio.sleep(stop_after)
        stopped_at.append(time.perf_counter())
        stop()

    connector = aiohttp.TCPConnector(limit=concurrency * 2)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        await asyncio.gather(stopper(), *(client(session, n) for n in range(concurrency)))
    return result


def stop_replica(run_dir: Path, name: str, signum: int) -> Callable[[], None]:
    """A function that sends `signum` to the process group of `name` (pids.json of scripts/cluster.py)."""

    def stop() -> None:
        pid = json.loads((run_dir / "pids.json").read_text(encoding="utf-8"))[name]
        os.killpg(pid, signum)
        print(f"{time.strftime('%H:%M:%S')} sent SIG{signal.Signals(signum).name[3:]} to {name}", flush=True)

    return stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--run-dir", type=Path, default=ROOT / "var" / "cluster")
    parser.add_argument("--replica", default="rasa-a")
    parser.add_argument("--signal", default="TERM", choices=["TERM", "KILL"])
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=25)
    parser.add_argument("--stop-after", type=float, default=8)
    args = parser.parse_args()
    stop = stop_replica(args.run_dir, args.replica, getattr(signal, f"SIG{args.signal}"))
    result = asyncio.run(run_load(args.url, args.concurrency, args.seconds, args.stop_after, stop))
    print(result.report(args.seconds))
    sys.exit(0 if result.error_rate < 0.01 else 1)


if __name__ == "__main__":
    main()
