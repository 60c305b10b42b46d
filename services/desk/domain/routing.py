"""Who a new work order goes to.

- 联系法官 and 信用修复: the 承办法官 named by the caller from the case data, if that judge has a desk account;
  otherwise the clerk pool, whose clerks dispatch it by hand.
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


def route_for(kind: str, case_judge: str | None, judge_ids: dict[str, int]) -> Route:
    """Route an order of `kind`; `judge_ids` maps active judges' display names to their account ids."""
    if kind == COMPLAINT:
        return Route(ROUTE_SUPERVISION, SUPERVISION_OFFICE)
    if kind in JUDGE_KINDS and case_judge and case_judge in judge_ids:
        return Route(ROUTE_JUDGE, case_judge, judge_ids[case_judge])
    return Route(ROUTE_POOL, CLERK_POOL)
