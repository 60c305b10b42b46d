"""转人工 with a clerk online goes straight into the desk's live queue: the order the desk stores from what
is known, the place and expected wait the citizen is told, the pause for the clerk; and the form exactly as
before whenever a live chat cannot happen (nobody online, REST, desk down, queued once already)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from actions.workorder import ActionStartWorkorder
from kernel.clients.workorders import WorkOrderError
from kernel.names import Slot
from tests.actions.conftest import make_tracker, run, slots_of
from tests.actions.test_outcomes import FakeWorkOrders, texts


@dataclass
class LiveDesk(FakeWorkOrders):
    """The desk's queue as well: open_live stores an order without phone and queues it."""

    queue_ahead: int = 0
    opened: list[dict[str, Any]] = field(default_factory=list)
    unanswered: set[str] = field(default_factory=set)  # conversations whose live request timed out

    async def open_live(self, conversation_id, channel, summary, message_id, transcript) -> dict[str, Any]:
        if self.down:
            raise WorkOrderError("工单系统暂时不可用，请稍后再试，或拨打 12368 热线。", 503)
        if conversation_id in self.unanswered:
            raise WorkOrderError("该会话刚才的人工接入请求无人接听，请改为登记回电", 409)
        number = f"GD20261201-{len(self.opened) + 1:04d}"
        self.opened.append(
            {
                "number": number,
                "conversation_id": conversation_id,
                "channel": channel,
                "summary": summary,
                "message_id": message_id,
                "transcript": transcript,
            }
        )
        return {"number": number, "position": self.queue_ahead + 1, "expected_wait_seconds": 150}


@pytest.fixture
def desk(monkeypatch) -> LiveDesk:
    fake = LiveDesk(clerks_online=1)
    monkeypatch.setattr("actions.workorder.workorder_client", lambda: fake)
    return fake


EARLIER = [
    {"event": "user", "text": "我的执行款什么时候到账", "parse_data": {}, "input_channel": "webchat"},
    {"event": "bot", "text": "请提供案号。"},
]


def ask_for_person(channel: str = "webchat", sender: str = "conv-live", text: str = "转人工"):
    return make_tracker(text, intent="request_human", events=EARLIER, channel=channel, sender=sender)


def is_paused(events: list[dict]) -> bool:
    return any(e.get("event") == "pause" for e in events)


@pytest.mark.parametrize("channel,stored", [("webchat", "web"), ("wechat", "wechat")])
def test_a_request_for_a_person_with_a_clerk_online_is_queued_without_the_form(desk, channel, stored):
    desk.queue_ahead = 2
    messages, events = run(ActionStartWorkorder(), ask_for_person(channel))
    [opened] = desk.opened
    assert opened["conversation_id"] == "conv-live" and opened["channel"] == stored
    assert opened["summary"] == "我的执行款什么时候到账"  # the citizen's first words
    assert any(turn["text"] == "转人工" for turn in opened["transcript"])
    said = texts(messages)
    assert opened["number"] in said  # told only after the desk stored it
    assert "2 位" in said and "3 分钟" in said  # place in the queue and the expected wait
    assert is_paused(events) and events[-1].get("name") == "action_listen"
    slots = slots_of(events)
    assert slots == {Slot.WORKORDER_NUMBER: opened["number"]}  # no form slot is set: the form never starts
    assert desk.stored == []  # no second order through the form's creation


def test_the_citizen_who_is_next_is_told_so(desk):
    messages, _ = run(ActionStartWorkorder(), ask_for_person())
    assert "下一位" in texts(messages)


def test_a_phone_in_the_first_words_is_masked_in_the_summary(desk):
    tracker = make_tracker(
        "我要找真人，电话13912341001", intent="request_human", channel="webchat", sender="conv-phone"
    )
    run(ActionStartWorkorder(), tracker)
    [opened] = desk.opened
    assert "13912341001" not in opened["summary"] and "我要找真人" in opened["summary"]


def form_started(messages: list[dict], events: list[dict]) -> bool:
    return slots_of(events).get(Slot.WO_KIND) == "人工咨询" and not is_paused(events)


def test_nobody_online_gives_the_form_as_before(desk):
    desk.clerks_online = 0
    messages, events = run(ActionStartWorkorder(), ask_for_person())
    assert desk.opened == [] and form_started(messages, events)


def test_rest_callers_get_the_form_even_with_a_clerk_online(desk):
    messages, events = run(ActionStartWorkorder(), ask_for_person(channel="rest"))
    assert desk.opened == [] and form_started(messages, events)


def test_a_desk_that_fails_to_queue_gives_the_form(desk):
    desk.down = True
    messages, events = run(ActionStartWorkorder(), ask_for_person())
    assert desk.opened == [] and form_started(messages, events)
    assert "GD" not in texts(messages)


def test_other_kinds_keep_the_form_with_a_clerk_online(desk):
    tracker = make_tracker("我要联系承办法官", intent="contact_judge", channel="webchat", sender="conv-judge")
    messages, events = run(ActionStartWorkorder(), tracker)
    assert desk.opened == [] and slots_of(events).get(Slot.WO_KIND) == "联系法官"


def test_after_a_queue_nobody_took_the_next_request_gets_the_form_for_a_callback(desk):
    desk.unanswered.add("conv-again")  # the desk refuses: the request of a moment ago timed out
    messages, events = run(ActionStartWorkorder(), ask_for_person(sender="conv-again"))
    assert desk.opened == [] and form_started(messages, events)


def test_a_citizen_whose_chat_ended_is_put_through_again(desk):
    run(ActionStartWorkorder(), ask_for_person(sender="conv-again"))
    _, events = run(ActionStartWorkorder(), ask_for_person(sender="conv-again"))
    assert len(desk.opened) == 2 and is_paused(events)


def test_a_form_restarted_by_another_intent_is_not_a_live_request(desk):
    tracker = make_tracker("重新登记", intent="affirm", channel="webchat", sender="conv-other")
    _, events = run(ActionStartWorkorder(), tracker)
    assert desk.opened == [] and not is_paused(events)
