"""Two trainings from one commit understand the same: the same intent, FAQ key and entities for every message.

The suite's other slow tests run on the model the session trained; if a second training read citizens
differently (CI once read 陈思远 as 陈思 on a fresh training while a local model read it whole), those tests
would only prove something about one lucky training. So this trains again from nothing (`--force`: no
component restored from Rasa's cache) and parses the held-out sets and every typed turn of the conversation
suites with both models. The dialogue is rules and forms, so equal parses mean equal conversations.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conversations.runner import HERE as CONVERSATIONS
from tests.conversations.runner import load
from tests.stack import train_model

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
CONFIDENCE_TOLERANCE = 1e-4  # float sums in another order may differ in the last bits; a decision may not


def _texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    texts: list[str] = []
    for name in ("heldout.yml", "heldout_b.yml", "outside.yml"):
        texts += [m.get("text") for m in load_data(str(ROOT / "tests/nlu/data" / name)).intent_examples]
    for folder in sorted(p for p in CONVERSATIONS.iterdir() if p.is_dir() and list(p.glob("*.yml"))):
        for conversation in load(folder):
            texts += [t for t in conversation["turns"] if isinstance(t, str) and "{" not in t]
    return sorted(set(texts))


def _parses(model: Path, texts_file: Path) -> list[dict]:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/evaluate_model.py"), str(model), str(texts_file)],
        cwd=ROOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("@@RESULT@@"))
    return json.loads(line.removeprefix("@@RESULT@@"))["parses"]


def test_a_second_training_parses_every_message_the_same(trained_model, tmp_path):
    texts = _texts()
    texts_file = tmp_path / "texts.json"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    again = train_model(tmp_path / "again", name="again")
    first, second = _parses(trained_model, texts_file), _parses(again, texts_file)
    decided = [
        (text, a, b)
        for text, a, b in zip(texts, first, second)
        if (a["intent"], a["faq_key"], a["entities"]) != (b["intent"], b["faq_key"], b["entities"])
    ]
    drift = max(abs((a["confidence"] or 0) - (b["confidence"] or 0)) for a, b in zip(first, second))
    print(f"\n{len(texts)} messages; {len(decided)} parsed differently; largest confidence drift {drift:.2e}")
    assert not decided, "\n".join(f"{t}: {a} != {b}" for t, a, b in decided[:20])
    assert drift <= CONFIDENCE_TOLERANCE


def test_a_second_training_with_nothing_changed_trains_nothing(trained_model):
    """What a second `make run` does: the model in place is kept, no component is trained again."""
    before = trained_model.stat().st_mtime_ns
    proc = subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "train",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(trained_model.parent),
            "--fixed-model-name",
            trained_model.name.removesuffix(".tar.gz"),
        ],
        cwd=ROOT,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
        capture_output=True,
        text=True,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "Starting to train component" not in log, log[-3000:]
    assert trained_model.stat().st_mtime_ns == before
