"""CourtEntityExtractor: case_number, id_number, credit_code and phone by rule, canonical values.

Put it last among the extractors (after ChineseNormalizer + JiebaTokenizer) in the pipeline.
For its entity types it is authoritative: entities of those types that other extractors
found are replaced by the rule's canonical entity, or dropped when the rules do not
confirm them (only complete, valid values are entities; a wrong ID must not be looked up).
Any other entity overlapping a rule entity is dropped too (a valid ID is not a name).

Invalid candidates are reported under the message key `nlu_problems` (in /model/parse and
so in `tracker.latest_message`): a list of {entity, kind, start, end, shown, message}, where
`shown` is masked and `message` is a polite Chinese sentence an action can send as is.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from kernel.nlu.extract import RULE_ENTITIES, analyse

PROBLEMS_KEY = "nlu_problems"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CourtEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Rule entities with the contract's canonical values, plus problems for invalid ones."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.entity_types = set(config["entities"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CourtEntityExtractor:
        return cls({**cls.get_default_config(), **config})

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # which of case_number, id_number, credit_code, phone to extract
        return {"entities": list(RULE_ENTITIES)}

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX):
            return
        found, problems = analyse(text)
        ours = self.add_extractor_name([e for e in found if e["entity"] in self.entity_types])
        problems = [p for p in problems if p.entity in self.entity_types]
        claimed = [(e["start"], e["end"]) for e in ours] + [(p.start, p.end) for p in problems]
        kept = [
            e
            for e in message.get(ENTITIES, [])
            if e.get("entity") not in self.entity_types and not _overlaps(e, claimed)
        ]
        message.set(ENTITIES, sorted(kept + ours, key=lambda e: e.get("start", 0)), add_to_output=True)
        if problems:
            message.set(PROBLEMS_KEY, [p.as_dict() for p in problems], add_to_output=True)


def _overlaps(entity: dict[str, Any], spans: list[tuple[int, int]]) -> bool:
    start, end = entity.get("start"), entity.get("end")
    if start is None or end is None:
        return False
    return any(start < e and s < end for s, e in spans)
