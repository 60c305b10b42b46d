"""The trained model on data it never saw: held-out NLU accuracy and the e2e test stories.

Trains the real config once per run (seeded, see tests/conftest.py) and evaluates with Rasa's own
`rasa test` commands, so the figures are the ones an operator would reproduce.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RASA = str(ROOT / ".venv" / "bin" / "rasa")

pytestmark = pytest.mark.slow


def test_heldout_intent_accuracy_and_f1(trained_model, tmp_path):
    proc = subprocess.run(
        [
            RASA,
            "test",
            "nlu",
            "--model",
            str(trained_model),
            "--nlu",
            "tests/nlu/data/heldout.yml",
            "--out",
            str(tmp_path),
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "intent_report.json").read_text())
    # The target is 0.95 (measured by benchmarks/nlu_benchmark.py, docs/benchmarks.md); the test's bar sits a
    # little lower so that CPU-thread nondeterminism of a seeded training cannot flip it, while a real
    # regression (a lost intent, broken normalisation) still fails it.
    weak = {k: v for k, v in report.items() if isinstance(v, dict) and v.get("f1-score", 1) < 0.9}
    assert report["accuracy"] >= 0.93, weak
    assert report["macro avg"]["f1-score"] >= 0.92, weak


def test_e2e_stories(trained_model, tmp_path):
    proc = subprocess.run(
        [
            RASA,
            "test",
            "core",
            "--model",
            str(trained_model),
            "--stories",
            "tests/stories",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
            "--no-plot",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    failed = tmp_path / "failed_test_stories.yml"
    assert proc.returncode == 0, (failed.read_text() if failed.exists() else "") + proc.stdout[-3000:]
