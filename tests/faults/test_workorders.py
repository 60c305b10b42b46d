"""A work order survives the desk, the action server or the Rasa server dying around its submission: the
citizen is never told a number that was not stored, their retry (重新提交, or the same message again)
stores it, and it is stored exactly once.

Real processes; every process stopped here is running again when a test ends. The desk test runs on the
session's embedded stack; the kill tests on the production path (`engines`, tests/faults/conftest.py),
where the values a later turn needs (the callback phone, the order's idempotency key) are in Redis and
outlive a killed action server, as they must across replicas. (In the embedded default they live in the
action server's memory: a killed action server there asks the citizen to register again.)
"""

from __future__ import annotations

import re
import signal
import time
import uuid

import pytest
import sqlalchemy

from tests.faults.conftest import Row
from tests.stack import Chat

pytestmark = pytest.mark.slow

NUMBER = re.compile(r"[A-Z]{2}\d{8}-\d{4}")
RESUBMIT = "/affirm"  # the 重新提交 button's payload
BUDGET = 5.0


def fill_up_to_confirm(chat) -> None:
    chat.text("打了好多次电话都找不到承办法官，想让法官给我回个电话")
    chat.text("（2026）京0105民初8848号")
    chat.text("陈思远")
    assert "139****1001" in chat.text("13900001001")


def stored_numbers(stack, sender: str) -> list[str]:
    engine = sqlalchemy.create_engine(stack.env["DESK_DATABASE_URL"])
    with engine.connect() as conn:
        rows = conn.execute(
            sqlalchemy.text("SELECT number FROM work_orders WHERE conversation_id = :c"), {"c": sender}
        )
        numbers = [r[0] for r in rows]
    engine.dispose()
    return numbers


def buttons(messages: list[dict]) -> list[str]:
    return [b.get("payload") for m in messages for b in m.get("buttons") or []]


def test_the_desk_down_at_submission_tells_no_number_and_resubmitting_stores_one(chat, stack, fault_report):
    fill_up_to_confirm(chat)
    stack.signal("desk", signal.SIGKILL)
    try:
        started = time.monotonic()
        refused = chat.say("确认提交")
        took = time.monotonic() - started
    finally:
        stack.restart("desk")
    text = "\n".join(m.get("text") or "" for m in refused)
    assert not NUMBER.search(text) and "12368" in text and took < BUDGET, (text, took)
    assert RESUBMIT in buttons(refused) and stored_numbers(stack, chat.sender) == []

    done = chat.say(RESUBMIT)
    [number] = stored_numbers(stack, chat.sender)
    assert len(done) == 1 and number in done[0]["text"], done  # one answer: the number, nothing after it
    fault_report.add(
        Row("desk killed at submission", "没能登记成功 … 12368 + 重新提交 (no number)", took,
            orders="0 / 0", recovery="desk restarted; 重新提交 stored one order and told its number")
    )  # fmt: skip


def test_the_action_server_killed_mid_submission_leaves_one_order_and_the_retry_tells_it(
    engines, fault_report
):
    stack, _ = engines
    chat = Chat(stack.urls["rasa"], f"kill-{uuid.uuid4().hex[:8]}")
    fill_up_to_confirm(chat)
    stack.signal("desk", signal.SIGSTOP)  # the action server's create call hangs inside the desk
    try:
        started = time.monotonic()
        busy = chat.say("确认提交")
        took = time.monotonic() - started
        stack.signal("actions", signal.SIGKILL)  # dies with the call in flight
    finally:
        stack.signal("desk", signal.SIGCONT)  # the desk may now store the order nobody hears of
        stack.restart("actions")
    text = "\n".join(m.get("text") or "" for m in busy)
    assert not NUMBER.search(text) and "12368" in text and took < BUDGET, (text, took)
    assert RESUBMIT in buttons(busy)

    done = chat.text(RESUBMIT)
    numbers = stored_numbers(stack, chat.sender)
    assert len(numbers) == 1 and numbers[0] in done, (numbers, done)  # not lost, not doubled, told
    fault_report.add(
        Row("action server kill -9 mid-submission", "系统暂时繁忙 … 12368 + 重新提交", took,
            orders="0 / 0", recovery="restarted; 重新提交 told the one stored order")
    )  # fmt: skip


def test_the_rasa_server_killed_mid_submission_leaves_one_order_and_the_retry_tells_it(engines, fault_report):
    stack, _ = engines
    chat = Chat(stack.urls["rasa"], f"kill-{uuid.uuid4().hex[:8]}")
    """kill -9 of the Rasa server while the work order is being stored: the conversation survives in the
    tracker store, the citizen's 确认提交 after the restart is answered with the one stored order."""
    fill_up_to_confirm(chat)
    stack.signal("desk", signal.SIGSTOP)  # hold the submission inside the desk
    try:
        try:
            chat.say_nowait("确认提交")
        finally:
            time.sleep(1.0)  # the action server is now waiting on the desk
            stack.signal("rasa", signal.SIGKILL)
    finally:
        stack.signal("desk", signal.SIGCONT)
        stack.restart("rasa")
    numbers = stored_numbers(stack, chat.sender)
    assert len(numbers) <= 1
    retry = chat.say("确认提交")  # the citizen, seeing no answer, sends it again
    text = "\n".join(m.get("text") or "" for m in retry)
    if not NUMBER.search(text):  # the retry found the form finished but the order untold: 重新提交
        text = chat.text(RESUBMIT) if RESUBMIT in buttons(retry) else text
    numbers = stored_numbers(stack, chat.sender)
    assert len(numbers) == 1 and numbers[0] in text, (numbers, text)
    fault_report.add(
        Row("Rasa server kill -9 mid-submission", "no answer to that message (the server died)", float("nan"),
            orders="0 / 0", recovery="restarted (model load); the retry told the one stored order")
    )  # fmt: skip
