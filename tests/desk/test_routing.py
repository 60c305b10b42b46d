"""domain/routing.route_for: judges by the court data's judge id, never by name (table-driven)."""

from __future__ import annotations

import pytest

from services.desk.domain.routing import JudgeAccount, route_for

LINKED = {"J0105-01": JudgeAccount(7, "易泽俊"), "J0105-09": JudgeAccount(8, "邹丹")}


@pytest.mark.parametrize(
    ("kind", "case_judge_id", "route", "label", "account"),
    [
        ("联系法官", "J0105-01", "judge", "易泽俊", 7),
        ("信用修复", "J0105-09", "judge", "邹丹", 8),
        ("联系法官", "J0105-02", "pool", "接线员池", None),  # a judge nobody linked
        ("联系法官", None, "pool", "接线员池", None),  # the court data said nothing
        ("联系法官", "", "pool", "接线员池", None),
        ("联系法官", "j0105-01", "pool", "接线员池", None),  # ids are exact
        ("投诉举报", "J0105-01", "supervision", "督查室", None),  # never the judge complained about
        ("人工咨询", "J0105-01", "pool", "接线员池", None),
        ("系统故障转人工", "J0105-01", "pool", "接线员池", None),
    ],
)
def test_route_for(kind, case_judge_id, route, label, account):
    found = route_for(kind, case_judge_id, LINKED)
    assert (found.route, found.label, found.judge_id) == (route, label, account)


def test_no_linked_accounts_sends_judge_orders_to_the_pool():
    assert route_for("联系法官", "J0105-01", {}).route == "pool"
