"""NoContentGuard: only messages with nothing to understand are sent to the clarification turn."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.guard import NoContentGuard, has_content


@pytest.mark.parametrize(
    "text, expected",
    [
        ("？？？", False),
        ("……😂😂", False),
        ("  ", False),
        ("。。。!!", False),
        ("嗯", True),
        ("ok", True),
        ("12368", True),
        ("我要查案件", True),
        ("/greet", True),
    ],
)
def test_has_content(text, expected):
    assert has_content(text) is expected


@pytest.mark.parametrize(
    "text, guarded", [("？？？", True), ("😂", True), ("查案件进度", False), ("/greet", False)]
)
def test_guard_sets_fallback_only_without_content(text, guarded):
    message = Message.build(text=text, intent="legal_advice")
    message.set("intent", {"name": "legal_advice", "confidence": 0.99})
    NoContentGuard().process([message])
    assert (message.get("intent")["name"] == "nlu_fallback") is guarded


@pytest.mark.parametrize(
    "text, human",
    [
        ("我要转人工，想问问诉讼费的事情怎么交比较方便", True),
        ("人工客服在吗", True),
        ("给我找个真人", True),
        ("不用转人工了，我自己看看", False),
        ("诉讼费怎么交", False),
        ("不要人工", False),
    ],
)
def test_an_explicit_wish_for_a_person_is_request_human(text, human):
    from bot.components.guard import ExplicitHumanGuard

    message = Message.build(text=text, intent="faq")
    message.set("intent", {"name": "faq", "confidence": 0.97})
    message.set(
        "intent_ranking", [{"name": "faq", "confidence": 0.97}, {"name": "request_human", "confidence": 0.02}]
    )
    ExplicitHumanGuard().process([message])
    assert (message.get("intent")["name"] == "request_human") is human
    assert [r["name"] for r in message.get("intent_ranking")].count("request_human") == 1
