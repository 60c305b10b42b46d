"""The masking tracker store: what rests in the store never holds an ID number, a phone or a code."""

from __future__ import annotations

import json

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.stores import MaskingTrackerStore, mask_events

RAW_ID = "110105199003078573"
RAW_PHONE = "13812345678"


def user(text: str, entities: list[dict] | None = None) -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"text": text, "intent": {"name": "inform"}, "entities": entities or []},
    }


@pytest.mark.parametrize(
    "events, must_not_contain",
    [
        ([user(f"我的身份证 {RAW_ID}")], RAW_ID),
        ([user(f"电话{RAW_PHONE}")], RAW_PHONE),
        ([user("x", [{"entity": "phone", "value": RAW_PHONE, "start": 0, "end": 1}])], RAW_PHONE),
        ([user("x", [{"entity": "id_number", "value": RAW_ID, "start": 0, "end": 1}])], RAW_ID),
        ([{"event": "slot", "name": "id_number", "value": RAW_ID}], RAW_ID),
        ([{"event": "slot", "name": "wo_phone", "value": RAW_PHONE}], RAW_PHONE),
        ([{"event": "bot", "text": f"您的手机 {RAW_PHONE}"}], RAW_PHONE),
        # the answer to the code prompt is hidden, whatever intent it got
        ([{"event": "slot", "name": "requested_slot", "value": "cp_code"}, user("483920")], "483920"),
        ([{"event": "slot", "name": "cp_code", "value": "483920"}], "483920"),
    ],
)
def test_masked_events_hold_no_raw_value(events, must_not_contain):
    assert must_not_contain not in json.dumps(mask_events(events), ensure_ascii=False)


def test_case_numbers_and_other_digits_survive():
    events = [user("（2024）京03民终1234号 开庭时间")]
    assert mask_events(events)[0]["text"] == "（2024）京03民终1234号 开庭时间"


def test_digits_are_kept_when_no_code_was_asked():
    events = [{"event": "slot", "name": "requested_slot", "value": "cp_case_number"}, user("编号 4839")]
    assert "4839" in mask_events(events)[1]["text"]


async def test_store_saves_masked_tracker_but_turn_sees_raw():
    domain = Domain.from_yaml(open("domain.yml", encoding="utf-8").read())
    store = MaskingTrackerStore(domain=domain)
    tracker = DialogueStateTracker.from_events(
        "c1",
        [
            ActionExecuted("action_listen"),
            UserUttered(
                f"我叫陈明，身份证{RAW_ID}，手机{RAW_PHONE}",
                {"name": "inform", "confidence": 1.0},
                [{"entity": "id_number", "value": RAW_ID, "start": 8, "end": 26}],
            ),
            SlotSet("id_number", RAW_ID),
            BotUttered("收到"),
        ],
        slots=domain.slots,
    )
    assert tracker.get_slot("id_number") == RAW_ID  # the live turn keeps what a verification needs
    await store.save(tracker)
    stored = await store.retrieve("c1")
    dumped = json.dumps(stored.current_state(), ensure_ascii=False)
    assert RAW_ID not in dumped and RAW_PHONE not in dumped
    assert "110105********8573" in dumped
