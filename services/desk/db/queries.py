"""Queue queries: filters, paging and the overdue rule in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.sql.elements import ColumnElement

from ..domain import lifecycle as lc
from ..domain.access import Actor
from ..domain.clock import to_stored
from ..domain.routing import COMPLAINT
from .models import WorkOrder

MAX_PER_PAGE = 200


def visible_clause(actor: Actor) -> ColumnElement:
    """The same rule as domain/access.py's `may_view`, as a WHERE clause for lists."""
    if actor.role in (lc.SUPERVISOR, lc.ADMIN, lc.SYSTEM):
        return true()
    if actor.role == lc.JUDGE:
        return and_(WorkOrder.kind != COMPLAINT, WorkOrder.assignee_id == actor.id)
    if actor.role == lc.CLERK:
        return WorkOrder.kind != COMPLAINT
    return false()


@dataclass(frozen=True)
class OrderFilter:
    """What the queue can be narrowed by; every field optional."""

    status: str | None = None
    kind: str | None = None
    channel: str | None = None
    overdue: bool = False
    # 即将到期: a pending deadline between now and `due_by` (set by DeskStore.list_orders from settings)
    due_soon: bool = False
    due_by: datetime | None = None
    mine: bool = False
    open_only: bool = False
    search: str | None = None
    created_from: date | None = None
    created_to: date | None = None
    sort: str = "created"
    page: int = 1
    per_page: int = 50
    # Set by DeskStore.list_orders when `search` is a phone number or its last four digits (phones.py).
    phone_hash: str | None = None
    last4_hash: str | None = None


def overdue_clause(now: datetime) -> ColumnElement:
    """Not closed, and first contact or the answer is past its deadline (same rule as views.overdue_now)."""
    return and_(
        WorkOrder.status != lc.CLOSED,
        or_(
            and_(WorkOrder.first_contact_at.is_(None), WorkOrder.first_contact_due < now),
            and_(WorkOrder.answered_at.is_(None), WorkOrder.answer_due < now),
        ),
    )


def due_soon_clause(now: datetime, due_by: datetime) -> ColumnElement:
    """Not closed, not late yet, and the deadline that still counts falls before `due_by`."""
    return and_(
        WorkOrder.status != lc.CLOSED,
        or_(
            and_(WorkOrder.first_contact_at.is_(None), WorkOrder.first_contact_due.between(now, due_by)),
            and_(WorkOrder.answered_at.is_(None), WorkOrder.answer_due.between(now, due_by)),
        ),
        ~overdue_clause(now),
    )


def _conditions(actor: Actor, flt: OrderFilter, now: datetime, tz: str) -> list[ColumnElement]:
    conditions = [visible_clause(actor)]
    for column, value in (
        (WorkOrder.status, flt.status),
        (WorkOrder.kind, flt.kind),
        (WorkOrder.channel, flt.channel),
    ):
        if value:
            conditions.append(column == value)
    if flt.overdue:
        conditions.append(overdue_clause(now))
    if flt.due_soon and flt.due_by is not None:
        conditions.append(due_soon_clause(now, flt.due_by))
    if flt.mine:
        conditions.append(WorkOrder.assignee_id == actor.id)
    if flt.open_only:
        conditions.append(WorkOrder.status.in_(lc.OPEN_STATUSES))
    if flt.search:
        pattern = f"%{flt.search.strip()}%"
        matches = [
            WorkOrder.number.ilike(pattern),
            WorkOrder.case_number.ilike(pattern),
            WorkOrder.citizen_name.ilike(pattern),
        ]
        if flt.phone_hash:
            matches.append(WorkOrder.callback_phone_hash == flt.phone_hash)
        if flt.last4_hash:
            matches.append(WorkOrder.callback_phone_last4 == flt.last4_hash)
        conditions.append(or_(*matches))
    zone = ZoneInfo(tz)
    if flt.created_from:
        conditions.append(
            WorkOrder.created_at >= to_stored(datetime.combine(flt.created_from, time(0), zone))
        )
    if flt.created_to:
        end = datetime.combine(flt.created_to + timedelta(days=1), time(0), zone)
        conditions.append(WorkOrder.created_at < to_stored(end))
    return conditions


def filtered_orders(
    session: Session, actor: Actor, flt: OrderFilter, now: datetime, tz: str
) -> tuple[list[WorkOrder], int]:
    """One page of the orders `actor` may see that match `flt`, and how many match in all."""
    conditions = _conditions(actor, flt, now, tz)
    total = session.execute(select(func.count(WorkOrder.id)).where(*conditions)).scalar_one()
    order_by = (WorkOrder.answer_due.asc(), WorkOrder.id) if flt.sort == "due" else (WorkOrder.id.desc(),)
    per_page = max(1, min(flt.per_page, MAX_PER_PAGE))
    query = (
        select(WorkOrder)
        .where(*conditions)
        .order_by(*order_by)
        .options(lazyload(WorkOrder.history), lazyload(WorkOrder.callbacks), lazyload(WorkOrder.replies))
        .offset((max(flt.page, 1) - 1) * per_page)
        .limit(per_page)
    )
    return list(session.execute(query).scalars().unique()), total


def orders_after(session: Session, actor: Actor, after: int, limit: int = 20) -> tuple[list[WorkOrder], int]:
    """Orders `actor` may see created after the row id `after` (oldest first, at most `limit`), and the
    newest visible id: the queue page's cursor for "new since I last looked"."""
    visible = visible_clause(actor)
    latest = session.execute(select(func.max(WorkOrder.id)).where(visible)).scalar_one() or 0
    rows = session.execute(
        select(WorkOrder)
        .where(visible, WorkOrder.id > after)
        .order_by(WorkOrder.id)
        .options(lazyload(WorkOrder.history), lazyload(WorkOrder.callbacks), lazyload(WorkOrder.replies))
        .limit(limit)
    )
    return list(rows.scalars().unique()), int(latest)
