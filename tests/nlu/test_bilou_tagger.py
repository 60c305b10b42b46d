"""BilouTagger: after it, DIET's own tagging changes nothing, so the models trained after DIET are cached
under the key a second training computes (bot/components/bilou.py). The whole effect, a second
`rasa train` training nothing, is tests/test_reproducible_training.py on the real model."""

from __future__ import annotations

import uuid

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.utils import bilou_utils
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.bilou import BilouTagger
from tests.nlu.rasa_helpers import Pipeline


def _training_data(pipeline: Pipeline) -> TrainingData:
    text = "我叫陈思远，电话13812345678"
    entities = [
        {"start": 2, "end": 5, "value": "陈思远", "entity": "person_name"},
        {"start": 8, "end": 19, "value": "13812345678", "entity": "phone"},
    ]
    tagged = Message(data={"text": text, "intent": "inform", "entities": entities})
    plain = Message(data={"text": "查一下案子", "intent": "case_progress"})
    for message in (tagged, plain):
        pipeline.normalizer.process_training_data(TrainingData([message]))
        pipeline.tokenizer.process_training_data(TrainingData([message]))
    return TrainingData([tagged, plain])


def _tagger(tmp_path) -> BilouTagger:
    storage = LocalModelStorage.create(tmp_path / "storage")
    context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)
    return BilouTagger.create({}, storage, Resource("bilou"), context)


def test_diet_tagging_after_the_tagger_leaves_the_fingerprint_unchanged(tmp_path):
    data = _tagger(tmp_path).process_training_data(_training_data(Pipeline(tmp_path / "p")))
    before = data.fingerprint()
    bilou_utils.apply_bilou_schema(data)  # what DIETClassifier.preprocess_train_data does
    assert data.fingerprint() == before
    assert data.training_examples[0].get("entities")  # the annotations themselves are kept


def test_without_the_tagger_diet_tagging_changes_the_fingerprint(tmp_path):
    """The failure the tagger prevents: keys filed under data DIET has since rewritten."""
    data = _training_data(Pipeline(tmp_path / "p"))
    before = data.fingerprint()
    bilou_utils.apply_bilou_schema(data)
    assert data.fingerprint() != before


def test_at_prediction_time_it_changes_nothing(tmp_path):
    message = Message(data={"text": "查案件进度"})
    assert _tagger(tmp_path).process([message]) == [message]
    assert message.data == {"text": "查案件进度"}
