"""ChineseNormalizer: rewrites a message's text with kernel.nlu.normalize before it is tokenised.

It is registered as a MESSAGE_TOKENIZER because that is the only component type the
DefaultV1Recipe runs on training data (`process_training_data`) as well as on incoming
messages (`process`), in config order: it must come first in the pipeline, before
JiebaTokenizer. It is not a `Tokenizer` subclass, so Rasa's one-tokenizer check is not
affected. Training examples are rewritten the same way, with their entity offsets moved,
so the model learns on exactly what it will see. The tracker keeps the citizen's original
text (UserUttered.text); /model/parse reports the normalised text, to which entity offsets
refer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.sources import digest, kernel_sources
from kernel.nlu import normalize as rules


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class ChineseNormalizer(GraphComponent):
    """Traditional → Simplified, full-width → ASCII, stray spaces, court-term typos."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNormalizer:
        return cls()

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @staticmethod
    def required_packages() -> list[str]:
        return ["opencc"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa fingerprints this class's source only; the rules live in kernel/nlu, so the sources
        of the rules it runs are added: a changed rule must not reuse cached, differently normalised data."""
        return digest([Path(__file__), *kernel_sources([Path(__file__)])])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            normalize_message(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            normalize_message(example)
        return training_data


def normalize_message(message: Message) -> None:
    """Rewrite TEXT in place; move annotated entities along. Intent triggers (/inform{...}) are
    left alone: their JSON must reach the RegexMessageHandler unchanged."""
    text = message.get(TEXT)
    if not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX):
        return
    new_text, mapping = rules.normalize_with_map(text)
    if new_text == text:
        return
    entities = message.get(ENTITIES)
    if entities:
        message.set(ENTITIES, [e for e in (_moved(e, text, new_text, mapping) for e in entities) if e])
    message.set(TEXT, new_text)


def _moved(entity: dict[str, Any], text: str, new_text: str, mapping: list[int]) -> dict[str, Any] | None:
    if "start" not in entity or "end" not in entity:
        return entity
    span = rules.move_span(mapping, entity["start"], entity["end"])
    if span is None:
        return None
    moved = {**entity, "start": span[0], "end": span[1]}
    if entity.get("value") == text[entity["start"] : entity["end"]]:
        moved["value"] = new_text[span[0] : span[1]]  # a literal value follows its text
    return moved
