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


def _turns(n: int) -> list[list]:
    """A conversation in turns; the code prompt in one turn, the code in the next (the cache boundary)."""
    turns = []
    for i in range(n):
        turns.append(
            [
                ActionExecuted("action_listen"),
                UserUttered(f"第{i}次，身份证{RAW_ID}"),
                BotUttered("好的，请稍等"),
            ]
        )
    turns.append([SlotSet("requested_slot", "cp_code"), BotUttered("验证码已发送")])
    turns.append([ActionExecuted("action_listen"), UserUttered("628401"), SlotSet("cp_code", "628401")])
    return turns


@pytest.mark.parametrize("inner", ["in_memory", "sql"])
async def test_masking_only_the_new_events_stores_what_masking_all_would(inner, tmp_path):
    """Saved turn by turn through the cache, the stored conversation equals the fully masked one."""
    domain = Domain.from_yaml(open("domain.yml", encoding="utf-8").read())
    kwargs = {"dialect": "sqlite", "db": str(tmp_path / "t.db")} if inner == "sql" else {}
    store = MaskingTrackerStore(domain=domain, inner_type=inner, **kwargs)
    tracker = DialogueStateTracker("c2", domain.slots)
    for turn in _turns(5):
        tracker = await store.retrieve("c2") or tracker
        for event in turn:
            tracker.update(event)
        await store.save(tracker)
    stored = await store.retrieve_full_tracker("c2")
    expected = mask_events(e.as_dict() for e in tracker.events)
    assert [e.as_dict() for e in stored.events] == expected
    dumped = json.dumps([e.as_dict() for e in stored.events], ensure_ascii=False)
    assert (
        RAW_ID not in dumped and "628401" not in dumped
    )  # the code masked although its prompt was saved earlier


async def test_a_conversation_changed_elsewhere_is_masked_whole_again():
    domain = Domain.from_yaml(open("domain.yml", encoding="utf-8").read())
    store = MaskingTrackerStore(domain=domain)
    first = DialogueStateTracker.from_events("c3", _turns(2)[0], domain.slots)
    await store.save(first)
    other = DialogueStateTracker.from_events("c3", [UserUttered(f"另一台服务器 {RAW_ID}")], domain.slots)
    await store.save(other)  # not the cached prefix: nothing of it may be reused
    stored = await store.retrieve_full_tracker("c3")
    assert [e.as_dict() for e in stored.events] == mask_events(e.as_dict() for e in other.events)


async def test_the_embedded_sqlite_store_runs_in_wal_mode_and_keeps_what_it_saved(tmp_path):
    import sqlite3

    domain = Domain.from_yaml(open("domain.yml", encoding="utf-8").read())
    path = tmp_path / "tracker.db"
    store = MaskingTrackerStore(domain=domain, inner_type="sql", dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker.from_events("c4", _turns(1)[0], domain.slots)
    await store.save(tracker)
    assert sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reopened = MaskingTrackerStore(domain=domain, inner_type="sql", dialect="sqlite", db=str(path))
    assert len((await reopened.retrieve_full_tracker("c4")).events) == len(tracker.events)


async def test_the_embedded_sqlite_store_reuses_its_connections_across_turns(tmp_path):
    """SQLAlchemy 1.4 opened a new SQLite connection for every fetch and save (NullPool); the pooled
    store opens one and keeps it, and what ten turns saved is all there."""
    from sqlalchemy import event

    domain = Domain.from_yaml(open("domain.yml", encoding="utf-8").read())
    store = MaskingTrackerStore(domain=domain, inner_type="sql", dialect="sqlite", db=str(tmp_path / "t.db"))
    opened = []
    event.listen(store.inner.engine, "connect", lambda *_: opened.append(1))
    for n in range(10):
        tracker = await store.retrieve(f"c{n}") or DialogueStateTracker(f"c{n}", domain.slots)
        for event_ in _turns(1)[0]:
            tracker.update(event_)
        await store.save(tracker)
    assert len(opened) <= 1
    assert [len((await store.retrieve_full_tracker(f"c{n}")).events) for n in range(10)] == [
        len(_turns(1)[0])
    ] * 10
