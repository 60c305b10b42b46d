"""BilouTagger: puts DIET's BILOU entity tags on the training examples before any model trains.

Why it exists: DIETClassifier tags the training examples it is given in place
(`bilou_utils.apply_bilou_schema`) while it trains. DIET, the ResponseSelector and the name extractor
all read the same training data, and Rasa keys each one's cache entry on the fingerprint of that data
at the moment the component starts. Whichever of them starts after DIET sees tagged examples, so its
cache entry is filed under a key no later training computes: a second `rasa train` with nothing
changed trained the ResponseSelector and the name extractor again (about five minutes on 2 cores).
Tagging here, in a processing step that runs before all three, makes DIET's own tagging rewrite the
same values: the data every model sees, and so every key, is the same whatever the order.

It is registered as a MESSAGE_FEATURIZER because that is the type the DefaultV1Recipe runs on the
training data in config order (it adds no features). At prediction time it does nothing.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils import bilou_utils
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class BilouTagger(GraphComponent):
    """DIET's BILOU tags, set once before training; must come after the tokenizer, before DIET."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BilouTagger:
        return cls()

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def process(self, messages: list[Message]) -> list[Message]:
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        bilou_utils.apply_bilou_schema(training_data)
        return training_data
