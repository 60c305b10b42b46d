"""A second training with nothing changed trains nothing: what a second `make run` does.

Whether two trainings from one commit understand the same (they did: 2,676 messages, none parsed differently,
docs/benchmarks.md) is `benchmarks/reproducible.py`: a second full training would double the slow tier's
longest step, so it is a benchmark, not a CI test.
"""

from __future__ import annotations

import pytest

from tests.stack import rasa_train

pytestmark = pytest.mark.slow


def test_a_second_training_with_nothing_changed_trains_nothing(trained_model):
    """What a second `make run` does: every model comes out of Rasa's cache, none is trained again.

    (Rasa 3 still packs the restored parts into a new archive at the same path: the file is rewritten.)"""
    log = rasa_train(trained_model.parent, trained_model.name.removesuffix(".tar.gz"), force=False)
    assert "Starting to train component" not in log, log[-3000:]
    for component in ("NgramIntentClassifier", "SpacyNameExtractor", "RulePolicy"):
        assert f"Restored component '{component}' from cache" in log, log[-3000:]
    assert trained_model.is_file()
