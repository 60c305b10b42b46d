"""Conversation success by category, on the conversations written by someone who never saw the training data.

    .venv/bin/python benchmarks/conversations.py MODEL.tar.gz [--folder tests/conversations/outside] [--show-failures] [--ids a,b]

Starts the real processes (tests/stack.py), plays every conversation (tests/conversations/runner.py) and
prints, per category and in all, how many went right: every turn answered, and every effect the writer
expected (an SMS code on the party's phone, progress shown, a work order stored as typed, no ID asked …).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conversations.runner import load, play  # noqa: E402
from tests.stack import start_stack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--folder", default=str(ROOT / "tests/conversations/outside"))
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--ids", default="", help="comma-separated conversation ids to play (default: all)")
    args = parser.parse_args()
    wanted = {i for i in args.ids.split(",") if i}
    conversations = [c for c in load(Path(args.folder)) if not wanted or c["id"] in wanted]
    total, good = Counter(), Counter()
    with tempfile.TemporaryDirectory() as tmp:
        stack = start_stack(Path(args.model), Path(tmp), extra_env={"COURTDATA_RESEND_SECONDS": "0"})
        try:
            for conversation in conversations:
                outcome = play(stack, conversation, f"bench-{conversation['id']}")
                total[conversation["category"]] += 1
                good[conversation["category"]] += outcome.ok
                if not outcome.ok and args.show_failures:
                    print(f"✗ {conversation['id']}: {outcome.problems}")
                    for typed, said in outcome.transcript:
                        print(f"    > {typed}\n      {said[:200]!r}")
        finally:
            stack.stop()
    print(f"{'category':<12} {'right':>5} {'of':>4} {'share':>6}")
    for category in sorted(total):
        print(
            f"{category:<12} {good[category]:>5} {total[category]:>4} {good[category] / total[category]:>6.0%}"
        )
    print(
        f"{'all':<12} {sum(good.values()):>5} {sum(total.values()):>4} {sum(good.values()) / sum(total.values()):>6.0%}"
    )


if __name__ == "__main__":
    main()
