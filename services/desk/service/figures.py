"""Figures for the supervision page: volumes, callback rate, on-time rate, time to first contact, satisfaction;
with workload.py the handlers' workload and the handoff waits, with conversations.py the containment; and the
per-order rows of the CSV export.

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

from kernel.privacy import mask_name

from ..db.models import CallbackRecord, WorkOrder
from ..db.queries import visible_clause
from ..domain import lifecycle as lc
from ..domain.access import Actor
from ..domain.clock import to_local
from ..domain.terms import SUCCESSFUL_OUTCOMES
from .conversations import ConversationsUnknown, tracker_conversations
from .workload import (
    answered_on_time,
    counts_as_due,
    escalated_conversations,
    handler_workload,
    handoff_figures,
)

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
    due = [r for r in rows if counts_as_due(r, now)]
    on_time = [r for r in due if answered_on_time(r)]
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


def containment(session: Session, begin: datetime, end: datetime, tracker_url: str) -> dict[str, Any]:
    """Share of the conversations with a citizen message in [begin, end) that reached no person (no work
    order, no handoff). The total comes from Rasa's tracker store; without it: no rate, and the reason."""
    try:
        found = tracker_conversations(tracker_url, begin, end)
    except ConversationsUnknown as exc:
        return {"source": None, "reason": str(exc), "conversations": None, "escalated": None, "rate": None}
    escalated = len(escalated_conversations(session, begin, end) & found.ids)
    total = len(found.ids)
    return {
        "source": found.source,
        "reason": None if total else "该时段没有对话",
        "conversations": total,
        "escalated": escalated,
        "rate": _ratio(total - escalated, total),
    }


def all_figures(
    session: Session, actor: Actor, begin: datetime, end: datetime, now: datetime, tz: str, tracker_url: str
) -> dict[str, Any]:
    """Everything the figures page shows, over orders (and handoffs, conversations) in [begin, end)."""
    figures = compute_figures(session, actor, begin, end, now, tz)
    figures["handlers"] = handler_workload(session, actor, begin, end, now)
    figures["handoffs"] = handoff_figures(session, begin, end)
    figures["containment"] = containment(session, begin, end, tracker_url)
    return figures


def _stamp(stored: datetime | None, tz: str) -> str:
    """Local time a spreadsheet sorts: '2026-03-02 09:00' (empty when it has not happened)."""
    return "" if stored is None else f"{to_local(stored, tz):%Y-%m-%d %H:%M}"


def _on_time_label(order: WorkOrder, now: datetime) -> str:
    if order.answered_at is not None:
        return "是" if answered_on_time(order) else "否"
    if counts_as_due(order, now):
        return "否（超期未答复）"
    return "不计（未答复即关闭）" if order.status == lc.CLOSED else "未到期"


def order_rows(
    session: Session, actor: Actor, begin: datetime, end: datetime, now: datetime, tz: str
) -> list[dict[str, str]]:
    """One row per order created in [begin, end) that `actor` may see, oldest first, for the CSV export.
    The citizen's name and phone are masked: the export leaves the desk."""
    orders = session.execute(
        select(WorkOrder)
        .where(visible_clause(actor), WorkOrder.created_at >= begin, WorkOrder.created_at < end)
        .order_by(WorkOrder.created_at, WorkOrder.id)
    ).scalars()
    return [
        {
            "number": o.number,
            "kind": o.kind,
            "channel": o.channel,
            "created": _stamp(o.created_at, tz),
            "due": _stamp(o.answer_due, tz),
            "answered": _stamp(o.answered_at, tz),
            "closed": _stamp(o.closed_at, tz),
            "handler": o.assignee_name,
            "on_time": _on_time_label(o, now),
            "satisfaction": "" if o.satisfaction is None else str(o.satisfaction),
            "citizen": mask_name(o.citizen_name),
            "phone": o.callback_phone_masked,
        }
        for o in orders
    ]
