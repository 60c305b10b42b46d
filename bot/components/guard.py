"""NoContentGuard: a message with nothing to understand goes to the clarification turn.

DIET is confident even on input it has never seen anything like: “？？？” or a row of emoji is
classified with confidence near 1.0. A message without a single letter, digit or Chinese character
has no words to classify, so this guard (after FallbackClassifier) sets `nlu_fallback` for it, and
the assistant asks back instead of answering a question nobody asked.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

FALLBACK = "nlu_fallback"
CONTENT = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")


def has_content(text: str) -> bool:
    return bool(CONTENT.search(text or ""))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class NoContentGuard(GraphComponent):
    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NoContentGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith(INTENT_MESSAGE_PREFIX) or has_content(text):
                continue
            message.set(INTENT, {"name": FALLBACK, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": FALLBACK, "confidence": 1.0}], add_to_output=True)
        return messages


# "我要转人工，想问问诉讼费…": the contract's boundary says an explicit wish for a person is request_human,
# whatever else the message asks; a classifier trained on both kinds of message may still pick the FAQ.
HUMAN = re.compile(r"转人工|人工客服|人工服务|找人工|要人工|真人客服|找(?:个|一个)?真人|接线员")
NOT_HUMAN = re.compile(r"(?:不用|不要|不需要|别|无需|不必)(?:给我)?(?:转|找)?(?:人工|真人)")
HUMAN_INTENT = "request_human"


def asks_for_a_person(text: str) -> bool:
    return bool(HUMAN.search(text or "")) and not NOT_HUMAN.search(text or "")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ExplicitHumanGuard(GraphComponent):
    """Sets request_human for a message that plainly asks for a person (转人工, 真人客服, 接线员)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExplicitHumanGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith(INTENT_MESSAGE_PREFIX) or not asks_for_a_person(text):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != HUMAN_INTENT]
            message.set(INTENT, {"name": HUMAN_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(
                INTENT_RANKING_KEY, [{"name": HUMAN_INTENT, "confidence": 1.0}] + ranking, add_to_output=True
            )
        return messages
