"""Lookup-turn latency through the whole assistant: REST → Rasa → action server → court-data service.

    .venv/bin/python benchmarks/lookup_turns.py MODEL.tar.gz [--rounds 20]

Starts the real processes on free loopback ports (tests/stack.py), then times, per round, the turns of a
verified case-progress lookup (case number → identity + SMS code → code → progress) and of a
dishonest-debtor lookup, and prints p50/p95 per kind of turn.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stack import Chat, last_code, start_stack  # noqa: E402


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def timed(chat: Chat, text: str, samples: list[float]) -> str:
    started = time.perf_counter()
    reply = chat.text(text)
    samples.append((time.perf_counter() - started) * 1000)
    return reply


LOOKUP_ENV = {  # the reference service's daily limits would stop a benchmark of many rounds
    "DEBTOR_LIMIT_PER_DAY": "100000",
    "COURTDATA_RESEND_SECONDS": "0",
    "COURTDATA_SMS_DAILY_LIMIT": "100000",
}


def measure(stack, rounds: int) -> dict[str, list[float]]:
    """`rounds` verified progress lookups and debtor lookups on a running stack: milliseconds per turn kind.

    Each round checks what a citizen would notice (the code was sent, the progress names the judge), so a
    broken lookup fails the benchmark instead of timing an error reply."""
    turns: dict[str, list[float]] = {
        "case number": [],
        "identity → SMS code": [],
        "code → progress": [],
        "debtor lookup": [],
    }
    for _ in range(rounds):
        chat = Chat(stack.urls["rasa"], f"bench-{uuid.uuid4().hex[:8]}")
        chat.text("查案件进度")
        timed(chat, "（2026）京0105民初8848号", turns["case number"])
        sent = timed(chat, "陈思远 11010519880615245X", turns["identity → SMS code"])
        assert "验证码已发送" in sent, sent
        progress = timed(chat, last_code(stack), turns["code → progress"])
        assert "易泽俊" in progress, progress
        chat.text("查失信被执行人")
        timed(chat, "王伟 11010519780315149X", turns["debtor lookup"])
    return turns


def table(turns: dict[str, list[float]], rounds: int) -> str:
    lines = [
        f"Lookup turns through REST with the reference service in the loop ({rounds} rounds):\n",
        "| turn | p50 (ms) | p95 (ms) | mean (ms) |\n| --- | --- | --- | --- |",
    ]
    for name, values in turns.items():
        lines.append(
            f"| {name} | {pct(values, 0.5):.0f} | {pct(values, 0.95):.0f} | {statistics.mean(values):.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(args.model), Path(tmp), extra_env=LOOKUP_ENV)
        try:
            turns = measure(stack, args.rounds)
        finally:
            stack.stop()
    print(table(turns, args.rounds))


if __name__ == "__main__":
    main()
