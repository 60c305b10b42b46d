"""内部备注, 催办, 改派 and 合并 on an order, and the same citizen's other orders (issue 13, item 4).

A mixin of `DeskStore` (it uses the store's transaction, loading and audit helpers), kept apart so the
store's file stays about creation and the lifecycle. Notes are for staff only: no citizen view carries them.
- 备注: anyone who may work the order writes one (a judge on his own order, never an administrator).
- 催办: a supervisor urges the handler of an order not yet closed, with a note the handler sees at the top
  of the order page and as a tag in the queue until the order is answered.
- 改派: a supervisor moves an order that somebody is working to another handler, with a reason; the
  status stays (the transition table has no step for it), only who handles it changes.
- 合并: a clerk or supervisor closes a duplicate into another open order. The close is the table's own
  关闭 step with the reason 重复工单, so it is allowed exactly where the table allows closing with a reason
  (新建, 已退回; 已回访; 已答复 for supervision); an order being worked is returned or answered first.
  Both orders get a note pointing at the other.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..db.models import StaffNote, StaffUser, WorkOrder
from ..db.queries import visible_clause
from ..domain import lifecycle as lc
from ..domain.access import AccessDenied, Actor, check_dispatch_target, check_may_work
from ..domain.clock import utcnow
from ..domain.routing import COMPLAINT
from ..domain.terms import ROUTE_JUDGE, ROUTE_POOL, ROUTE_SUPERVISION
from . import presenters

NOTE, URGE, REASSIGN, MERGE = "备注", "催办", "改派", "合并"
OTHER_ORDERS_SHOWN = 10
# Orders someone is working: 改派 moves these; a pool order is 派发ed instead.
REASSIGNABLE = (lc.DISPATCHED, lc.IN_PROGRESS, lc.ANSWERED, lc.VISITED)


class SupervisionMixin:
    """Staff notes, 催办, 改派 and the citizen's other orders (needs DeskStore's helpers)."""

    def add_note(self, actor: Actor, number: str, body: str, now: datetime | None = None) -> dict[str, Any]:
        """内部备注 by anyone who may work the order."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order)
            self._note(session, order, actor, NOTE, body, now)
            return self._detail(order, actor, now)

    def urge(self, actor: Actor, number: str, body: str, now: datetime | None = None) -> dict[str, Any]:
        """催办: a supervisor's note to the handler of an open order, audited."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            _supervisor_only(actor, "催办")
            if order.status == lc.CLOSED:
                raise lc.TransitionError("工单已关闭，无需催办")
            self._note(session, order, actor, URGE, body, now)
            self._audit(session, actor, URGE, order.number, f"催办{order.assignee_name}：{body[:200]}", now)
            return self._detail(order, actor, now)

    def reassign(
        self, actor: Actor, number: str, target_id: int | None, reason: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """改派: another handler for an order somebody is working; the reason is kept as a note and audited."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            _supervisor_only(actor, "改派")
            if order.status not in REASSIGNABLE:
                raise lc.TransitionError(f"“{order.status}”的工单请使用派发或受理，不能改派")
            target = session.get(StaffUser, target_id) if target_id is not None else None
            _check_target(order, target)
            before = order.assignee_name
            order.assignee_id, order.assignee_name = target.id, target.display_name
            order.route = {lc.JUDGE: ROUTE_JUDGE, lc.SUPERVISOR: ROUTE_SUPERVISION}.get(
                target.role, ROUTE_POOL
            )
            detail = f"{before} → {target.display_name}：{reason}"
            self._note(session, order, actor, REASSIGN, detail, now)
            self._audit(session, actor, REASSIGN, order.number, detail[:500], now)
            return self._detail(order, actor, now)

    def merge(self, actor: Actor, number: str, into: str, now: datetime | None = None) -> dict[str, Any]:
        """合并: close `number` as a duplicate of the open order `into`; returns the kept order's view."""
        now = now or utcnow()
        with self._write() as session:
            duplicate = self._load(session, number)
            kept = self._load(session, into)
            if duplicate.id == kept.id:
                raise lc.TransitionError("不能与自身合并")
            check_may_work(actor, duplicate)
            check_may_work(actor, kept)
            if kept.status == lc.CLOSED:
                raise lc.TransitionError(f"工单 {kept.number} 已关闭，请并入未办结的工单")
            if lc.CLOSE not in lc.allowed_actions(duplicate.status, actor.role):
                raise lc.TransitionError(
                    f"工单 {duplicate.number} 为“{duplicate.status}”，不能作为重复工单关闭；请先退回或办结后再合并"
                )
            reason = f"重复工单，已并入 {kept.number}"
            self._step(session, duplicate, actor, lc.CLOSE, reason, now)
            self._note(session, duplicate, actor, MERGE, reason, now)
            self._note(
                session,
                kept,
                actor,
                MERGE,
                f"并入重复工单 {duplicate.number}：{duplicate.summary[:200]}",
                now,
            )
            self._audit(session, actor, MERGE, duplicate.number, f"{duplicate.number} → {kept.number}", now)
            return self._detail(kept, actor, now)

    def reassign_targets(self, order: dict[str, Any]) -> list[dict[str, Any]]:
        """Who an order may be moved to: supervisors for a complaint, else active judges and clerks (not the
        one who has it; a judge only once the order is out of 已派发 or to another judge)."""
        roles = (lc.SUPERVISOR,) if order["kind"] == COMPLAINT else (lc.JUDGE, lc.CLERK)
        if order["status"] == lc.DISPATCHED and order["kind"] != COMPLAINT:
            roles = (lc.JUDGE,)
        with self._sessions() as session:
            users = session.execute(
                select(StaffUser).where(StaffUser.active, StaffUser.role.in_(roles)).order_by(StaffUser.id)
            ).scalars()
            return [
                {"id": u.id, "display_name": u.display_name, "role": u.role}
                for u in users
                if u.id != order["assignee_id"]
            ]

    def other_orders(self, actor: Actor, number: str, now: datetime | None = None) -> list[dict[str, Any]]:
        """The same citizen's other orders (same callback phone, by its keyed hash), newest first, as far as
        `actor` may see them."""
        now = now or utcnow()
        with self._sessions() as session:
            order = self._load(session, number)
            if not order.callback_phone_hash:
                return []
            rows = session.execute(
                select(WorkOrder)
                .where(
                    visible_clause(actor),
                    WorkOrder.callback_phone_hash == order.callback_phone_hash,
                    WorkOrder.id != order.id,
                )
                .order_by(WorkOrder.id.desc())
                .limit(OTHER_ORDERS_SHOWN)
            ).scalars()
            tz = self.settings.timezone
            return [presenters.staff_summary(o, now, tz) for o in rows.unique()]

    # ------------------------------------------------------------------ helpers

    def _note(self, session, order: WorkOrder, actor: Actor, kind: str, body: str, now: datetime) -> None:
        order.notes.append(
            StaffNote(kind=kind, author_id=actor.id, author_name=actor.name, body=body, created_at=now)
        )
        order.updated_at = now
        if kind == NOTE:
            self._audit(session, actor, "内部备注", order.number, None, now)
        session.flush()

    def _detail(self, order: WorkOrder, actor: Actor, now: datetime) -> dict[str, Any]:
        return presenters.staff_detail(order, actor, now, self.settings.timezone)


def _supervisor_only(actor: Actor, what: str) -> None:
    if actor.role != lc.SUPERVISOR:
        raise AccessDenied(f"{what}由督查办理")


def _check_target(order: WorkOrder, target: StaffUser | None) -> None:
    """Complaints stay with supervision; an order waiting for a judge's 受理 goes to a judge; otherwise an
    active judge or clerk, and not the one who has it already."""
    if target is None or not target.active:
        raise AccessDenied("请选择在岗的工作人员")
    if order.kind == COMPLAINT or order.status == lc.DISPATCHED:
        check_dispatch_target(order, target)
    elif target.role not in (lc.JUDGE, lc.CLERK):
        raise AccessDenied("请改派给法官或接线员")
    if target.id == order.assignee_id:
        raise lc.TransitionError("该工单已由此人承办")
