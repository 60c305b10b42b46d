"""Who a new work order goes to.

- 联系法官 and 信用修复: the desk account an administrator linked to the case's 承办法官 by the court data's
  judge id (`case_judge_id`, from the court-data service's routing answer). No id, or no active judge account
  linked to it: the clerk pool, whose clerks dispatch it by hand. Names are never matched: two judges may share
  one, and a display name is whatever an administrator typed.
- 投诉举报: the supervision office (督查室), never the judge concerned, even when the citizen names one.
- everything else: the clerk pool.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.contracts import JUDGE_KINDS, WorkOrderKind

from .terms import ROUTE_JUDGE, ROUTE_POOL, ROUTE_SUPERVISION

SUPERVISION_OFFICE = "督查室"
CLERK_POOL = "接线员池"
COMPLAINT = WorkOrderKind.COMPLAINT.value


@dataclass(frozen=True)
class Route:
    """Where to send an order: the route code, the label staff see and the judge account if any."""

    route: str
    label: str
    judge_id: int | None = None


@dataclass(frozen=True)
class JudgeAccount:
    """An active judge account linked to a court-data judge id."""

    account_id: int
    display_name: str


def route_for(kind: str, case_judge_id: str | None, linked: dict[str, JudgeAccount]) -> Route:
    """Route an order of `kind`; `linked` maps court-data judge ids to the active judge accounts linked to
    them. The label is the linked account's name, the person who will see the order."""
    if kind == COMPLAINT:
        return Route(ROUTE_SUPERVISION, SUPERVISION_OFFICE)
    account = linked.get(case_judge_id) if kind in JUDGE_KINDS and case_judge_id else None
    if account is not None:
        return Route(ROUTE_JUDGE, account.display_name, account.account_id)
    return Route(ROUTE_POOL, CLERK_POOL)
