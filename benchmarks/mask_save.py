"""How long the masking tracker store takes to save one turn of a long conversation (prints figures).

    .venv/bin/python benchmarks/mask_save.py [--turns 60]

Before each save one turn (listen, user message with an ID number, a slot, a bot message) is added, as in a
real conversation; the figure is the save's time at the end (in-memory inner store, so only masking and
tracker building are measured), with the masking cache (bot/stores.py MaskCache) and without it.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from bot.stores import MaskingTrackerStore, masked_tracker  # noqa: E402


def turn(i: int) -> list:
    return [
        ActionExecuted("action_listen"),
        UserUttered(f"第{i}次：我叫陈思远，身份证11010519880615245X", {"name": "inform", "confidence": 0.9}),
        SlotSet("cp_case_number", "（2026）京0105民初8848号"),
        BotUttered("好的，请稍等", {"buttons": [{"title": "取消", "payload": "/deny"}]}),
    ]


async def measure(turns: int, cached: bool) -> list[float]:
    domain = Domain.load(str(ROOT / "domain.yml"))
    store = MaskingTrackerStore(domain=domain)
    tracker = DialogueStateTracker("bench", domain.slots)
    times = []
    for i in range(turns):
        for event in turn(i):
            tracker.update(event)
        started = time.perf_counter()
        if cached:
            await store.save(tracker)
        else:  # what every save did before the cache: mask all, replay all
            await store.inner.save(masked_tracker(tracker, domain))
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=60)
    args = parser.parse_args()
    for label, cached in (("mask all + replay (before)", False), ("mask new events only (now)", True)):
        times = asyncio.run(measure(args.turns, cached))
        print(f"{label:30s} save at turn {args.turns} ({args.turns * 4} events): {times[-1]:.1f} ms; "
              f"mean over the conversation {statistics.mean(times):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
