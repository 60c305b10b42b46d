"""SpacyNameExtractor through Rasa's own create → train → load cycle on a tiny in-memory data set."""

from __future__ import annotations

import uuid

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.names import SpacyNameExtractor, training_samples

ORG = "北京金石湾餐饮管理有限公司"
PERSON = "林淑华"
#: (template, name, label): each frame is seen with a name so the tiny model learns the names.
FRAMES = [
    ("我要起诉{}", ORG, "org_name"),
    ("{}欠我工资不给", ORG, "org_name"),
    ("查一下{}是不是失信被执行人", ORG, "org_name"),
    ("被执行人是{}", ORG, "org_name"),
    ("我是{}", PERSON, "person_name"),
    ("被执行人姓名{}", PERSON, "person_name"),
    ("我叫{}想问立案", PERSON, "person_name"),
]
PLAIN = ["怎么立案", "诉讼费多少钱", "法院几点上班", "你好", "执行款什么时候到账"]


def _example(template: str, name: str, label: str) -> Message:
    text = template.format(name)
    start = text.index(name)
    entity = {"entity": label, "start": start, "end": start + len(name), "value": name}
    return Message(data={"text": text, "intent": "ask", "entities": [entity]})


def _training_data() -> TrainingData:
    examples = [_example(*frame) for frame in FRAMES]
    examples += [Message(data={"text": t, "intent": "ask"}) for t in PLAIN]
    return TrainingData(training_examples=examples)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Train once (a few seconds), then hand out the storage so tests can load from it."""
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("names"))
    context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)
    resource = Resource("names")
    # a dozen examples: small batches and no dropout so that a few seconds of training fit them
    config = {**SpacyNameExtractor.get_default_config(), "epochs": 15, "batch_size": 2, "dropout": 0.0}
    component = SpacyNameExtractor.create(config, storage, resource, context)
    assert component.train(_training_data()) == resource
    loaded = SpacyNameExtractor.load(config, storage, resource, context)
    return component, loaded


def _parse(component: SpacyNameExtractor, text: str, entities: list[dict] | None = None) -> list[tuple]:
    message = Message(data={"text": text, "entities": entities or []})
    component.process([message])
    return [(e["entity"], e["value"], e["extractor"]) for e in message.get("entities")]


def test_reloaded_model_tags_a_known_org_name_whole(trained):
    _, loaded = trained
    assert loaded.nlp is not None  # read back from model storage, not the trained object
    assert _parse(loaded, f"我要起诉{ORG}") == [("org_name", ORG, "SpacyNameExtractor")]
    assert _parse(loaded, f"我是{PERSON}") == [("person_name", PERSON, "SpacyNameExtractor")]


def test_reloaded_model_gives_the_same_names_as_the_trained_one(trained):
    component, loaded = trained
    for template, name, _ in FRAMES:
        text = template.format(name)
        assert _parse(loaded, text) == _parse(component, text)


def test_diet_org_pieces_are_replaced_other_entities_kept(trained):
    _, loaded = trained
    text = f"我要起诉{ORG}"
    diet = [
        {"entity": "org_name", "start": 4, "end": 6, "value": "北京", "extractor": "DIETClassifier"},
        {
            "entity": "org_name",
            "start": 9,
            "end": 17,
            "value": "餐饮管理有限公司",
            "extractor": "DIETClassifier",
        },
        {"entity": "court_name", "start": 4, "end": 6, "value": "北京", "extractor": "DIETClassifier"},
    ]
    assert _parse(loaded, text, diet) == [
        ("court_name", "北京", "DIETClassifier"),
        ("org_name", ORG, "SpacyNameExtractor"),
    ]


def test_no_name_over_a_rule_entity(trained):
    _, loaded = trained
    text = f"我要起诉{ORG}"
    rule = {
        "entity": "credit_code",
        "start": 4,
        "end": len(text),
        "value": "91110000MA01ABCD1X",
        "extractor": "CourtEntityExtractor",
    }
    assert _parse(loaded, text, [rule]) == [("credit_code", "91110000MA01ABCD1X", "CourtEntityExtractor")]


def test_intent_triggers_are_left_alone(trained):
    _, loaded = trained
    entity = {"entity": "org_name", "start": 0, "end": 1, "value": "x", "extractor": "RegexMessageHandler"}
    assert _parse(loaded, "/inform", [entity]) == [("org_name", "x", "RegexMessageHandler")]


def test_untrained_resource_loads_and_changes_nothing(tmp_path):
    storage = LocalModelStorage.create(tmp_path)
    context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)
    config = SpacyNameExtractor.get_default_config()
    component = SpacyNameExtractor.create(config, storage, Resource("none"), context)
    component.train(TrainingData(training_examples=[Message(data={"text": "你好", "intent": "greet"})]))
    loaded = SpacyNameExtractor.load(config, storage, Resource("none"), context)
    diet = {"entity": "person_name", "start": 2, "end": 4, "value": "张三", "extractor": "DIETClassifier"}
    assert _parse(loaded, "我是张三", [diet]) == [("person_name", "张三", "DIETClassifier")]


def test_overlapping_name_annotations_stop_training():
    text = f"我要起诉{ORG}"
    entities = [
        {"entity": "org_name", "start": 4, "end": 17},
        {"entity": "person_name", "start": 6, "end": 8},
    ]
    data = TrainingData(
        training_examples=[Message(data={"text": text, "intent": "ask", "entities": entities})]
    )
    with pytest.raises(ValueError, match="overlapping"):
        training_samples(data)
