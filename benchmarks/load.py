"""Load benchmark: FAQ-only turns over REST from fresh conversations at several concurrencies (prints figures).

    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:5005 [--concurrency 1,16,64] [--seconds 20]
    .venv/bin/python benchmarks/load.py --start [--model models/court.tar.gz]   # starts its own stack
    .venv/bin/python benchmarks/load.py --all [--model M]   # every figure of issue 11 in one run

Each virtual citizen opens a new conversation, asks one FAQ question (a few phrasings, so the NLU really
runs), waits for the answer and starts again, for `--seconds` at each concurrency. Printed per level:
turns per second, latency p50 / p95 / p99, errors (non-200 or an empty answer), and the RSS of the
stack's processes when it started them. `--lookups N` adds N rounds of lookup turns (the court
service in the loop, benchmarks/lookup_turns.py); `--cluster` starts `make cluster`'s topology on the real
engines and runs the same levels through HAProxy, a same-conversation burst and a replica killed under
load. `--plain` also trains (once, seeded) and serves a plain Rasa bot
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
    parser.add_argument("--lookups", type=int, default=0, help="with --start: N rounds of lookup turns too")
    parser.add_argument("--cluster", action="store_true", help="also make cluster's topology on real engines")
    parser.add_argument("--plain", action="store_true", help="also a plain Rasa bot as the reference")
    parser.add_argument("--all", action="store_true", help="--start --lookups 20 --cluster --plain")
    args = parser.parse_args()
    if args.all:
        args.start, args.cluster, args.plain = True, True, True
        args.lookups = args.lookups or 20
    levels = [int(x) for x in args.concurrency.split(",")]
    if args.url:
        run_levels("ours", args.url.rstrip("/") + "/webhooks/rest/webhook", levels, args.seconds)
    if args.start:
        single_node(Path(args.model), levels, args.seconds, args.lookups)
    if args.cluster:
        cluster_run(Path(args.model), levels, args.seconds)
    if args.plain:
        plain_reference(levels, args.seconds)


def single_node(model: Path, levels: list[int], seconds: float, lookups: int) -> None:
    """The embedded stack (`make run`'s processes): FAQ levels, then lookup turns, then RSS per process."""
    from benchmarks.lookup_turns import LOOKUP_ENV, measure, table
    from tests.stack import start_stack

    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(model, Path(tmp), extra_env=LOOKUP_ENV)
        try:
            run_levels("ours (single node)", stack.urls["rasa"] + "/webhooks/rest/webhook", levels, seconds)
            if lookups:
                print("\n" + table(measure(stack, lookups), lookups), flush=True)
            names = {p.pid: n for n, (p, *_rest) in stack.started.items()}
            print_rss({names.get(p.pid, str(p.pid)): p.pid for p in stack.procs})
        finally:
            stack.stop()


def cluster_run(model: Path, levels: list[int], seconds: float) -> None:
    """`make cluster` (tests/cluster.py: HAProxy, two Rasa replicas, two action servers, PostgreSQL, our
    Redis lock store, RabbitMQ): FAQ levels through HAProxy, a 20-message burst of one conversation
    through HAProxy and round robin to the replicas, then one replica killed under load."""
    import signal

    from benchmarks.burst import HEADER, over_http
    from benchmarks.failover import run_load, stop_replica
    from tests.cluster import start_cluster

    with tempfile.TemporaryDirectory() as tmp:
        cluster = start_cluster(model, Path(tmp))
        try:
            cluster.wait_routed()
            run_levels(
                "cluster (HAProxy, two replicas)", cluster.url + "/webhooks/rest/webhook", levels, seconds
            )
            print_rss(cluster.pids())
            print("\nSame-conversation burst (20 messages):\n" + HEADER)
            token = cluster.env["RASA_TOKEN"]
            for label, urls in (
                ("through HAProxy", [cluster.url]),
                ("round robin to 2 replicas", cluster.replicas),
            ):
                for gap_s in (0.0, 0.02):
                    cluster.wait_routed()
                    print(asyncio.run(over_http(urls, token, 20, gap_s, label)).row(), flush=True)
            cluster.wait_routed()
            stop = stop_replica(cluster.run_dir, "rasa-a", signal.SIGKILL)
            result = asyncio.run(run_load(cluster.url, 6, 25, 8, stop))
            print("\nReplica rasa-a killed 8 s into 25 s of 6 clients: " + result.report(25), flush=True)
        finally:
            cluster.stop()


def print_rss(pids: dict[str, int]) -> None:
    """RSS per process, a process's children included (HAProxy's worker, a server's forks)."""
    sizes = {name: sum(rss_mb(tree(pid)).values()) for name, pid in pids.items()}
    print("RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in sizes.items() if mb), flush=True)


def tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [p for child in task.read_text().split() for p in tree(int(child))]
        except OSError:
            continue
    return found


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
