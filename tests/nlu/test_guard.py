"""NoContentGuard: only messages with nothing to understand are sent to the clarification turn."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.guard import NoContentGuard, has_content


@pytest.mark.parametrize(
    "text, expected",
    [("？？？", False), ("……😂😂", False), ("  ", False), ("。。。!!", False), ("嗯", True), ("ok", True),
     ("12368", True), ("我要查案件", True), ("/greet", True)],
)
def test_has_content(text, expected):
    assert has_content(text) is expected


@pytest.mark.parametrize("text, guarded", [("？？？", True), ("😂", True), ("查案件进度", False), ("/greet", False)])
def test_guard_sets_fallback_only_without_content(text, guarded):
    message = Message.build(text=text, intent="legal_advice")
    message.set("intent", {"name": "legal_advice", "confidence": 0.99})
    NoContentGuard().process([message])
    assert (message.get("intent")["name"] == "nlu_fallback") is guarded
