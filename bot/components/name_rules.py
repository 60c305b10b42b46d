"""NameRuleExtractor: person_name / org_name by rule (kernel.nlu.name_finder), merged with the NER's.

Why: the spaCy NER (SpacyNameExtractor) learnt the names of our few annotated examples and misses
names inside longer sentences written by other hands (我们成都锦程装饰工程有限公司被人告了), or cuts
them wrong (诸葛文杰 → 葛文杰, 陈晓上次 → 陈晓上); docs/benchmarks.md "Names" has the figures.
The rules fire on a surname or an organisation ending in a context; where they fire they win,
and the NER's names fill the rest when they are shaped like names (`kernel.nlu.name_finder.merge_names`).

Place it after SpacyNameExtractor (whose names it merges) and before CourtEntityExtractor (which
still drops any name overlapping an ID, a phone or a case number). It reads the JiebaTokenizer's
tokens, so a stop word only cuts a name where it is a whole word (北京和平里医院 keeps its 和).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from kernel.nlu.name_finder import NameSpan, find_names, merge_names

LABELS = ("person_name", "org_name")


def token_boundaries(tokens: Iterable[Any] | None) -> set[int] | None:
    """Start and end offsets of the message's tokens; None without tokens (every offset counts)."""
    if not tokens:
        return None
    bounds: set[int] = set()
    for token in tokens:
        bounds.update((token.start, token.end))
    return bounds


def merge_entities(
    text: str,
    entities: Sequence[dict[str, Any]],
    boundaries: set[int] | None,
    labels: Sequence[str] = LABELS,
    extractor: str = "NameRuleExtractor",
) -> list[dict[str, Any]]:
    """The message's entities with the names replaced by rules ∪ model (rules first).

    Shared with benchmarks/names.py, so the figures are those of the running pipeline."""
    others = [e for e in entities if e.get("entity") not in labels]
    model = {
        NameSpan(e["start"], e["end"], e["entity"], text[e["start"] : e["end"]]): e
        for e in entities
        if e.get("entity") in labels and "start" in e and "end" in e
    }
    rules = [span for span in find_names(text, boundaries) if span.label in labels]
    merged = merge_names(rules, list(model))
    names = [
        model[span]
        if span in model
        else {
            "entity": span.label,
            "start": span.start,
            "end": span.end,
            "value": span.value,
            "extractor": extractor,
        }
        for span in merged
    ]
    return sorted(others + names, key=lambda e: e.get("start", 0))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class NameRuleExtractor(GraphComponent, EntityExtractorMixin):
    """Rule names first, the earlier extractors' names where the rules are silent."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.labels = tuple(config["entities"])
        self.use_tokens = bool(config["use_tokens"])

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # use_tokens: read the tokenizer's word boundaries (org_name F1 on the outside set
        # 1.00 with them, 0.87 without: 济南历下 lost its 下, 都匀市 its 都)
        return {"entities": list(LABELS), "use_tokens": True}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NameRuleExtractor:
        return cls({**cls.get_default_config(), **config})

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX):
                continue
            bounds = token_boundaries(message.get(TOKENS_NAMES[TEXT])) if self.use_tokens else None
            entities = merge_entities(
                text, message.get(ENTITIES, []), bounds, self.labels, self.__class__.__name__
            )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
