"""Figures about people: each handler's workload and on-time rate, and how long citizens wait for a clerk.

Same approach as figures.py: one pass over the rows of the range in Python, so SQLite and PostgreSQL agree.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db.models import HANDOFF_OPEN, HANDOFF_RETURNED, Handoff, StaffUser, WorkOrder
from ..db.queries import visible_clause
from ..domain import lifecycle as lc
from ..domain.access import Actor

HANDLER_ROLES = (lc.JUDGE, lc.CLERK)
CLERK_WENT_SILENT = (
    "工作人员离线"  # the sweeper's end reason (handoff.py): the clerk's desk stopped reporting
)


def _ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def counts_as_due(order: Any, now: datetime) -> bool:
    """An order promised an answer whose time has come: answered, or late and not closed. An order closed
    without an answer (invalid, duplicate) promised nothing."""
    return order.answered_at is not None or (order.answer_due < now and order.status != lc.CLOSED)


def answered_on_time(order: Any) -> bool:
    return order.answered_at is not None and order.answered_at <= order.answer_due


def handler_workload(
    session: Session, actor: Actor, begin: datetime, end: datetime, now: datetime
) -> list[dict[str, Any]]:
    """Per judge and clerk, the orders created in [begin, end) now assigned to them that `actor` may see:
    assigned, open, closed, answered, and the share answered by the answer deadline."""
    rows = session.execute(
        select(
            StaffUser.id,
            StaffUser.display_name,
            StaffUser.role,
            WorkOrder.status,
            WorkOrder.answered_at,
            WorkOrder.answer_due,
        )
        .join(StaffUser, WorkOrder.assignee_id == StaffUser.id)
        .where(
            visible_clause(actor),
            StaffUser.role.in_(HANDLER_ROLES),
            WorkOrder.created_at >= begin,
            WorkOrder.created_at < end,
        )
    ).all()
    by_person: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_person[row.id].append(row)
    out = []
    for orders in by_person.values():
        due = [o for o in orders if counts_as_due(o, now)]
        closed = sum(1 for o in orders if o.status == lc.CLOSED)
        out.append(
            {
                "name": orders[0].display_name,
                "role": orders[0].role,
                "assigned": len(orders),
                "open": len(orders) - closed,
                "closed": closed,
                "answered": sum(1 for o in orders if o.answered_at is not None),
                "on_time_rate": _ratio(sum(1 for o in due if answered_on_time(o)), len(due)),
                "due": len(due),
            }
        )
    return sorted(out, key=lambda p: (-p["assigned"], p["role"], p["name"]))


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (p90 of ten waits is the ninth shortest): a wait somebody really had."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def handoff_figures(session: Session, begin: datetime, end: datetime) -> dict[str, Any]:
    """Requests for a person made in [begin, end): how long they waited until a clerk took them (median,
    p90, in seconds), how many nobody took, and how many chats went back to the bot."""
    rows = session.execute(
        select(Handoff.status, Handoff.requested_at, Handoff.taken_at, Handoff.end_reason).where(
            Handoff.requested_at >= begin, Handoff.requested_at < end
        )
    ).all()
    waits = [(r.taken_at - r.requested_at).total_seconds() for r in rows if r.taken_at is not None]
    settled = [r for r in rows if r.taken_at is not None or r.status not in HANDOFF_OPEN]
    untaken = sum(1 for r in settled if r.taken_at is None)
    silent = sum(1 for r in rows if r.taken_at is not None and r.end_reason == CLERK_WENT_SILENT)
    returned = sum(
        1
        for r in rows
        if r.taken_at is not None and r.status == HANDOFF_RETURNED and r.end_reason != CLERK_WENT_SILENT
    )
    return {
        "requests": len(rows),
        "waiting": len(rows) - len(settled),
        "taken": len(waits),
        "median_wait_seconds": round(statistics.median(waits)) if waits else None,
        "p90_wait_seconds": round(percentile(waits, 0.9) or 0) if waits else None,
        "untaken": untaken,
        "untaken_rate": _ratio(untaken, len(settled)),
        "dropped_by_clerk": silent,
        "handed_back": returned,
    }


def escalated_conversations(session: Session, begin: datetime, end: datetime) -> set[str]:
    """Conversation ids that reached a person in [begin, end): a work order or a handoff request (every
    order, complaints included: this only tells a conversation apart, it shows none of them)."""
    orders = select(WorkOrder.conversation_id).where(
        WorkOrder.created_at >= begin, WorkOrder.created_at < end, WorkOrder.conversation_id.is_not(None)
    )
    handoffs = select(Handoff.conversation_id).where(
        Handoff.requested_at >= begin, Handoff.requested_at < end
    )
    return set(session.execute(orders).scalars()) | set(session.execute(handoffs).scalars())
