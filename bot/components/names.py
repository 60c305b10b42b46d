"""SpacyNameExtractor: person_name and org_name from a spaCy NER trained on our own annotations.

Why (docs/benchmarks.md, "person_name and org_name: spaCy vs DIET"): on the held-out set a blank
`zh` spaCy NER with the `char` segmenter beats DIET clearly on org_name (DIET tags organisations in
jieba-sized pieces) and is ahead on person_name. Rasa's SpacyNLP/SpacyEntityExtractor pair would
load a model by path (not packed in the Rasa model, not fingerprinted with the data) and run spaCy
twice, so this component trains the NER itself in `train()` and keeps it in Rasa's model storage.

Place it after the intent classifier and before CourtEntityExtractor. It sees the normalised text
(ChineseNormalizer runs first and moves the training offsets along). In `process()` it replaces
any other extractor's person_name / org_name with its own whole names; a name that overlaps a rule entity
(case_number, id_number, credit_code, phone) already present is not added.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from kernel.nlu.extract import RULE_ENTITIES

logger = logging.getLogger(__name__)

LABELS = ("person_name", "org_name")
#: Fixed batch size: half the CPU time per epoch of spaCy's compounding 4→32 on our data.
BATCH = 16
#: One annotated entity by offsets into the normalised text: (start, end, label).
Offset = tuple[int, int, str]


# ---------------------------------------------------------------- training (shared with the benchmark)


def name_offsets(entities: Iterable[dict], labels: Sequence[str] = LABELS) -> tuple[Offset, ...]:
    """Rasa entity dicts → sorted (start, end, label) of the name types; others are ignored."""
    found = {
        (e["start"], e["end"], e["entity"])
        for e in entities
        if e.get("entity") in labels and "start" in e and "end" in e
    }
    return tuple(sorted(found))


def overlapping(offsets: Sequence[Offset]) -> bool:
    """spaCy's NER cannot hold overlapping spans; such training data must be caught, not guessed."""
    ordered = sorted(offsets)
    return any(b[0] < a[1] for a, b in zip(ordered, ordered[1:]))


def train_ner(
    samples: Sequence[tuple[str, Sequence[Offset]]],
    segmenter: str = "char",
    epochs: int = 15,
    seed: int = 2024,
    labels: Sequence[str] = LABELS,
    batch: int = BATCH,
    drop: float = 0.2,
):
    """Blank zh + ner, seeded, a fixed number of epochs, on (normalised text, name offsets) pairs.

    Returns (nlp, seconds, names a token boundary cuts through, NER loss per epoch); the losses show
    whether the fixed number of epochs was enough. `segmenter` is `char` or `jieba`/`jieba+court`
    (the benchmark's variants; jieba's dictionary is process-global, so loading it is the caller's).
    BLAS is held to one thread: the machine's cores are shared and the gain on this small net is nil.
    """
    import spacy
    from spacy.training import Example, offsets_to_biluo_tags
    from spacy.util import minibatch
    from threadpoolctl import threadpool_limits

    spacy.util.fix_random_seed(seed)
    seg = "jieba" if segmenter.startswith("jieba") else segmenter
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": seg}}})
    ner = nlp.add_pipe("ner")
    for label in labels:
        ner.add_label(label)  # type: ignore[attr-defined]  # spaCy types add_pipe as the base Pipe
    started = time.perf_counter()
    examples, misaligned = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W030: a misaligned span becomes "-" (unknown), as intended
        for text, offsets in samples:
            doc = nlp.make_doc(text)
            tags = offsets_to_biluo_tags(doc, list(offsets))
            misaligned += sum(doc.char_span(s, e) is None for s, e, _ in offsets)
            examples.append(Example.from_dict(doc, {"entities": tags}))
    rng = random.Random(seed)
    trace = []
    with threadpool_limits(limits=1):
        optimizer = nlp.initialize(lambda: examples)
        for _ in range(epochs):
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for chunk in minibatch(examples, size=batch):
                nlp.update(chunk, drop=drop, sgd=optimizer, losses=losses)
            trace.append(losses.get("ner", 0.0))
    return nlp, time.perf_counter() - started, misaligned, trace


def training_samples(
    training_data: TrainingData, labels: Sequence[str] = LABELS
) -> list[tuple[str, tuple[Offset, ...]]]:
    """(text, name offsets) of each distinct intent example, in data order, as the benchmark reads them.

    Overlapping name annotations stop training with the text named: the data must be fixed."""
    samples, seen = [], set()
    for message in training_data.intent_examples:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text or text.startswith(INTENT_MESSAGE_PREFIX) or text in seen:
            continue
        seen.add(text)
        offsets = name_offsets(message.get(ENTITIES) or [], labels)
        if overlapping(offsets):
            raise ValueError(f"overlapping {'/'.join(labels)} annotations in training example: {text}")
        samples.append((text, offsets))
    return samples


# ---------------------------------------------------------------- the component


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class SpacyNameExtractor(GraphComponent, EntityExtractorMixin):
    """person_name / org_name by a spaCy NER trained here and stored in the Rasa model."""

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, nlp: Any = None
    ) -> None:
        self.config = config
        self.labels = tuple(config["entities"])
        self._model_storage = model_storage
        self._resource = resource
        self.nlp = nlp

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "entities": list(LABELS),  # the types this component owns (DIET's of these are dropped)
            "segmenter": "char",  # `char` was more accurate and stable across seeds than `jieba`
            "epochs": 15,
            "random_seed": 2024,
            "batch_size": BATCH,
            "dropout": 0.2,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Rasa fingerprints the class source only; the training function lives beside it."""
        return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpacyNameExtractor:
        return cls({**cls.get_default_config(), **config}, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        samples = training_samples(training_data, self.labels)
        if not any(offsets for _, offsets in samples):
            logger.debug("No %s annotations: SpacyNameExtractor is not trained.", "/".join(self.labels))
            return self._resource
        cfg = self.config
        nlp, seconds, misaligned, trace = train_ner(
            samples,
            cfg["segmenter"],
            cfg["epochs"],
            cfg["random_seed"],
            self.labels,
            cfg["batch_size"],
            cfg["dropout"],
        )
        logger.info(
            "SpacyNameExtractor trained on %d examples in %.1f s; %d names cut by a token "
            "boundary; NER loss by epoch %s",
            len(samples),
            seconds,
            misaligned,
            " ".join(f"{v:.0f}" for v in trace),
        )
        with self._model_storage.write_to(self._resource) as model_dir:
            nlp.to_disk(model_dir)
        self.nlp = nlp
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpacyNameExtractor:
        import spacy

        config = {**cls.get_default_config(), **config}
        try:
            with model_storage.read_from(resource) as model_dir:
                nlp = spacy.load(model_dir)
        except ValueError:  # nothing was persisted: no name annotations at training time
            logger.warning(
                "SpacyNameExtractor has no trained model in resource '%s'; it leaves the "
                "other extractors' names as they are.",
                resource.name,
            )
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, nlp)

    def process(self, messages: list[Message]) -> list[Message]:
        if self.nlp is None:
            return messages
        todo = [m for m in messages if _parseable(m.get(TEXT))]
        for message, doc in zip(todo, self.nlp.pipe(m.get(TEXT) for m in todo)):
            self._replace_names(message, doc)
        return messages

    def _replace_names(self, message: Message, doc: Any) -> None:
        """DIET's names out, spaCy's in, except where a rule entity already claims the text."""
        kept = [e for e in message.get(ENTITIES, []) if e.get("entity") not in self.labels]
        claimed = [
            (e["start"], e["end"])
            for e in kept
            if e.get("entity") in RULE_ENTITIES and "start" in e and "end" in e
        ]
        ours = [
            # the greedy transition-based NER gives no probability: None, as Rasa's SpacyEntityExtractor
            {
                "entity": ent.label_,
                "start": ent.start_char,
                "end": ent.end_char,
                "value": ent.text,
                "confidence_entity": None,
            }
            for ent in doc.ents
            if ent.label_ in self.labels and not _overlaps(ent.start_char, ent.end_char, claimed)
        ]
        entities = kept + self.add_extractor_name(ours)
        message.set(ENTITIES, sorted(entities, key=lambda e: e.get("start", 0)), add_to_output=True)


def _parseable(text: Any) -> bool:
    return isinstance(text, str) and bool(text) and not text.startswith(INTENT_MESSAGE_PREFIX)


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)
