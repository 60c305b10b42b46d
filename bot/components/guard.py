"""NoContentGuard: a message with nothing to understand goes to the clarification turn.

A classifier is confident even on input it has never seen anything like: “？？？” or a row of emoji is
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
# the wish itself, as opposed to a person named as the object of a complaint (我要投诉你们的接线员)
ASKING = re.compile(
    r"转人工|找人工|要人工|找(?:个|一个)?真人|(?:转|找|要|换|叫)(?:个|一个)?(?:人工客服|人工服务|真人客服|接线员)"
)
NOT_HUMAN = re.compile(r"(?:不用|不要|不需要|别|无需|不必|不是)(?:要)?(?:给我)?(?:转|找)?(?:人工|真人)")
# "12368人工服务时间是几点" asks the hotline's hours: faq/hotline by the contract
HOURS = re.compile(r"人工(?:服务|客服|坐席)?的?(?:时间|几点|时段|什么时候上班|上班)")
HUMAN_INTENT = "request_human"


def asks_for_a_person(text: str) -> bool:
    text = text or ""
    if not HUMAN.search(text) or NOT_HUMAN.search(text) or HOURS.search(text):
        return False
    return bool(ASKING.search(text)) or not wants_to_complain(text)


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
    r"|(?:提出|提起|进行|予以)(?:正式|书面|实名)?(?:的)?(?:投诉|举报)"
)
NOT_COMPLAINT = re.compile(
    r"不(?:是|想|要|打算|用)(?:要)?(?:投诉|举报)|别(?:投诉|举报)|没(?:想|打算)(?:投诉|举报)|(?:能|可以|怎么)(?:投诉|举报)"
)
# complaints that belong to other bodies (12345, the market regulator) are out_of_scope by the contract
ELSEWHERE = re.compile(r"物业|小区|外卖|快递|商家|网购|房东|餐厅|(?<!\d)12345(?!\d)|市场监管")
COMPLAINT_INTENT = "file_complaint"


def wants_to_complain(text: str) -> bool:
    text = text or ""
    if not COMPLAINT.search(text) or NOT_COMPLAINT.search(text) or ELSEWHERE.search(text):
        return False
    return not another_body(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ExplicitComplaintGuard(ExplicitWishGuard):
    """Sets file_complaint for a message that plainly says 我要投诉 / 我要举报 (before ExplicitHumanGuard,
    so that 我要投诉，给我转人工 still reaches a person)."""

    intent = COMPLAINT_INTENT
    plainly_asks = staticmethod(wants_to_complain)


# "检察院的地址在哪", "社保中心几点上班": the contract puts other public bodies' services out_of_scope, but the
# words of a court FAQ (地址, 几点上班, 电话, 怎么申请) pull the classifier to the court's own answer. A message
# that names another body and nothing of the court's is out_of_scope when the classifier chose a court service
# (a legal question that mentions the police stays legal_advice).
OTHER_BODY = re.compile(
    r"社保|人社局|人力资源和社会保障|医保|公积金|不动产登记|房管局|住建局|税务局|司法局|检察院|检察官|公安|派出所"
    r"|交警|车管所|户口|户籍|身份证.{0,4}(?:补办|挂失|换)|出入境|护照|民政局|婚姻登记|结婚证|监狱|看守所|征信|人民银行"
    r"|央行|(?<!\d)(?:12306|12345)(?!\d)|市场监管|工商局|教育局|高考|中考|成绩|人才公寓|租房补贴|天气|汇率|股票"
)
COURT_WORD = re.compile(
    r"法院|法官|法庭|书记员|立案|案件|案子|案号|官司|诉讼|起诉|上诉|判决|裁定|调解书|执行|开庭|失信|老赖|限高"
    r"|限制消费|12368|被告|原告"
)
LOOK_ALIKE_INTENTS = frozenset(
    {"faq", "contact_judge", "query_case_progress", "query_dishonest_debtor", "file_complaint", FALLBACK}
)
OUT_OF_SCOPE = "out_of_scope"


def another_body(text: str) -> bool:
    """Names another public body's business and nothing of the court's."""
    text = text or ""
    return bool(OTHER_BODY.search(text)) and not COURT_WORD.search(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class OtherBodyGuard(ExplicitWishGuard):
    """Sets out_of_scope for a court-service guess about another body's business (after FallbackClassifier,
    before the explicit wishes: "转人工，社保局电话多少" still reaches a person)."""

    intent = OUT_OF_SCOPE
    plainly_asks = staticmethod(another_body)

    def process(self, messages: list[Message]) -> list[Message]:
        chosen = [m for m in messages if (m.get(INTENT) or {}).get("name") in LOOK_ALIKE_INTENTS]
        super().process(chosen)
        return messages
