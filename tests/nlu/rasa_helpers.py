"""Build the pre-training part of the pipeline (normaliser, Jieba with the court dictionary,
rule extractor) the way Rasa's graph does, without training a model."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import jieba
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.components.entities import CourtEntityExtractor
from bot.components.name_rules import NameRuleExtractor
from bot.components.normalizer import ChineseNormalizer

DICT_DIR = Path(__file__).resolve().parents[2] / "bot" / "dict"
jieba.setLogLevel(logging.WARNING)


class Pipeline:
    """ChineseNormalizer → JiebaTokenizer(dictionary_path=bot/dict) [→ NameRuleExtractor] → CourtEntityExtractor."""

    def __init__(self, tmp_path: Path, names: bool = False) -> None:
        storage = LocalModelStorage.create(tmp_path)
        context = ExecutionContext(GraphSchema({}), uuid.uuid4().hex)

        def make(cls, name, config):
            return cls.create({**cls.get_default_config(), **config}, storage, Resource(name), context)

        self.normalizer = make(ChineseNormalizer, "normalizer", {})
        self.tokenizer = make(JiebaTokenizer, "tokenizer", {"dictionary_path": str(DICT_DIR)})
        self.extractor = make(CourtEntityExtractor, "extractor", {})
        # NameRuleExtractor between the tokenizer and the rule extractor, as in config.yml
        self.names = make(NameRuleExtractor, "names", {}) if names else None

    def parse(self, text: str, entities: list[dict] | None = None) -> Message:
        message = Message(data={"text": text, **({"entities": entities} if entities else {})})
        for component in (self.normalizer, self.tokenizer, self.names, self.extractor):
            if component is not None:
                component.process([message])
        return message


def tokens(message: Message) -> list[str]:
    return [t.text for t in message.get("text_tokens")]
