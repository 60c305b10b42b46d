"""Load benchmark: FAQ-only turns over REST from fresh conversations at several concurrencies (prints figures).

    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:5005 [--concurrency 1,16,64] [--seconds 20]
    .venv/bin/python benchmarks/load.py --start [--model models/court.tar.gz]   # starts its own stack

Each virtual citizen opens a new conversation, asks one FAQ question (a few phrasings, so the NLU really
runs), waits for the answer and starts again, for `--seconds` at each concurrency. Printed per level:
turns per second, latency p50 / p95 / p99, errors (non-200 or an empty answer), and the RSS of the
stack's processes when it started them. `--plain` also trains (once, seeded) and serves a plain Rasa bot
on the same data with Rasa's default Chinese pipeline and no custom actions, as the reference.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = ("诉讼费怎么交", "法院几点上班", "怎么网上立案", "法院在哪里", "上诉期限是多久", "12368能办什么")


async def one_citizen(session, url: str, stop_at: float, latencies: list[float], errors: list[str]) -> None:
    import aiohttp

    i = 0
    while time.monotonic() < stop_at:
        body = {"sender": f"load-{uuid.uuid4().hex[:12]}", "message": QUESTIONS[i % len(QUESTIONS)]}
        i += 1
        started = time.monotonic()
        try:
            async with session.post(url, json=body, timeout=aiohttp.ClientTimeout(total=30)) as reply:
                answer = await reply.json(content_type=None) if reply.status == 200 else None
                if reply.status != 200 or not answer:
                    errors.append(f"HTTP {reply.status}")
                    continue
        except Exception as exc:  # noqa: BLE001 - counted, the run goes on
            errors.append(type(exc).__name__)
            continue
        latencies.append((time.monotonic() - started) * 1000)


async def level(url: str, concurrency: int, seconds: float) -> dict:
    import aiohttp

    latencies: list[float] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        stop_at = time.monotonic() + seconds
        await asyncio.gather(
            *(one_citizen(session, url, stop_at, latencies, errors) for _ in range(concurrency))
        )
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")

    return {
        "concurrency": concurrency,
        "turns_per_s": len(latencies) / seconds,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "errors": len(errors),
        "error_share": len(errors) / max(1, len(errors) + len(latencies)),
        "mean": statistics.mean(latencies) if latencies else float("nan"),
    }


def rss_mb(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    found[pid] = int(line.split()[1]) / 1024
        except OSError:
            continue
    return found


def run_levels(label: str, url: str, levels: list[int], seconds: float) -> None:
    print(f"\n{label}: {url}")
    print("| concurrent | turns/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | --- | --- | --- | --- | --- |")
    asyncio.run(level(url, 2, 3))  # warm-up: first parses load lazily
    for n in levels:
        r = asyncio.run(level(url, n, seconds))
        print(
            f"| {n} | {r['turns_per_s']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | "
            f"{r['errors']} ({r['error_share']:.1%}) |",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="a running Rasa server (its REST channel)")
    parser.add_argument("--start", action="store_true", help="start a stack (tests/stack.py) for the run")
    parser.add_argument("--model", default=str(ROOT / "models" / "court.tar.gz"))
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--plain", action="store_true", help="also a plain Rasa bot as the reference")
    args = parser.parse_args()
    levels = [int(x) for x in args.concurrency.split(",")]
    if args.url:
        run_levels("ours", args.url.rstrip("/") + "/webhooks/rest/webhook", levels, args.seconds)
    if args.start:
        from tests.stack import start_stack

        with tempfile.TemporaryDirectory() as tmp:
            stack = start_stack(Path(args.model), Path(tmp))
            try:
                run_levels(
                    "ours (single node)", stack.urls["rasa"] + "/webhooks/rest/webhook", levels, args.seconds
                )
                sizes = rss_mb([p.pid for p in stack.procs])
                names = {p.pid: n for n, (p, *_rest) in stack.started.items()}
                print("RSS: " + ", ".join(f"{names.get(pid, pid)} {mb:.0f} MB" for pid, mb in sizes.items()))
            finally:
                stack.stop()
    if args.plain:
        plain_reference(levels, args.seconds)


def plain_reference(levels: list[int], seconds: float) -> None:
    """A plain Rasa bot: Rasa's default Chinese pipeline (benchmarks/baseline_config.yml), our NLU data,
    FAQ answered by a retrieval rule with utter_faq (no custom action, no action server)."""
    import subprocess

    from tests.stack import free_port, wait_http

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "domain.yml").write_text(plain_domain(), encoding="utf-8")
        (work / "rules.yml").write_text(
            'version: "3.1"\nrules:\n- rule: faq\n  steps:\n  - intent: faq\n  - action: utter_faq\n',
            encoding="utf-8",
        )
        (work / "config.yml").write_text(plain_config(), encoding="utf-8")
        env = dict(os.environ, TF_DETERMINISTIC_OPS="1", PYTHONHASHSEED="0", TF_CPP_MIN_LOG_LEVEL="2")
        rasa = str(ROOT / ".venv" / "bin" / "rasa")
        subprocess.run(
            [rasa, "train", "--config", str(work / "config.yml"), "--domain",
             str(work / "domain.yml"), "--data", str(ROOT / "data" / "nlu"), str(work / "rules.yml"),
             "--out", str(work), "--fixed-model-name", "plain"],
            cwd=work, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        port = free_port()
        (work / "credentials.yml").write_text("rest:\n", encoding="utf-8")
        proc = subprocess.Popen(
            [rasa, "run", "-m", str(work / "plain.tar.gz"), "--port", str(port), "-i", "127.0.0.1",
             "--credentials", str(work / "credentials.yml")],
            cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_http(f"http://127.0.0.1:{port}/", 600, proc)
            run_levels(
                "plain Rasa bot (reference)",
                f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                levels,
                seconds,
            )
            print(f"RSS: plain rasa {rss_mb([proc.pid]).get(proc.pid, float('nan')):.0f} MB")
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def plain_config() -> str:
    """The NLU benchmark's plain pipeline with the RulePolicy a bot needs to answer: that config has no
    policies (it is evaluated on parses alone), so a bot served from it answered every message with nothing."""
    import yaml

    config = yaml.safe_load((ROOT / "benchmarks" / "baseline_config.yml").read_text(encoding="utf-8"))
    config["policies"] = [{"name": "RulePolicy"}]
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def plain_domain() -> str:
    """Our intents and FAQ responses, nothing else: what `rasa init` plus our data would give."""
    import yaml

    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    responses = {k: v for k, v in domain["responses"].items() if k.startswith("utter_faq/")}
    for variants in responses.values():  # our templates name court settings; a plain bot has none
        for variant in variants:
            variant["text"] = variant["text"].replace("{", "").replace("}", "")
            variant.pop("buttons", None)
    plain = {"version": "3.1", "intents": domain["intents"], "responses": responses}
    return yaml.safe_dump(plain, allow_unicode=True, sort_keys=False)


if __name__ == "__main__":
    main()
