"""Which member of staff may see and work on which order.

The transition table (lifecycle.py) says what a *role* may do; this module adds what depends on the order:
a judge sees only what is routed to them, complaints are for supervision only (so the judge concerned never
sees a complaint), and on an order someone has taken only that person (or supervision) answers it.
The same visibility rule as a WHERE clause for lists is db/queries.py's `visible_clause`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import lifecycle as lc
from .routing import COMPLAINT


class StaffLike(Protocol):
    """What the rules read of a staff account (db.models.StaffUser has it)."""

    id: int
    display_name: str
    role: str
    active: bool


class OrderLike(Protocol):
    """What the rules read of a work order (db.models.WorkOrder has it); the rules never touch the database."""

    kind: str
    status: str
    assignee_id: int | None
    assignee_name: str | None


@dataclass(frozen=True)
class Actor:
    """The person (or the system) doing something; what the store needs to know about them."""

    id: int | None
    name: str
    role: str

    @classmethod
    def of(cls, user: StaffLike) -> Actor:
        return cls(user.id, user.display_name, user.role)


SYSTEM_ACTOR = Actor(None, "系统", lc.SYSTEM)
# Actions that, on an order somebody has taken, only that person (or supervision) may take.
_ASSIGNEE_ONLY = (lc.ACCEPT, lc.RETURN, lc.ANSWER)


class AccessDenied(PermissionError):
    """The actor may not see or touch this order; the message is shown as is."""


def may_view(actor: Actor, order: OrderLike) -> bool:
    """Judges their own orders, clerks all but complaints, supervision and admins everything."""
    if actor.role in (lc.SUPERVISOR, lc.ADMIN, lc.SYSTEM):
        return True
    if order.kind == COMPLAINT:
        return False
    if actor.role == lc.JUDGE:
        return order.assignee_id == actor.id
    return actor.role == lc.CLERK


def check_may_work(actor: Actor, order: OrderLike, action: str | None = None) -> None:
    """Raise AccessDenied unless `actor` may act on `order` (with `action`, if it is a transition)."""
    if actor.role == lc.ADMIN:
        raise AccessDenied("管理员只管理账号，不处理工单")
    if not may_view(actor, order):
        raise AccessDenied("无权处理该工单")
    taken_by_other = order.assignee_id is not None and order.assignee_id != actor.id
    if action in _ASSIGNEE_ONLY and actor.role in (lc.CLERK, lc.JUDGE) and taken_by_other:
        raise AccessDenied(f"该工单由{order.assignee_name}承办")


def check_dispatch_target(order: OrderLike, target: StaffLike | None) -> None:
    """Complaints go to supervision only; other orders to an active judge."""
    if order.kind == COMPLAINT:
        if target is not None and target.role != lc.SUPERVISOR:
            raise AccessDenied("投诉举报只能派发给督查室，不能派发给法官或接线员")
        return
    if target is None or not target.active or target.role != lc.JUDGE:
        raise AccessDenied("请选择在岗的承办法官")


def permitted_actions(actor: Actor, order: OrderLike) -> list[str]:
    """The table's actions for the actor's role that this actor may also take on this order (desk buttons)."""
    permitted = []
    for action in lc.allowed_actions(order.status, actor.role):
        try:
            check_may_work(actor, order, action)
        except AccessDenied:
            continue
        permitted.append(action)
    return permitted
