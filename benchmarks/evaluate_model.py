"""Loads one trained model in a fresh process and prints its parses of the given texts as JSON.

Run by nlu_benchmark.py once per model, so that start-up time and peak RSS belong to that model.
"""

from __future__ import annotations

import asyncio
import json
import resource
import statistics
import sys
import time


async def main(model_path: str, texts_path: str) -> None:
    started = time.perf_counter()
    from rasa.core.agent import Agent

    agent = Agent.load(model_path)
    startup = time.perf_counter() - started
    texts = json.loads(open(texts_path, encoding="utf-8").read())
    parses, latencies = [], []
    for text in texts:
        t0 = time.perf_counter()
        parsed = await agent.parse_message(text)
        latencies.append((time.perf_counter() - t0) * 1000)
        selector = (parsed.get("response_selector") or {}).get("faq") or {}
        parses.append(
            {
                "intent": (parsed.get("intent") or {}).get("name"),
                "confidence": (parsed.get("intent") or {}).get("confidence"),
                "ranking": [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking") or []][:3],
                "faq_key": ((selector.get("response") or {}).get("intent_response_key")),
                "entities": [(e["entity"], str(e["value"])) for e in parsed.get("entities") or []],
            }
        )
    latencies.sort()
    out = {
        "startup_s": startup,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "latency_p50_ms": statistics.median(latencies) if latencies else 0.0,
        "latency_p95_ms": latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        "parses": parses,
    }
    print("@@RESULT@@" + json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
