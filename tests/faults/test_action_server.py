"""The action server hung (SIGSTOP) or crashed (kill -9) in the middle of a form: the citizen is answered
within 5 s with a way out (12368), and once it is back the next message continues the same form.

Real processes (the session's stack); the action server is restored before each test ends.
"""

from __future__ import annotations

import signal
import time

import pytest

from tests.faults.conftest import Row
from tests.stack import tracker_events

pytestmark = pytest.mark.slow

CASE = "（2026）京0105民初8848号"
BUDGET = 5.0


def timed(chat, text: str) -> tuple[str, float]:
    started = time.monotonic()
    answer = chat.text(text)
    return answer, time.monotonic() - started


def requested_slot(stack, sender: str) -> str | None:
    slot = None
    for event in tracker_events(stack, sender):
        if event.get("event") == "slot" and event.get("name") == "requested_slot":
            slot = event.get("value")
    return slot


@pytest.mark.parametrize("fault", ["hung", "crashed"])
def test_a_dead_action_server_costs_one_answer_not_the_conversation(chat, stack, fault, fault_report):
    chat.text("我想查一下我的案子到哪一步了")
    assert requested_slot(stack, chat.sender) == "cp_case_number"
    stack.signal("actions", signal.SIGSTOP if fault == "hung" else signal.SIGKILL)
    try:
        answer, refused_in = timed(chat, CASE)
    finally:
        if fault == "hung":
            stack.signal("actions", signal.SIGCONT)
        else:
            stack.restart("actions")
    assert "12368" in answer and refused_in < BUDGET, (answer, refused_in)
    assert "ACTION_SERVER_UNAVAILABLE" in stack.log("rasa")
    again, took = timed(chat, CASE)  # the citizen sends the case number again
    assert took < BUDGET and "12368" not in again, again
    assert requested_slot(stack, chat.sender) == "cp_identity"  # the same form went on to the next step
    fault_report.add(
        Row(f"action server {fault} mid-form", "系统暂时繁忙 … 12368", refused_in,
            recovery=f"next message answered in {took:.1f} s, same form step")
    )  # fmt: skip
