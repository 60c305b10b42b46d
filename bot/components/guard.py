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
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> NoContentGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith(INTENT_MESSAGE_PREFIX) or has_content(text):
                continue
            message.set(INTENT, {"name": FALLBACK, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [{"name": FALLBACK, "confidence": 1.0}], add_to_output=True)
        return messages
