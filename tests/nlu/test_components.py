"""The Rasa components on real messages: normaliser + JiebaTokenizer + rule extractor."""

from __future__ import annotations

import warnings

import pytest
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.graph_components.validators.default_recipe_validator import DefaultV1RecipeValidator
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.data import TrainingType
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.nlu.rasa_helpers import DICT_DIR, Pipeline

GOOD_ID = "11010519491231002X"


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory) -> Pipeline:
    return Pipeline(tmp_path_factory.mktemp("pipeline"))


def _entities(message: Message) -> list[tuple[str, str, str]]:
    return [(e["entity"], e["value"], e["extractor"]) for e in message.get("entities", [])]


def test_traditional_full_width_spaced_input_gives_canonical_entities(pipeline):
    message = pipeline.parse(
        "我的案號是 （２０２２）京０３民終１２３４號 ，電話 138 1234 5678，身份證 " + GOOD_ID.lower()
    )
    assert (
        message.get("text") == "我的案号是（2022）京03民终1234号，电话13812345678，身份证" + GOOD_ID.lower()
    )
    assert _entities(message) == [
        ("case_number", "（2022）京03民终1234号", "CourtEntityExtractor"),
        ("phone", "13812345678", "CourtEntityExtractor"),
        ("id_number", GOOD_ID, "CourtEntityExtractor"),
    ]
    starts = {t.start for t in message.get("text_tokens")}
    ends = {t.end for t in message.get("text_tokens")}
    for entity in message.get("entities"):
        assert entity["start"] in starts and entity["end"] in ends  # aligned with Jieba's tokens


def test_invalid_numbers_are_problems_not_entities(pipeline):
    message = pipeline.parse("身份证110105194912310021，案号（2031）京03民终1号")
    assert message.get("entities") == []
    problems = message.as_dict(only_output_properties=True)["nlu_problems"]
    assert [(p["entity"], p["kind"]) for p in problems] == [
        ("id_number", "check_digit"),
        ("case_number", "future_year"),
    ]
    assert "110105194912310021" not in str(problems)


def test_rule_entities_replace_or_drop_other_extractors_guesses(pipeline):
    text = "案号（2022）京03民终1234号 座机010-12345678 我叫陈明"
    normalized = "案号（2022）京03民终1234号座机010-12345678我叫陈明"
    guesses = [
        {
            "entity": "case_number",
            "start": 2,
            "end": 18,
            "value": "（2022）京03民终1234号",
            "extractor": "DIETClassifier",
        },
        {"entity": "phone", "start": 20, "end": 32, "value": "010-12345678", "extractor": "DIETClassifier"},
        {"entity": "person_name", "start": 34, "end": 36, "value": "陈明", "extractor": "DIETClassifier"},
    ]
    message = Message(data={"text": normalized, "entities": guesses})
    pipeline.tokenizer.process([message])
    pipeline.extractor.process([message])
    pipeline.extractor.process([message])  # twice: still no duplicates
    assert _entities(message) == [
        ("case_number", "（2022）京03民终1234号", "CourtEntityExtractor"),
        ("person_name", "陈明", "DIETClassifier"),
    ]
    assert pipeline.parse(text).get("text") == normalized


def test_intent_triggers_pass_untouched(pipeline):
    trigger = '/inform{"case_number": "（2022）京03民终1234号", "phone": "138 1234 5678"}'
    message = pipeline.parse(trigger)
    assert message.get("text") == trigger
    assert not message.get("entities")


def test_training_examples_are_normalised_with_entities_moved(pipeline):
    raw = "  我的案號是 (２０２２)京03民終1234號，我叫 陳明"
    start = raw.index("陳明")
    example = Message(
        data={
            "text": raw,
            "intent": "inform",
            "entities": [{"entity": "person_name", "start": start, "end": start + 2, "value": "陳明"}],
        }
    )
    data = TrainingData([example])
    pipeline.normalizer.process_training_data(data)
    pipeline.tokenizer.process_training_data(data)
    assert example.get("text") == "我的案号是(2022)京03民终1234号，我叫陈明"
    [entity] = example.get("entities")
    assert example.get("text")[entity["start"] : entity["end"]] == entity["value"] == "陈明"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EntityExtractorMixin.check_correct_entity_annotations(data)


def test_the_recipe_places_the_normaliser_before_the_tokenizer_on_both_paths():
    config = {
        "recipe": "default.v1",
        "language": "zh",
        "pipeline": [
            {"name": "bot.components.normalizer.ChineseNormalizer"},
            {"name": "JiebaTokenizer", "dictionary_path": str(DICT_DIR)},
            {"name": "bot.components.intent.NgramIntentClassifier"},
            {"name": "bot.components.entities.CourtEntityExtractor"},
        ],
        "policies": [],
    }
    graph = DefaultV1Recipe().graph_config_for_recipe(config, {}, TrainingType.NLU)
    train, predict = graph.train_schema.nodes, graph.predict_schema.nodes
    normalizer = "run_bot.components.normalizer.ChineseNormalizer0"
    assert train[normalizer].fn == "process_training_data"
    assert train["run_JiebaTokenizer1"].needs["training_data"] == normalizer
    assert predict["run_JiebaTokenizer1"].needs["messages"] == normalizer
    extractor = predict["run_bot.components.entities.CourtEntityExtractor3"]
    assert extractor.needs["messages"] == "run_bot.components.intent.NgramIntentClassifier2"
    DefaultV1RecipeValidator(graph.train_schema)._raise_if_more_than_one_tokenizer()
