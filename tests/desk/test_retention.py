"""The retention job (issue 12, item 5) on real databases: SQLite and the local PostgreSQL.

Desk: an order closed longer ago than the policy keeps its number, dates and steps and loses the citizen's
name, phone, words and the staff's answers; a recent one and an open old one are untouched; the audit log
keeps everything and says what was purged. Tracker store: Rasa's own SQL store writes the conversations,
the job deletes those past the policy and the ended sessions, and Rasa still reads what is left.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import select, text

from kernel.retention import TrackerConfigError, purge_tracker_events, tracker_db_url
from services.desk.db.engine import make_engine
from services.desk.db.models import AuditEntry, WorkOrder
from services.desk.retention import run_retention
from services.desk.service.retention import PURGED, purge_closed_orders
from tests.desk.conftest import POSTGRES_URL
from tests.desk.helpers import new_order

NOW = datetime(2026, 12, 1, 2, 0)  # naive UTC, as stored
PHONE = "13812345678"


def closed_order(store, actors, closed_at: datetime) -> str:
    """An order answered and closed at `closed_at`, with a transcript, a reply and notes naming the citizen."""
    number = new_order(
        store,
        now=closed_at - timedelta(days=3),
        citizen_name="张三",
        callback_phone=PHONE,
        summary="张三想问立案材料",
        transcript=[{"sender": "user", "text": "我是张三，想问立案材料"}],
    )["number"]
    store.claim(actors["clerk"], number, now=closed_at - timedelta(days=2))
    store.add_reply(actors["clerk"], number, "张三您好，立案需要起诉状", now=closed_at - timedelta(days=1))
    store.add_note(actors["clerk"], number, "张三说下午方便接电话", now=closed_at - timedelta(days=1))
    store.transition(actors["supervisor"], number, "关闭", note="已电话告知张三", now=closed_at)
    return number


def row(store, number: str) -> WorkOrder:
    with store.sessions() as session:
        return session.execute(select(WorkOrder).where(WorkOrder.number == number)).unique().scalar_one()


def test_closed_orders_past_the_policy_lose_the_person_and_keep_the_facts(store, actors):
    old = closed_order(store, actors, NOW - timedelta(days=181))
    recent = closed_order(store, actors, NOW - timedelta(days=179))
    open_old = new_order(store, now=NOW - timedelta(days=400), citizen_name="李四")["number"]
    before = row(store, old)

    purged = purge_closed_orders(store.sessions, store.phones, 180, NOW)

    assert purged.numbers == [old]
    after = row(store, old)
    stored = json.dumps(
        [after.citizen_name, after.summary, after.transcript, after.callback_phone_masked]
        + [r.body for r in after.replies]
        + [n.body for n in after.notes]
        + [t.note for t in after.history],
        ensure_ascii=False,
    )
    assert "张三" not in stored and "5678" not in stored
    assert after.citizen_name == PURGED and after.transcript == []
    assert store.phones.decrypt(after.callback_phone) == ""
    assert (after.number, after.status, after.created_at, after.closed_at) == (
        before.number,
        before.status,
        before.created_at,
        before.closed_at,
    )
    assert [t.action for t in after.history] == [t.action for t in before.history]
    assert row(store, recent).citizen_name == "张三" and row(store, open_old).citizen_name == "李四"
    # a second run finds nothing more; the audit log keeps every entry and records the purge once
    assert purge_closed_orders(store.sessions, store.phones, 180, NOW).orders == 0
    with store.sessions() as session:
        audit = session.execute(select(AuditEntry).where(AuditEntry.object_ref == old)).scalars().all()
    assert [a.action for a in audit].count("保存期限清除") == 1
    assert len(audit) >= 4  # creation-era entries (claim, reply, close) are still there


def test_the_desk_page_of_a_purged_order_still_opens(store, actors):
    old = closed_order(store, actors, NOW - timedelta(days=200))
    purge_closed_orders(store.sessions, store.phones, 180, NOW)
    view = store.get_order(actors["supervisor"], old, now=NOW)
    assert view["number"] == old and view["citizen_name"] == PURGED


# ------------------------------------------------------------------------------- tracker store


def _when(days_ago: float) -> float:
    return (NOW.replace(tzinfo=timezone.utc) - timedelta(days=days_ago)).timestamp()


def _conversation(sender: str, *sessions: tuple[float, str]) -> DialogueStateTracker:
    """One session per (days ago, text): session_started, action_listen, the user's message."""
    events = []
    for days_ago, said in sessions:
        at = _when(days_ago)
        events += [
            ActionExecuted("action_session_start", timestamp=at),
            SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at),
            UserUttered(said, {"name": "greet"}, timestamp=at),
        ]
    return DialogueStateTracker.from_events(sender, events)


async def _fill_and_purge(store: SQLTrackerStore, url: str) -> None:
    await store.save(_conversation("gone", (400, "四百天前"), (200, "两百天前")))
    await store.save(_conversation("kept", (300, "三百天前"), (10, "十天前")))
    await store.save(_conversation("new", (1, "昨天")))

    deleted = purge_tracker_events(url, NOW - timedelta(days=180))

    assert deleted == 8 + 4  # all of "gone", the ended old session of "kept"
    assert sorted(await store.keys()) == ["kept", "new"]
    full = await store.retrieve_full_tracker("kept")
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["十天前"]
    # Rasa goes on storing the conversation after the purge, without doubling what is left
    tracker = await store.retrieve("kept")
    tracker.update(UserUttered("今天", {"name": "greet"}, timestamp=_when(0)))
    await store.save(tracker)
    full = await store.retrieve_full_tracker("kept")
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["十天前", "今天"]


async def test_tracker_events_past_the_policy_go_on_sqlite(tmp_path):
    db = tmp_path / "tracker.db"
    url = tracker_db_url(f"tracker_store:\n  type: sql\n  dialect: sqlite\n  db: {db}\n", {})
    assert url == f"sqlite:///{db}"
    await _fill_and_purge(SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db)), url)


@pytest.mark.postgres
async def test_tracker_events_past_the_policy_go_on_postgresql(monkeypatch):
    schema = f"tracker_ret_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here
        pytest.skip(f"local PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    monkeypatch.setenv("POSTGRESQL_SCHEMA", schema)  # Rasa's own setting: its tables in our schema
    try:
        store = SQLTrackerStore(
            Domain.empty(), dialect="postgresql", host="127.0.0.1", db="test", username="postgres"
        )
        await _fill_and_purge(store, f"{POSTGRES_URL}?options=-csearch_path%3D{schema}")
        store.engine.dispose()
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_the_job_purges_both_stores_and_can_be_switched_off(store, actors, settings, tmp_path):
    old = closed_order(store, actors, NOW - timedelta(days=365))
    db = tmp_path / "tracker.db"
    tracker_store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    asyncio.run(tracker_store.save(_conversation("gone", (365, "一年前"))))
    off = dataclasses.replace(settings, retention_days=0, tracker_db_url=f"sqlite:///{db}")
    assert run_retention(off, store, NOW) == {"days": 0}
    assert row(store, old).citizen_name == "张三"

    on = dataclasses.replace(off, retention_days=180)
    assert run_retention(on, store, NOW) == {"days": 180, "orders_purged": 1, "events_deleted": 4}
    assert row(store, old).citizen_name == PURGED


def test_the_job_purges_the_store_rasa_is_configured_with():
    root = Path(__file__).resolve().parents[2]
    production = (root / "endpoints.production.yml").read_text(encoding="utf-8")
    env = {
        "TRACKER_DB_HOST": "db.internal",
        "TRACKER_DB_PORT": "5433",
        "TRACKER_DB_NAME": "tracker",
        "TRACKER_DB_USER": "rasa",
        "TRACKER_DB_PASSWORD": "p@ss:word",
    }
    assert tracker_db_url(production, env) == "postgresql://rasa:p%40ss%3Aword@db.internal:5433/tracker"
    with pytest.raises(TrackerConfigError, match="TRACKER_DB_HOST"):
        tracker_db_url(production, {})
    embedded = (root / "endpoints.yml").read_text(encoding="utf-8")
    assert tracker_db_url(embedded, {}) == "sqlite:///var/tracker.db"
    assert (
        tracker_db_url(
            "tracker_store:\n  type: bot.stores.MaskingTrackerStore\n  inner_type: in_memory\n", {}
        )
        is None
    )
