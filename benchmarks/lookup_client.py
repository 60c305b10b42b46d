"""Latency of the court-data lookups as the actions see them: the async client against the reference
service running as its own process (python -m services.courtdata) on a free loopback port.

    .venv/bin/python benchmarks/lookup_client.py [--rounds 50]

Prints p50/p95/max in milliseconds for: public case summary, the verification turn (start + read the
code + check), the progress lookup with the grant, and a dishonest-debtor search.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kernel.clients.court import AsyncCourtClient, HttpCourtClient  # noqa: E402
from kernel.sms import read_messages  # noqa: E402
from tests.stack import free_port, wait_http  # noqa: E402

CASE, NAME, ID_NUMBER = "（2026）京0105民初8848号", "陈思远", "11010519880615245X"
DEBTOR, DEBTOR_ID = "王伟", "11010519780315149X"


def start_service(outbox: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        COURTDATA_PORT=str(port),
        SMS_OUTBOX=str(outbox),
        COURTDATA_RESEND_SECONDS="0",
        COURTDATA_RATE_LIMIT="0",
        COURTDATA_SMS_DAILY_LIMIT="100000",
    )
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.courtdata"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/health", 60, proc)
    return proc, url


async def timed(samples: dict[str, list[float]], label: str, call):
    started = time.perf_counter()
    result = await call
    samples.setdefault(label, []).append((time.perf_counter() - started) * 1000)
    return result


async def run(url: str, outbox: Path, rounds: int) -> dict[str, list[float]]:
    client = AsyncCourtClient(HttpCourtClient(url))
    samples: dict[str, list[float]] = {}
    for _ in range(rounds):
        await timed(samples, "case summary", client.case_summary(CASE))
        started = time.perf_counter()
        begun = await client.start_verification(CASE, NAME, id_number=ID_NUMBER)
        code = re.search(r"验证码(\d{6})", read_messages(outbox, 1)[-1].text).group(1)
        grant = await client.check_code(begun.verification_id, code)
        samples.setdefault("verification (start+check)", []).append((time.perf_counter() - started) * 1000)
        await timed(samples, "progress with grant", client.case_progress(CASE, grant.access_token))
        await timed(samples, "dishonest-debtor search", client.search_debtors(DEBTOR, id_number=DEBTOR_ID))
    return samples


def report(samples: dict[str, list[float]]) -> None:
    print(f"{'lookup':30} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for label, values in samples.items():
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        print(
            f"{label:30} {len(values):>4} {statistics.median(values):>8.1f} {p95:>8.1f} {ordered[-1]:>8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        outbox = Path(tmp) / "outbox.jsonl"
        proc, url = start_service(outbox)
        try:
            report(asyncio.run(run(url, outbox, args.rounds)))
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)


if __name__ == "__main__":
    main()
