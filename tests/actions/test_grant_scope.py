"""A verified party's access ends when they leave: goodbye, 退出 (inside a form or not); a mere
"算了" inside a form ends only that form."""

from __future__ import annotations

import pytest

from actions.case_progress import ValidateCaseProgressForm
from actions.core import ActionAnythingElse, ActionCancelForm, ActionGoodbye
from kernel.names import Intent, Slot
from tests.actions.conftest import make_tracker, run, slots_of

CASE = "（2026）京0105民初8848号"
VERIFIED = {Slot.VERIFIED_CASE: CASE, Slot.CP_TOKEN: "grant-1"}


def ended(events: list[dict]) -> bool:
    slots = slots_of(events)
    return Slot.VERIFIED_CASE in slots and slots[Slot.VERIFIED_CASE] is None and slots[Slot.CP_TOKEN] is None


def test_goodbye_ends_the_grant():
    messages, events = run(ActionGoodbye(), make_tracker("谢谢，再见", intent=Intent.GOODBYE, slots=VERIFIED))
    assert ended(events) and messages[0]["response"] == "utter_goodbye"


@pytest.mark.parametrize("text", ["退出", "我要退出", "结束对话"])
def test_exit_words_outside_a_form_end_the_grant(text):
    messages, events = run(ActionAnythingElse(), make_tracker(text, intent=Intent.DENY, slots=VERIFIED))
    assert ended(events) and messages


def test_a_no_outside_a_form_keeps_the_grant():
    _, events = run(ActionAnythingElse(), make_tracker("不是", intent=Intent.DENY, slots=VERIFIED))
    assert not ended(events)


def test_exit_inside_a_form_ends_the_form_and_the_grant(court):
    slots = {**VERIFIED, Slot.REQUESTED: Slot.CP_CASE_NUMBER}
    _, events = run(ValidateCaseProgressForm(), make_tracker("退出", intent=Intent.DENY, slots=slots))
    assert ended(events) and any(e.get("event") == "active_loop" for e in events)


def test_never_mind_inside_a_form_ends_only_the_form(court):
    slots = {**VERIFIED, Slot.REQUESTED: Slot.CP_CASE_NUMBER}
    _, events = run(ValidateCaseProgressForm(), make_tracker("算了", intent=Intent.DENY, slots=slots))
    assert any(e.get("event") == "active_loop" for e in events) and not ended(events)


def test_goodbye_inside_a_form_ends_the_grant():
    _, events = run(ActionCancelForm(), make_tracker("拜拜", intent=Intent.GOODBYE, slots=VERIFIED))
    assert ended(events)
