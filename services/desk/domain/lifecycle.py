"""The life of a work order as one table.

新建 → 已派发 → 处理中 → 已答复 → 已回访 → 已关闭, plus 已退回 (a judge or clerk hands a misrouted order back to
the pool) and 重开 (a closed or answered order goes back to work). Each row says which roles may take an action
from a status; everything not in the table is refused with a reason staff can read. Who may touch *which*
order (a judge only their own, nobody but supervision a complaint) is decided in `access.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Roles (stored as these labels).
CLERK = "接线员"
JUDGE = "法官"
SUPERVISOR = "督查"
ADMIN = "管理员"
SYSTEM = "系统"
STAFF_ROLES = (CLERK, JUDGE, SUPERVISOR, ADMIN)

# Statuses.
NEW = "新建"
DISPATCHED = "已派发"
IN_PROGRESS = "处理中"
ANSWERED = "已答复"
VISITED = "已回访"
CLOSED = "已关闭"
RETURNED = "已退回"
STATUSES = (NEW, DISPATCHED, IN_PROGRESS, ANSWERED, VISITED, CLOSED, RETURNED)
OPEN_STATUSES = (NEW, DISPATCHED, IN_PROGRESS, RETURNED)

# Actions.
DISPATCH = "派发"
ACCEPT = "受理"
RETURN = "退回"
ANSWER = "答复"
VISIT = "回访"
CLOSE = "关闭"
REOPEN = "重开"
ACTIONS = (DISPATCH, ACCEPT, RETURN, ANSWER, VISIT, CLOSE, REOPEN)


@dataclass(frozen=True)
class Transition:
    """One allowed step: from a status, by an action, to a status, for some roles."""

    source: str
    action: str
    target: str
    roles: frozenset[str]
    note_required: bool = False


def _t(source: str, action: str, target: str, roles: set[str], note: bool = False) -> Transition:
    return Transition(source, action, target, frozenset(roles), note)


TRANSITIONS: tuple[Transition, ...] = (
    # A routed order is dispatched by the system on creation; a pool order waits for a clerk.
    _t(NEW, DISPATCH, DISPATCHED, {SYSTEM, CLERK, SUPERVISOR}),
    _t(RETURNED, DISPATCH, DISPATCHED, {CLERK, SUPERVISOR}),
    _t(NEW, ACCEPT, IN_PROGRESS, {CLERK, SUPERVISOR}),
    _t(RETURNED, ACCEPT, IN_PROGRESS, {CLERK, SUPERVISOR}),
    _t(DISPATCHED, ACCEPT, IN_PROGRESS, {JUDGE, SUPERVISOR}),
    _t(DISPATCHED, RETURN, RETURNED, {JUDGE, SUPERVISOR}, note=True),
    _t(IN_PROGRESS, RETURN, RETURNED, {JUDGE, CLERK, SUPERVISOR}, note=True),
    _t(IN_PROGRESS, ANSWER, ANSWERED, {JUDGE, CLERK, SUPERVISOR}),
    _t(ANSWERED, VISIT, VISITED, {CLERK, SUPERVISOR}),
    _t(VISITED, CLOSE, CLOSED, {CLERK, SUPERVISOR}),
    # Closing without a satisfaction callback, or closing an invalid/duplicate order, needs a reason.
    _t(ANSWERED, CLOSE, CLOSED, {SUPERVISOR}, note=True),
    _t(NEW, CLOSE, CLOSED, {CLERK, SUPERVISOR}, note=True),
    _t(RETURNED, CLOSE, CLOSED, {CLERK, SUPERVISOR}, note=True),
    _t(ANSWERED, REOPEN, IN_PROGRESS, {JUDGE, CLERK, SUPERVISOR}, note=True),
    _t(VISITED, REOPEN, IN_PROGRESS, {CLERK, SUPERVISOR}, note=True),
    _t(CLOSED, REOPEN, IN_PROGRESS, {CLERK, SUPERVISOR}, note=True),
)

_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}


class TransitionError(ValueError):
    """An action that the table does not allow from this status; the message is shown to staff as is."""


class RoleNotAllowed(TransitionError):
    """The table has the step, but not for this role."""


class NoteRequired(TransitionError):
    """The step needs a written reason."""


def find(source: str, action: str, role: str, note: str | None = None) -> Transition:
    """The row that allows `role` to take `action` from `source`, or a TransitionError saying why not."""
    if action not in ACTIONS:
        raise TransitionError(f"未知的操作“{action}”")
    row = _BY_KEY.get((source, action))
    if row is None:
        raise TransitionError(f"工单当前状态为“{source}”，不能执行“{action}”")
    if role not in row.roles:
        raise RoleNotAllowed(f"“{role}”不能对“{source}”状态的工单执行“{action}”")
    if row.note_required and not (note or "").strip():
        raise NoteRequired(f"执行“{action}”需要填写说明")
    return row


def allowed_actions(source: str, role: str) -> list[str]:
    """Actions `role` may take from `source`, in table order (for the desk's buttons)."""
    return [t.action for t in TRANSITIONS if t.source == source and role in t.roles]
