"""Retention of the desk's personal data: closed orders past the policy keep their facts, not the person.

An order closed more than `days` ago (RETENTION_DAYS, default 180) loses what identifies or quotes the
citizen: the name, the callback phone (all four stored forms), the summary, the transcript, the
satisfaction comment, the staff's replies, the citizen's supplements and the free-text notes of callbacks
and transitions. What stays is what figures and supervision need: the number, kind, channel, route, case
number, assignee, every date and status step, the satisfaction score — and the audit log, untouched, with
one more entry per purged order saying it was purged under the policy. Open orders are never touched, however
old: somebody still owes the citizen an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ..db.models import AuditEntry, WorkOrder
from ..db.phones import PhoneVault
from ..domain import lifecycle as lc
from ..domain.access import SYSTEM_ACTOR

PURGED = "（已按保存期限清除）"
PURGE_ACTION = "保存期限清除"


@dataclass(frozen=True)
class DeskPurge:
    """What one run of the job did to the desk database."""

    orders: int
    numbers: list[str]


def cutoff_for(days: int, now: datetime) -> datetime:
    """The oldest moment still kept (naive UTC, like every stored datetime)."""
    return now - timedelta(days=days)


def _blank(order: WorkOrder, phones: PhoneVault) -> None:
    order.citizen_name = PURGED
    for column, value in phones.no_phone_columns().items():
        setattr(order, column, value)
    order.summary = PURGED
    order.transcript = []
    order.satisfaction_comment = None
    for reply in order.replies:
        reply.body = PURGED
    for supplement in order.supplements:
        supplement.body = PURGED
    for note in order.notes:  # staff notes may quote the citizen (内部备注, 催办, 改派 reasons)
        note.body = PURGED
    for record in (*order.callbacks, *order.history):
        record.note = None


def purge_closed_orders(sessions: sessionmaker, phones: PhoneVault, days: int, now: datetime) -> DeskPurge:
    """Blank the personal data of orders closed before the cut-off (idempotent: purged ones are skipped)."""
    cutoff = cutoff_for(days, now)
    with sessions.begin() as session:
        orders = _due(session, cutoff)
        for order in orders:
            _blank(order, phones)
            session.add(
                AuditEntry(
                    actor_id=None,
                    actor_name=SYSTEM_ACTOR.name,
                    action=PURGE_ACTION,
                    object_type="工单",
                    object_ref=order.number,
                    detail=f"关闭超过{days}天，已清除姓名、电话、摘要、对话记录和答复内容",
                    at=now,
                )
            )
        return DeskPurge(len(orders), [order.number for order in orders])


def _due(session: Session, cutoff: datetime) -> list[WorkOrder]:
    query = select(WorkOrder).where(
        WorkOrder.status == lc.CLOSED,
        WorkOrder.closed_at < cutoff,
        WorkOrder.citizen_name != PURGED,
    )
    return list(session.execute(query).scalars().unique().all())
