"""NgramIntentClassifier: intent and FAQ key from one linear SVM over character and word n-grams.

Why (docs/benchmarks.md, "Intent: DIET vs a linear model"): on the second held-out set, written by
other hands, a linear SVM over TF-IDF character 1–3-grams and jieba words beat our DIET
(0.93+ vs 0.91), sent fewer real legal questions to a case-specific intent, trains in seconds instead
of eleven minutes and parses in well under a millisecond. One model decides both the intent and the
FAQ key: each `faq/<key>` is its own class, their probabilities are summed for the `faq` intent, so
no ResponseSelector is needed; its output is written in the ResponseSelector's format, which
`actions/core.py` and Rasa read.

Place it after ChineseNormalizer, JiebaTokenizer and the name extractors (it reads the normalised text,
the tokens and the names), before FallbackClassifier (which reads its confidence). Intent triggers (`/faq`, `/affirm`) get no
guess (no intent, confidence 0, no FAQ key): Rasa's RegexMessageHandler, last in the graph, sets theirs.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers import LABEL_RANKING_LENGTH
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
    TOKENS_NAMES,
)
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.sources import digest, kernel_sources
from kernel.nlu.extract import extract_entities

logger = logging.getLogger(__name__)

MODEL_FILE = "ngram_intent.joblib"
#: The retrieval intent whose keys are classes of their own (domain.yml utter_faq/<key>).
RETRIEVAL_INTENT = "faq"
#: What the classifier reads in place of a rule entity: "查案子 2026京03民终512号" is a progress ask whatever
#: the digits, and a case number's eighteen characters of n-grams made it read as `inform`.
#: Names too: a bare "尹立远" typed where the form asks for a name was read as an FAQ by its characters.
PLACEHOLDERS = {
    "case_number": "〈案号〉",
    "id_number": "〈身份证〉",
    "phone": "〈手机〉",
    "credit_code": "〈代码〉",
}
NAME_PLACEHOLDERS = {"person_name": "〈姓名〉", "org_name": "〈单位〉"}
LONG_NUMBER = re.compile(r"\d{5,}")
NUMBER = "〈号码〉"


# ---------------------------------------------------------------- pure model (shared with the benchmark)


def words_of(doc: Sequence[str]) -> list[str]:
    """The vectoriser's analyser for pre-tokenised input; a module function so the model pickles."""
    return list(doc)


class NgramModel:
    """TF-IDF character n-grams of the text + TF-IDF jieba words → LinearSVC; softmax confidences."""

    def __init__(self, config: dict[str, Any]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        low, high = config["char_ngram_range"]
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high), sublinear_tf=True)
        self.words = TfidfVectorizer(analyzer=words_of, sublinear_tf=True, lowercase=False)
        self.svm = LinearSVC(
            C=config["C"],
            class_weight="balanced" if config["balanced"] else None,
            random_state=config["random_seed"],
            max_iter=config["max_iter"],
        )
        self.temperature = float(config["temperature"])

    def _features(self, texts: Sequence[str], tokens: Sequence[Sequence[str]], fit: bool = False):
        from scipy.sparse import hstack

        if fit:
            return hstack([self.chars.fit_transform(texts), self.words.fit_transform(tokens)]).tocsr()
        return hstack([self.chars.transform(texts), self.words.transform(tokens)]).tocsr()

    def fit(self, texts: Sequence[str], tokens: Sequence[Sequence[str]], labels: Sequence[str]) -> NgramModel:
        self.svm.fit(self._features(texts, tokens, fit=True), list(labels))
        return self

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.svm.classes_]

    def probabilities(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """Softmax of the SVM's margins over a temperature: the ranking of the margins, as confidences
        the FallbackClassifier's threshold can be set on (docs/benchmarks.md, threshold sweep)."""
        margins = np.atleast_2d(self.svm.decision_function(self._features(texts, tokens)))
        if margins.shape[1] == 1:  # two classes: sklearn gives one margin, for the second class
            margins = np.hstack([-margins, margins])
        scaled = (margins - margins.max(axis=1, keepdims=True)) / self.temperature
        exp = np.exp(scaled)
        return exp / exp.sum(axis=1, keepdims=True)


def training_label(message: Message) -> str:
    """`faq/<key>` for a retrieval example, the intent otherwise."""
    return str(message.get(INTENT_RESPONSE_KEY) or message.get(INTENT))


def classifier_input(message: Message) -> tuple[str, list[str]]:
    """The normalised text and jieba's tokens (lower-cased, no blanks) with every rule entity (case
    number, ID, phone, credit code, found by kernel/nlu/extract.py) and every name replaced by its
    placeholder. Names are the message's person_name / org_name: annotated ones in training, those of the
    name extractors (which run before this classifier) in a parse."""
    text = message.get(TEXT) or ""
    spans = sorted(
        (e["start"], e["end"], PLACEHOLDERS[e["entity"]])
        for e in extract_entities(text)
        if e["entity"] in PLACEHOLDERS
    )
    for entity in message.get(ENTITIES) or []:
        kind, start, end = entity.get("entity"), entity.get("start"), entity.get("end")
        if kind in NAME_PLACEHOLDERS and isinstance(start, int) and isinstance(end, int):
            if not any(start < e and s < end for s, e, _ in spans):
                spans.append((start, end, NAME_PLACEHOLDERS[kind]))
    spans.sort()
    tokens: list[str] = []
    pending = list(spans)
    for token in message.get(TOKENS_NAMES[TEXT]) or []:
        while pending and pending[0][1] <= token.start:
            tokens.append(pending.pop(0)[2])  # a span no token started in
        inside = any(start <= token.start < end for start, end, _ in spans)
        if not inside and token.text.strip():
            tokens.append(token.text.lower())
        elif inside and pending and pending[0][0] <= token.start:
            tokens.append(pending.pop(0)[2])
    tokens.extend(placeholder for _, _, placeholder in pending)
    for start, end, placeholder in reversed(spans):
        text = text[:start] + placeholder + text[end:]
    # other long numbers (a lawyer's 17-digit licence, an account, a partial ID) read as one placeholder too
    return LONG_NUMBER.sub(NUMBER, text), [NUMBER if LONG_NUMBER.fullmatch(t) else t for t in tokens]


def rank(classes: Sequence[str], probs: Sequence[float]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(intent ranking with the faq keys summed into `faq`, ranking of the faq keys within `faq`)."""
    intents: dict[str, float] = {}
    keys: list[tuple[str, float]] = []
    for label, p in zip(classes, probs):
        intent = label.split("/", 1)[0]
        intents[intent] = intents.get(intent, 0.0) + float(p)
        if intent == RETRIEVAL_INTENT and "/" in label:
            keys.append((label, float(p)))
    intent_ranking = [
        {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: conf}
        for name, conf in sorted(intents.items(), key=lambda kv: -kv[1])
    ]
    total = sum(p for _, p in keys) or 1.0
    key_ranking = [
        {INTENT_RESPONSE_KEY: label, PREDICTED_CONFIDENCE_KEY: p / total}
        for label, p in sorted(keys, key=lambda kv: -kv[1])
    ]
    return intent_ranking, key_ranking


# ---------------------------------------------------------------- the component


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class NgramIntentClassifier(GraphComponent, IntentClassifier):
    """Intent (and `faq/<key>`) by a linear SVM over character and word n-grams, kept in Rasa's model."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: NgramModel | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model
        self.responses = responses or {}

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "char_ngram_range": [1, 3],  # 1–4 and 2–4 were no better on the second held-out set
            "C": 1.0,
            "balanced": True,  # the FAQ keys and small talk have ~50 examples, the intents ~250
            "temperature": 0.1,
            "random_seed": 2024,
            "max_iter": 5000,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa fingerprints the class source only; the model class lives beside it and the placeholders
        come from the kernel's entity rules, so those sources count too."""
        return digest([Path(__file__), *kernel_sources([Path(__file__)])])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NgramIntentClassifier:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if _parseable(m.get(TEXT))]
        labels = [training_label(m) for m in examples]
        if len(set(labels)) < 2:
            logger.warning("NgramIntentClassifier needs two intents or more; it is not trained.")
            return self._resource
        inputs = [classifier_input(m) for m in examples]
        model = NgramModel(self.config).fit([t for t, _ in inputs], [w for _, w in inputs], labels)
        keys = {label for label in labels if "/" in label}
        self.responses = {
            f"utter_{key}": list(training_data.responses.get(f"utter_{key}") or []) for key in sorted(keys)
        }
        self.model = model
        import joblib

        with self._model_storage.write_to(self._resource) as model_dir:
            joblib.dump({"model": model, "responses": self.responses}, Path(model_dir) / MODEL_FILE)
        logger.info(
            "NgramIntentClassifier trained on %d examples, %d classes.", len(examples), len(set(labels))
        )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> NgramIntentClassifier:
        import joblib

        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                stored = joblib.load(Path(model_dir) / MODEL_FILE)
        except (ValueError, FileNotFoundError):  # nothing was persisted: fewer than two intents
            logger.warning("NgramIntentClassifier has no trained model in resource '%s'.", resource.name)
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, stored["model"], stored["responses"])

    def process(self, messages: list[Message]) -> list[Message]:
        if self.model is None:
            return messages
        todo = []
        for message in messages:
            if _parseable(message.get(TEXT)):
                todo.append(message)
                continue
            # an intent trigger: no guess, the RegexMessageHandler sets its intent
            message.set(INTENT, {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if not todo:
            return messages
        inputs = [classifier_input(m) for m in todo]
        probs = self.model.probabilities([t for t, _ in inputs], [w for _, w in inputs])
        for message, row in zip(todo, probs):
            self._set(message, row)
        return messages

    def _set(self, message: Message, row: np.ndarray) -> None:
        intent_ranking, key_ranking = rank(self.model.classes, row.tolist())  # type: ignore[union-attr]
        message.set(INTENT, intent_ranking[0], add_to_output=True)
        message.set(INTENT_RANKING_KEY, intent_ranking[:LABEL_RANKING_LENGTH], add_to_output=True)
        if key_ranking:
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, self._selector(key_ranking), add_to_output=True)

    def _selector(self, key_ranking: list[dict[str, Any]]) -> dict[str, Any]:
        """The ResponseSelector's output for the `faq` retrieval intent (rasa/nlu/selectors)."""
        top = key_ranking[0]
        utter = f"utter_{top[INTENT_RESPONSE_KEY]}"
        return {
            RESPONSE_SELECTOR_RETRIEVAL_INTENTS: [RETRIEVAL_INTENT],
            RETRIEVAL_INTENT: {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter) or [],
                    PREDICTED_CONFIDENCE_KEY: top[PREDICTED_CONFIDENCE_KEY],
                    INTENT_RESPONSE_KEY: top[INTENT_RESPONSE_KEY],
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter,
                },
                RESPONSE_SELECTOR_RANKING_KEY: key_ranking[:LABEL_RANKING_LENGTH],
            },
        }


def _parseable(text: Any) -> bool:
    return isinstance(text, str) and bool(text) and not text.startswith(INTENT_MESSAGE_PREFIX)
