"""Figures for the supervision page: volumes, callback rate, on-time rate, time to first contact, satisfaction.

Computed from one pass over the orders created in the range (a court has thousands a year, not millions), so
the same code gives the same numbers on SQLite and PostgreSQL.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import CallbackRecord, WorkOrder
from ..db.queries import visible_clause
from ..domain import lifecycle as lc
from ..domain.access import Actor
from ..domain.clock import to_local
from ..domain.terms import SUCCESSFUL_OUTCOMES

_COLUMNS = (
    WorkOrder.id,
    WorkOrder.channel,
    WorkOrder.kind,
    WorkOrder.status,
    WorkOrder.created_at,
    WorkOrder.first_contact_at,
    WorkOrder.answered_at,
    WorkOrder.answer_due,
    WorkOrder.satisfaction,
)


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _visited_ids(session: Session, ids: list[int]) -> set[int]:
    """Orders with at least one reached satisfaction callback (回访)."""
    if not ids:
        return set()
    query = select(CallbackRecord.work_order_id).where(
        CallbackRecord.work_order_id.in_(ids),
        CallbackRecord.purpose == "回访",
        CallbackRecord.outcome.in_(SUCCESSFUL_OUTCOMES),
    )
    return set(session.execute(query).scalars())


def compute_figures(
    session: Session, actor: Actor, begin: datetime, end: datetime, now: datetime, tz: str = "Asia/Shanghai"
) -> dict[str, Any]:
    """Figures over orders created in [begin, end) (stored UTC) that `actor` may see."""
    rows = session.execute(
        select(*_COLUMNS).where(
            visible_clause(actor), WorkOrder.created_at >= begin, WorkOrder.created_at < end
        )
    ).all()
    answered = [r for r in rows if r.answered_at is not None]
    visited = _visited_ids(session, [r.id for r in answered])
    # Orders closed without an answer (invalid, duplicate) promised nothing and are left out.
    due = [r for r in rows if r.answered_at is not None or (r.answer_due < now and r.status != lc.CLOSED)]
    on_time = [r for r in due if r.answered_at is not None and r.answered_at <= r.answer_due]
    contact_hours = [
        (r.first_contact_at - r.created_at).total_seconds() / 3600
        for r in rows
        if r.first_contact_at is not None
    ]
    ratings = [r.satisfaction for r in rows if r.satisfaction is not None]
    return {
        "total": len(rows),
        "by_channel": dict(Counter(r.channel for r in rows)),
        "by_kind": dict(Counter(r.kind for r in rows)),
        "by_status": dict(Counter(r.status for r in rows)),
        "by_day": dict(sorted(Counter(to_local(r.created_at, tz).date().isoformat() for r in rows).items())),
        "answered": len(answered),
        "callback_rate": _ratio(sum(1 for r in answered if r.id in visited), len(answered)),
        "on_time_rate": _ratio(len(on_time), len(due)),
        "median_hours_to_first_contact": round(statistics.median(contact_hours), 2)
        if contact_hours
        else None,
        "mean_satisfaction": round(statistics.fmean(ratings), 2) if ratings else None,
        "rated": len(ratings),
    }
