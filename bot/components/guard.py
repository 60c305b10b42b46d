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


class ExplicitWishGuard(GraphComponent):
    """Sets `intent` (confidence 1, first in the ranking) for a message `plainly_asks` for it: the contract's
    explicit wishes, which a classifier trained on both kinds of message may still miss. Not registered
    itself; each wish is a registered subclass."""

    intent = ""

    @staticmethod
    def plainly_asks(text: str) -> bool:
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ExplicitWishGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith(INTENT_MESSAGE_PREFIX) or not self.plainly_asks(text):
                continue
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != self.intent]
            message.set(INTENT, {"name": self.intent, "confidence": 1.0}, add_to_output=True)
            top = [{"name": self.intent, "confidence": 1.0}]
            message.set(INTENT_RANKING_KEY, top + ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ExplicitHumanGuard(ExplicitWishGuard):
    """Sets request_human for a message that plainly asks for a person (转人工, 真人客服, 接线员)."""

    intent = HUMAN_INTENT
    plainly_asks = staticmethod(asks_for_a_person)


# "12368打了十几遍没人接，我要投诉你们的热线": the contract makes an explicit 投诉/举报 a complaint, about anyone,
# the hotline included; asking whether one CAN complain (通过12368投诉管用吗) stays faq/hotline, and "我不想投诉，
# 就想让法官回个电话" is contact_judge. Only the first-person wish is taken.
COMPLAINT = re.compile(
    r"我(?:要|想|得|必须|就要|一定要|坚决)(?:实名)?(?:投诉|举报)|(?:投诉|举报)(?:你们|这个|那个|他们|她|他)"
)
NOT_COMPLAINT = re.compile(
    r"不(?:是|想|要|打算|用)(?:要)?(?:投诉|举报)|别(?:投诉|举报)|没(?:想|打算)(?:投诉|举报)|(?:能|可以|怎么)(?:投诉|举报)"
)
# complaints that belong to other bodies (12345, the market regulator) are out_of_scope by the contract
ELSEWHERE = re.compile(r"物业|小区|外卖|快递|商家|网购|房东|餐厅|12345|市场监管")
COMPLAINT_INTENT = "file_complaint"


def wants_to_complain(text: str) -> bool:
    text = text or ""
    return bool(COMPLAINT.search(text)) and not NOT_COMPLAINT.search(text) and not ELSEWHERE.search(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ExplicitComplaintGuard(ExplicitWishGuard):
    """Sets file_complaint for a message that plainly says 我要投诉 / 我要举报 (before ExplicitHumanGuard,
    so that 我要投诉，给我转人工 still reaches a person)."""

    intent = COMPLAINT_INTENT
    plainly_asks = staticmethod(wants_to_complain)
