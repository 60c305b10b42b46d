"""Where a turn's time goes inside the Rasa server: each NLU component and the policies (prints figures).

    .venv/bin/python benchmarks/profile_turn.py [MODEL] [--repeat 50]

Loads the trained model in-process and times, per kind of turn (an FAQ question, a form answer such as a
case number, a lookup turn's identity message), every graph node of the prediction: normaliser,
tokenizer, featurizers, DIET, the name extractors, the rule entities, the response selector, the
fallback and guards, and the rule policy. What it does not see is outside the process: the REST channel's
HTTP handling, the action server call and the court-data service (benchmarks/lookup_turns.py and
benchmarks/load.py measure those through the whole assistant).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TURNS = {
    "FAQ": ["诉讼费怎么交", "法院几点上班", "怎么网上立案", "上诉期限是多久"],
    "form answer": ["（2026）京0105民初8848号", "2026京0105民初8848号", "案号是（2026）京03民终512号"],
    "lookup identity": ["陈思远 11010519880615245X", "我叫赵立新，身份证110105197909025694"],
}


def time_graph_nodes() -> dict[str, list[float]]:
    """Record every graph node's call (wall time, ms) under its node name (GraphNode.__call__ wrapped once)."""
    from rasa.engine.graph import GraphNode

    times: dict[str, list[float]] = defaultdict(list)
    original = GraphNode.__call__

    def call(self, *inputs):
        started = time.perf_counter()
        try:
            return original(self, *inputs)
        finally:
            times[self._node_name].append((time.perf_counter() - started) * 1000)

    GraphNode.__call__ = call  # type: ignore[method-assign]
    return times


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", default=str(ROOT / "models" / "court.tar.gz"))
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from rasa.core.agent import Agent

    agent = Agent.load(args.model)
    await agent.parse_message("你好")  # warm-up
    print(f"model {args.model}; {args.repeat} parses per kind of turn (ms per call)\n")
    times = time_graph_nodes()
    for kind, texts in TURNS.items():
        times.clear()
        totals = []
        for i in range(args.repeat):
            started = time.perf_counter()
            await agent.parse_message(texts[i % len(texts)])
            totals.append((time.perf_counter() - started) * 1000)
        print(f"## {kind}: parse total p50 {statistics.median(totals):.1f} ms")
        rows = sorted(((statistics.median(v), k) for k, v in times.items() if v), reverse=True)
        for ms, node in rows[:12]:
            print(f"  {ms:7.2f}  {node}")
        print()


if __name__ == "__main__":
    asyncio.run(main())
