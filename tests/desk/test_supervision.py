"""The overdue list for supervision and the figures page's numbers."""

from __future__ import annotations

from datetime import date

import pytest

from services.desk.db.queries import OrderFilter
from services.desk.domain import lifecycle as lc
from services.desk.domain.access import AccessDenied
from services.desk.domain.validation import NewCallback
from tests.desk.helpers import local, new_order

MONDAY = "2026-11-23 09:00"  # first contact due Tue 17:30, answer due Wed 17:30


def _overdue(store, actor, now):
    return {o["number"] for o in store.list_orders(actor, OrderFilter(overdue=True), now=local(now))["items"]}


def test_overdue_list_follows_first_contact_and_answer_deadlines(store, actors):
    clerk, sup = actors["clerk"], actors["supervisor"]
    silent = new_order(store, now=local(MONDAY))["number"]
    contacted = new_order(store, now=local(MONDAY))["number"]
    store.record_callback(
        clerk, contacted, NewCallback("电话", "联系", "接通", None), now=local("2026-11-24 10:00")
    )
    answered = new_order(store, now=local(MONDAY))["number"]
    store.claim(clerk, answered, now=local(MONDAY))
    store.add_reply(clerk, answered, "答复", now=local("2026-11-24 10:00"))
    invalid = new_order(store, now=local(MONDAY))["number"]
    store.transition(clerk, invalid, lc.CLOSE, note="重复工单", now=local(MONDAY))

    assert _overdue(store, sup, "2026-11-24 17:00") == set()
    assert _overdue(store, sup, "2026-11-24 18:00") == {silent}
    assert _overdue(store, sup, "2026-11-26 09:00") == {silent, contacted}


def test_overdue_flag_is_set_once_and_outlives_a_late_answer(store, actors):
    clerk = actors["clerk"]
    number = new_order(store, now=local(MONDAY))["number"]
    assert store.flag_overdue(now=local("2026-11-24 12:00")) == []
    assert store.flag_overdue(now=local("2026-11-24 18:00")) == [number]
    assert store.flag_overdue(now=local("2026-11-25 18:00")) == []
    store.claim(clerk, number, now=local("2026-11-26 09:00"))
    store.add_reply(clerk, number, "迟到的答复", now=local("2026-11-26 09:30"))
    row = store.list_orders(clerk, OrderFilter(), now=local("2026-11-26 10:00"))["items"][0]
    assert (row["overdue"], row["was_overdue"]) == (False, True)
    assert [e["action"] for e in store.audit_log(actors["supervisor"], number=number)][-1] == "超期督办"


def test_queue_filters(store, actors):
    clerk = actors["clerk"]
    web = new_order(store, channel="web", now=local("2026-11-20 10:00"), citizen_name="李四")["number"]
    wechat = new_order(store, channel="wechat", kind="系统故障转人工", now=local("2026-11-23 10:00"))[
        "number"
    ]
    store.claim(clerk, wechat)

    def numbers(**kw):
        return [o["number"] for o in store.list_orders(clerk, OrderFilter(**kw))["items"]]

    assert numbers(channel="wechat") == [wechat]
    assert numbers(kind="人工咨询") == [web]
    assert numbers(status="处理中") == [wechat]
    assert numbers(mine=True) == [wechat]
    assert numbers(search="李四") == [web]
    assert numbers(created_from=date(2026, 11, 21)) == [wechat]
    assert numbers(created_to=date(2026, 11, 20)) == [web]
    assert numbers(sort="due") == [web, wechat]
    paged = store.list_orders(clerk, OrderFilter(per_page=1, page=2))
    assert (paged["total"], [o["number"] for o in paged["items"]]) == (2, [web])


def _scenario(store, actors):
    """Five orders in the week of Nov 23 (one a complaint) and one long before."""
    clerk = actors["clerk"]
    on_time = new_order(store, channel="web", now=local(MONDAY))["number"]
    store.claim(clerk, on_time, now=local(MONDAY))
    store.add_reply(clerk, on_time, "答复", now=local("2026-11-23 10:00"))  # contact after 1 h
    store.record_callback(
        clerk, on_time, NewCallback("电话", "回访", "接通", None), now=local("2026-11-24 09:00")
    )
    store.rate(clerk, on_time, 5, None)
    late = new_order(store, channel="web", now=local(MONDAY))["number"]
    store.record_callback(
        clerk, late, NewCallback("电话", "联系", "接通", None), now=local("2026-11-23 12:00")
    )
    store.claim(clerk, late, now=local(MONDAY))
    store.add_reply(clerk, late, "答复", now=local("2026-11-26 10:00"))  # after Wed 17:30
    store.rate(clerk, late, 3, None)
    new_order(store, channel="wechat", now=local(MONDAY))  # never answered
    new_order(store, channel="rest", kind="联系法官", now=local("2026-11-26 10:00"))  # not yet due
    new_order(store, channel="web", kind="投诉举报", now=local("2026-11-27 09:00"))
    new_order(store, channel="web", now=local("2026-11-01 09:00"))  # outside the range


def test_figures_for_supervision(store, actors):
    _scenario(store, actors)
    figures = store.figures(
        actors["supervisor"], date(2026, 11, 20), date(2026, 11, 27), now=local("2026-11-27 12:00")
    )
    assert figures["total"] == 5
    assert figures["by_channel"] == {"web": 3, "wechat": 1, "rest": 1}
    assert figures["by_kind"] == {"人工咨询": 3, "联系法官": 1, "投诉举报": 1}
    assert figures["by_status"] == {"已回访": 1, "已答复": 1, "新建": 2, "已派发": 1}
    assert figures["by_day"] == {"2026-11-23": 3, "2026-11-26": 1, "2026-11-27": 1}
    assert figures["answered"] == 2
    assert figures["callback_rate"] == 0.5
    assert figures["on_time_rate"] == pytest.approx(1 / 3, abs=1e-4)
    assert figures["median_hours_to_first_contact"] == 2.0
    assert figures["mean_satisfaction"] == 4.0


def test_figures_respect_what_the_viewer_may_see(store, actors):
    _scenario(store, actors)
    clerk_view = store.figures(
        actors["clerk"], date(2026, 11, 20), date(2026, 11, 27), now=local("2026-11-27 12:00")
    )
    assert clerk_view["total"] == 4 and "投诉举报" not in clerk_view["by_kind"]
    with pytest.raises(AccessDenied):
        store.figures(actors["judge_yi"], date(2026, 11, 20), date(2026, 11, 27))


def test_figures_of_an_empty_range_are_empty_not_errors(store, actors):
    figures = store.figures(actors["supervisor"], date(2020, 1, 1), date(2020, 1, 31))
    assert figures["total"] == 0
    assert figures["callback_rate"] is None and figures["on_time_rate"] is None
    assert figures["median_hours_to_first_contact"] is None and figures["mean_satisfaction"] is None
