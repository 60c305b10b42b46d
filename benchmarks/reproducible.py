"""Do two trainings from one commit understand the same? Prints how many messages two models parse differently.

    .venv/bin/python benchmarks/reproducible.py                  # trains twice from scratch (--force), then compares
    .venv/bin/python benchmarks/reproducible.py A.tar.gz B.tar.gz  # compares two models you trained

The messages: every distinct text of the held-out NLU sets and every typed turn of the conversation suites
(the dialogue is rules and forms, so equal parses mean equal conversations). A training takes most of an
hour on 2 cores, so this is a benchmark and not a CI test; CI checks that a second training with nothing
changed trains nothing (tests/test_reproducible_training.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.conversations.runner import HERE as CONVERSATIONS  # noqa: E402
from tests.conversations.runner import load  # noqa: E402
from tests.stack import train_model  # noqa: E402


def texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    found: list[str] = []
    for name in ("heldout.yml", "heldout_b.yml", "outside.yml"):
        found += [m.get("text") for m in load_data(str(ROOT / "tests/nlu/data" / name)).intent_examples]
    for folder in sorted(p for p in CONVERSATIONS.iterdir() if p.is_dir() and list(p.glob("*.yml"))):
        for conversation in load(folder):
            found += [t for t in conversation["turns"] if isinstance(t, str) and "{" not in t]
    return sorted(set(found))


def parses(model: Path, texts_file: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/evaluate_model.py"), str(model), str(texts_file)],
        cwd=ROOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in proc.stdout.splitlines() if x.startswith("@@RESULT@@"))
    return json.loads(line.removeprefix("@@RESULT@@"))["parses"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models = list(args.models)
        while len(models) < 2:
            started = time.monotonic()
            models.append(train_model(Path(tmp) / f"t{len(models)}", name=f"t{len(models)}"))
            print(f"trained {models[-1].name} in {time.monotonic() - started:.0f} s")
        all_texts = texts()
        texts_file = Path(tmp) / "texts.json"
        texts_file.write_text(json.dumps(all_texts, ensure_ascii=False), encoding="utf-8")
        first, second = parses(models[0], texts_file), parses(models[1], texts_file)
    decided = [
        (t, a, b)
        for t, a, b in zip(all_texts, first, second)
        if (a["intent"], a["faq_key"], a["entities"]) != (b["intent"], b["faq_key"], b["entities"])
    ]
    drift = max(abs((a["confidence"] or 0) - (b["confidence"] or 0)) for a, b in zip(first, second))
    print(
        f"messages: {len(all_texts)}; parsed differently: {len(decided)}; largest confidence difference: {drift:.2e}"
    )
    for text, a, b in decided[:20]:
        print(f"  {text}: {a['intent']}/{a['faq_key']} vs {b['intent']}/{b['faq_key']}")


if __name__ == "__main__":
    main()
