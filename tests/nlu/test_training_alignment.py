"""Training annotations must sit on token boundaries after normalising and Jieba: a
misaligned entity is silently dropped from DIET's training (Rasa only warns)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.nlu.rasa_helpers import Pipeline

DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"


@pytest.mark.skipif(not list(DATA.glob("*.yml")), reason="no NLU training data yet")
def test_no_misaligned_entity_annotations(tmp_path):
    data = TrainingData().merge(*[load_data(str(path)) for path in sorted(DATA.glob("*.yml"))])
    pipeline = Pipeline(tmp_path)
    pipeline.normalizer.process_training_data(data)
    pipeline.tokenizer.process_training_data(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        EntityExtractorMixin.check_correct_entity_annotations(data)
    misaligned = [str(w.message).split(" Make sure")[0] for w in caught if "Misaligned" in str(w.message)]
    assert misaligned == []
