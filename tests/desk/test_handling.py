"""Handling an order through the store: claim, dispatch, return, reply, callbacks, rating, reopen, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from services.desk.db.models import WorkOrder
from services.desk.db.queries import OrderFilter
from services.desk.domain import lifecycle as lc
from services.desk.domain.access import AccessDenied
from services.desk.domain.validation import NewCallback
from services.desk.service.orders import Conflict
from tests.desk.helpers import local, new_order

CALL_REACHED = NewCallback("电话", "联系", "接通", None)
VISIT_REACHED = NewCallback("电话", "回访", "接通", "群众表示满意")


def _numbers(result):
    return [o["number"] for o in result["items"]]


def test_clerk_takes_a_pool_order_answers_and_calls_back(store, actors):
    clerk = actors["clerk"]
    number = new_order(store, now=local("2026-11-23 09:00"))["number"]
    assert store.claim(clerk, number, now=local("2026-11-23 09:10"))["assignee"] == "周敏"
    answered = store.add_reply(clerk, number, "立案需要起诉状和身份证明", now=local("2026-11-23 10:00"))
    assert answered["order"]["status"] == "已答复"
    assert answered["order"]["first_contact_at"] == "2026-11-23T10:00:00+08:00"
    assert answered["reply"]["delivery"] == "待发送"
    visited = store.record_callback(clerk, number, VISIT_REACHED, now=local("2026-11-24 09:00"))
    assert visited["status"] == "已回访"
    closed = store.transition(clerk, number, lc.CLOSE, now=local("2026-11-24 09:05"))
    assert closed["status"] == "已关闭"
    steps = [(h["from"], h["action"], h["to"], h["by"]) for h in closed["history"]]
    assert steps == [
        (None, "创建", "新建", "系统（web）"),
        ("新建", "受理", "处理中", "周敏"),
        ("处理中", "答复", "已答复", "周敏"),
        ("已答复", "回访", "已回访", "周敏"),
        ("已回访", "关闭", "已关闭", "周敏"),
    ]


def test_judge_sees_only_orders_routed_to_them(store, actors):
    mine = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    other = new_order(store, kind="联系法官", case_judge="邹丹", case_judge_id="J0105-09")["number"]
    pool = new_order(store)["number"]
    assert _numbers(store.list_orders(actors["judge_yi"], OrderFilter())) == [mine]
    with pytest.raises(AccessDenied):
        store.get_order(actors["judge_yi"], other)
    with pytest.raises(AccessDenied):
        store.claim(actors["judge_yi"], other)
    assert set(_numbers(store.list_orders(actors["clerk"], OrderFilter()))) == {mine, other, pool}


def test_clerks_do_not_see_complaints_supervision_does(store, actors):
    complaint = new_order(store, kind="投诉举报")["number"]
    assert complaint not in _numbers(store.list_orders(actors["clerk"], OrderFilter()))
    assert complaint in _numbers(store.list_orders(actors["supervisor"], OrderFilter()))
    with pytest.raises(AccessDenied):
        store.claim(actors["clerk"], complaint)
    assert store.claim(actors["supervisor"], complaint)["assignee"] == "孙立"


def test_judge_returns_a_misrouted_order_to_the_pool(store, actors):
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    with pytest.raises(lc.NoteRequired):
        store.transition(actors["judge_yi"], number, lc.RETURN)
    returned = store.transition(actors["judge_yi"], number, lc.RETURN, note="不是我承办的案件")
    assert (returned["status"], returned["assignee"], returned["route"]) == ("已退回", "接线员池", "pool")
    assert number not in _numbers(store.list_orders(actors["judge_yi"], OrderFilter()))


def test_clerk_dispatches_a_returned_order_to_the_right_judge(store, actors):
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    store.transition(actors["judge_yi"], number, lc.RETURN, note="应由邹丹承办")
    chen = actors["judge_zou"]
    dispatched = store.transition(actors["clerk"], number, lc.DISPATCH, target_id=chen.id)
    assert (dispatched["status"], dispatched["assignee"]) == ("已派发", "邹丹")
    assert store.claim(chen, number)["status"] == "处理中"


def test_dispatch_refuses_a_clerk_as_target_and_complaints_to_judges(store, actors):
    number = new_order(store)["number"]
    with pytest.raises(AccessDenied, match="承办法官"):
        store.transition(actors["clerk"], number, lc.DISPATCH, target_id=actors["clerk"].id)
    complaint = new_order(store, kind="投诉举报")["number"]
    store.claim(actors["supervisor"], complaint)
    store.transition(actors["supervisor"], complaint, lc.RETURN, note="转他人")
    with pytest.raises(AccessDenied, match="督查室"):
        store.transition(actors["supervisor"], complaint, lc.DISPATCH, target_id=actors["judge_yi"].id)


def test_only_the_holder_answers_a_taken_order(store, actors):
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    store.claim(actors["judge_yi"], number)
    with pytest.raises(AccessDenied, match="易泽俊"):
        store.add_reply(actors["clerk"], number, "我来答复")
    assert store.add_reply(actors["supervisor"], number, "督查代为答复")["order"]["status"] == "已答复"


def test_detail_offers_only_the_actions_this_person_may_take(store, actors):
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    assert store.get_order(actors["judge_yi"], number)["actions"] == ["受理", "退回"]
    assert store.get_order(actors["clerk"], number)["actions"] == []
    store.claim(actors["judge_yi"], number)
    assert store.get_order(actors["clerk"], number)["actions"] == []
    assert store.get_order(actors["supervisor"], number)["actions"] == ["退回", "答复"]


def test_reply_before_claim_is_refused(store, actors):
    number = new_order(store)["number"]
    with pytest.raises(lc.TransitionError, match="请先受理"):
        store.add_reply(actors["clerk"], number, "答复")


def test_a_second_reply_keeps_the_status_and_the_first_answer_time(store, actors):
    number = new_order(store)["number"]
    store.claim(actors["clerk"], number)
    store.add_reply(actors["clerk"], number, "第一次答复", now=local("2026-11-23 10:00"))
    again = store.add_reply(actors["clerk"], number, "补充说明", now=local("2026-11-23 11:00"))["order"]
    assert again["status"] == "已答复" and again["answered_at"] == "2026-11-23T10:00:00+08:00"
    assert [r["body"] for r in again["replies"]] == ["第一次答复", "补充说明"]


def test_first_contact_is_the_first_reached_callback(store, actors):
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    judge = actors["judge_yi"]
    store.claim(judge, number)
    missed = store.record_callback(
        judge, number, NewCallback("电话", "联系", "未接通", None), now=local("2026-11-23 10:00")
    )
    assert missed["first_contact_at"] is None
    reached = store.record_callback(
        judge, number, NewCallback("短信", "联系", "已发送", None), now=local("2026-11-23 10:05")
    )
    assert reached["first_contact_at"] == "2026-11-23T10:05:00+08:00"
    assert [c["outcome"] for c in reached["callbacks"]] == ["未接通", "已发送"]


def test_satisfaction_callback_rules(store, actors):
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")["number"]
    judge, clerk = actors["judge_yi"], actors["clerk"]
    store.claim(judge, number)
    with pytest.raises(lc.TransitionError, match="尚未答复"):
        store.record_callback(clerk, number, VISIT_REACHED)
    store.add_reply(judge, number, "已答复")
    with pytest.raises(AccessDenied, match="接线员或督查"):
        store.record_callback(judge, number, VISIT_REACHED)
    not_reached = store.record_callback(clerk, number, NewCallback("电话", "回访", "未接通", None))
    assert not_reached["status"] == "已答复"
    assert store.record_callback(clerk, number, VISIT_REACHED)["status"] == "已回访"


def test_reopen_resets_the_answer_deadline(store, actors):
    clerk = actors["clerk"]
    number = new_order(store, now=local("2026-11-23 09:00"))["number"]
    store.claim(clerk, number, now=local("2026-11-23 09:00"))
    store.add_reply(clerk, number, "答复", now=local("2026-11-23 10:00"))
    reopened = store.transition(
        clerk, number, lc.REOPEN, note="群众回访不满意", now=local("2026-11-27 10:00")
    )
    assert reopened["status"] == "处理中" and reopened["answered_at"] is None
    assert reopened["answer_due"] == "2026-12-01T17:30:00+08:00"


def test_ratings(store, actors):
    number = new_order(store, callback_phone="13812345678")["number"]
    with pytest.raises(lc.TransitionError):
        store.rate_by_citizen(number, "13812345678", 5, None)
    store.claim(actors["clerk"], number)
    store.add_reply(actors["clerk"], number, "答复")
    assert store.rate_by_citizen(number, "13812345678", 4, "挺好")["rated"] is True
    with pytest.raises(Conflict):
        store.rate_by_citizen(number, "13812345678", 1, None)
    with pytest.raises(AccessDenied):
        store.rate(actors["admin"], number, 5, None)
    assert store.rate(actors["clerk"], number, 5, "电话回访时更正")["satisfaction"] == 5


def test_admin_views_but_does_not_handle_orders(store, actors):
    number = new_order(store)["number"]
    assert store.get_order(actors["admin"], number)["actions"] == []
    with pytest.raises(AccessDenied, match="管理员"):
        store.claim(actors["admin"], number)


def test_views_and_changes_are_audited(store, actors):
    number = new_order(store)["number"]
    store.get_order(actors["clerk"], number)
    store.reveal_phone(actors["clerk"], number)
    store.claim(actors["clerk"], number)
    entries = store.audit_log(actors["supervisor"], number=number)
    assert [(e["by"], e["action"]) for e in reversed(entries)] == [
        ("周敏", "查看"),
        ("周敏", "查看电话"),
        ("周敏", "受理"),
    ]
    with pytest.raises(AccessDenied):
        store.audit_log(actors["clerk"])


def test_a_change_made_meanwhile_by_someone_else_is_a_conflict(store, actors, monkeypatch):
    """Optimistic locking: if the order changed between our read and our write, nothing of ours is kept."""
    import services.desk.service.orders as store_module

    number = new_order(store)["number"]
    original = store_module.check_may_work

    def someone_else_claims_first(actor, order, action=None):
        original(actor, order, action)
        with store.engine.begin() as conn:
            conn.execute(
                update(WorkOrder)
                .where(WorkOrder.number == number)
                .values(version=WorkOrder.version + 1, status="处理中")
            )

    monkeypatch.setattr(store_module, "check_may_work", someone_else_claims_first)
    with pytest.raises(Conflict, match="刷新"):
        store.claim(actors["clerk"], number)
    monkeypatch.undo()
    detail = store.get_order(actors["supervisor"], number)
    assert detail["assignee"] == "接线员池" and [h["action"] for h in detail["history"]] == ["创建"]
