"""NgramIntentClassifier through Rasa's own create → train → load cycle, behind the real tokenizer."""

from __future__ import annotations

import uuid

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.intent import NgramIntentClassifier, rank
from tests.nlu.rasa_helpers import DICT_DIR

DATA = {
    "query_case_progress": ["我的案子审到哪一步了", "开庭时间定了没有", "判决书出来了吗", "案件进度怎么样了"],
    "contact_judge": ["我要联系承办法官", "法官电话多少", "让法官给我回个电话", "找不到法官怎么办"],
    "faq/litigation_fee": ["诉讼费多少钱", "诉讼费怎么交", "上诉费要交多少", "案件受理费标准"],
    "faq/office_hours": ["法院几点上班", "周六开门吗", "中午休息吗", "几点下班"],
}


def _message(text: str, label: str | None = None) -> Message:
    data: dict = {"text": text}
    if label:
        intent, _, key = label.partition("/")
        data["intent"] = intent
        if key:
            data["intent_response_key"] = label
    return Message(data=data)


@pytest.fixture(scope="module")
def parts(tmp_path_factory):
    storage = LocalModelStorage.create(tmp_path_factory.mktemp("intent"))
    context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)
    tokenizer = JiebaTokenizer.create(
        {**JiebaTokenizer.get_default_config(), "dictionary_path": str(DICT_DIR)},
        storage,
        Resource("tok"),
        context,
    )
    examples = [_message(t, label) for label, texts in DATA.items() for t in texts]
    data = TrainingData(
        training_examples=examples,
        responses={
            "utter_faq/litigation_fee": [{"text": "诉讼费按标的额计算。"}],
            "utter_faq/office_hours": [],
        },
    )
    tokenizer.process_training_data(data)
    config = NgramIntentClassifier.get_default_config()
    resource = Resource("intent")
    trained = NgramIntentClassifier.create(config, storage, resource, context)
    assert trained.train(data) == resource
    loaded = NgramIntentClassifier.load(config, storage, resource, context)

    def parse(component: NgramIntentClassifier, text: str) -> Message:
        message = _message(text)
        tokenizer.process([message])
        component.process([message])
        return message

    return trained, loaded, parse


@pytest.mark.parametrize(
    "text, intent, key",
    [
        ("我那个案子开庭了没有", "query_case_progress", None),
        ("帮我联系一下法官", "contact_judge", None),
        ("诉讼费到底交多少", "faq", "faq/litigation_fee"),
        ("法院周日上班吗", "faq", "faq/office_hours"),
    ],
)
def test_the_reloaded_model_gives_intent_and_faq_key(parts, text, intent, key):
    _, loaded, parse = parts
    message = parse(loaded, text)
    assert message.get("intent")["name"] == intent
    selector = (message.get("response_selector") or {}).get("faq", {}).get("response", {})
    if key:  # the key in the ResponseSelector's own format, which actions/core.py reads
        assert selector["intent_response_key"] == key
        assert selector["utter_action"] == f"utter_{key}"


def test_faq_keys_are_summed_into_one_faq_intent(parts):
    _, loaded, parse = parts
    ranking = parse(loaded, "诉讼费多少钱").get("intent_ranking")
    names = [r["name"] for r in ranking]
    assert names.count("faq") == 1 and not any("/" in n for n in names)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    assert ranking == sorted(ranking, key=lambda r: -r["confidence"])


def test_the_reloaded_model_parses_exactly_as_the_trained_one(parts):
    trained, loaded, parse = parts
    for text in ["我的案子审到哪了", "诉讼费", "法官电话", "你好"]:
        assert parse(loaded, text).get("intent_ranking") == parse(trained, text).get("intent_ranking")


def test_an_intent_trigger_gets_no_guess_and_no_faq_key(parts):
    """A button's /affirm or the 常见问题 button's bare /faq: no intent is guessed and no FAQ key invented
    (the FallbackClassifier after this one needs an intent to read; the RegexMessageHandler sets the real one)."""
    _, loaded, parse = parts
    for trigger in ("/faq", "/affirm"):
        message = parse(loaded, trigger)
        assert message.get("intent") == {"name": None, "confidence": 0.0}
        assert message.get("intent_ranking") == [] and message.get("response_selector") is None


@pytest.mark.parametrize(
    "classes, probs, top, keys",
    [
        (["faq/a", "faq/b", "greet"], [0.3, 0.3, 0.4], ("faq", 0.6), ["faq/a", "faq/b"]),
        (["faq/a", "greet", "deny"], [0.1, 0.2, 0.7], ("deny", 0.7), ["faq/a"]),
        (["greet", "deny"], [0.5, 0.5], ("greet", 0.5), []),
    ],
)
def test_rank_sums_the_keys_and_ranks_them_within_faq(classes, probs, top, keys):
    intents, key_ranking = rank(classes, probs)
    assert (intents[0]["name"], round(intents[0]["confidence"], 6)) == top
    assert [k["intent_response_key"] for k in key_ranking] == keys
    if key_ranking:
        assert sum(k["confidence"] for k in key_ranking) == pytest.approx(1.0)


def test_the_fallback_classifier_after_it_takes_a_button_payload(parts):
    """The pipeline order of config.yml on a button's payload: FallbackClassifier must find an intent
    (a KeyError there was every confirmation button's "系统繁忙")."""
    from rasa.nlu.classifiers.fallback_classifier import FallbackClassifier

    _, loaded, parse = parts
    message = parse(loaded, "/affirm")
    fallback = FallbackClassifier({**FallbackClassifier.get_default_config(), "threshold": 0.55})
    fallback.process([message])
    assert message.get("intent")["name"] == "nlu_fallback"  # replaced by the trigger's intent after it
