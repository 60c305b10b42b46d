"""Creating work orders: numbers, deadlines, routing, idempotency and masking (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from services.desk.domain.validation import InvalidInput, parse_new_order
from services.desk.service.orders import NotFound
from tests.desk.helpers import local, new_order, order_payload


def test_number_is_readable_and_sequential_per_local_day(store):
    first = new_order(store, now=local("2026-11-28 09:00"))
    second = new_order(store, now=local("2026-11-28 09:05"))
    next_day = new_order(store, now=local("2026-11-29 00:30"))
    assert (first["number"], second["number"]) == ("GD20261128-0001", "GD20261128-0002")
    assert next_day["number"] == "GD20261129-0001"


def test_number_date_is_the_courts_local_date_not_utc(store):
    # 2026-11-28 07:30 in Beijing is still 2026-11-27 in UTC.
    assert new_order(store, now=local("2026-11-28 07:30"))["number"].startswith("GD20261128-")


def test_promise_uses_working_days_around_national_day(store):
    view = new_order(store, now=local("2026-09-30 10:00"))
    assert view["first_contact_due"] == "2026-10-08T17:30:00+08:00"
    assert view["answer_due"] == "2026-10-09T17:30:00+08:00"


def test_answer_days_are_configurable(backend, settings):
    from dataclasses import replace

    from services.desk.service.orders import DeskStore

    desk = DeskStore(backend, replace(settings, first_contact_days=2, answer_days=5))
    view = new_order(desk, now=local("2026-11-23 10:00"))
    assert view["first_contact_due"].startswith("2026-11-25T17:30")
    assert view["answer_due"].startswith("2026-11-30T17:30")


def test_same_conversation_and_message_give_the_same_order(store):
    payload = order_payload(conversation_id="conv-a", message_id="m-7")
    first = store.create_work_order(parse_new_order(payload))
    again = store.create_work_order(parse_new_order({**payload, "summary": "重复提交"}))
    assert first.created and not again.created
    assert again.view["number"] == first.view["number"]
    assert store.count_orders() == 1


def test_another_message_of_the_same_conversation_is_a_new_order(store):
    a = new_order(store, conversation_id="conv-b", message_id="m-1")
    b = new_order(store, conversation_id="conv-b", message_id="m-2")
    assert a["number"] != b["number"]


def test_concurrent_retries_with_one_key_store_one_order(store):
    payload = parse_new_order(order_payload(conversation_id="conv-race", message_id="m-1"))
    numbers, errors = [], []

    def create():
        try:
            numbers.append(store.create_work_order(payload).view["number"])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(numbers)) == 1 and len(numbers) == 6
    assert store.count_orders() == 1


def test_concurrent_creators_never_share_a_number(store):
    numbers = []

    def create(i):
        numbers.append(new_order(store, conversation_id=f"conv-{i}")["number"])

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 8 and len(set(numbers)) == 8
    assert sorted(int(n[-4:]) for n in numbers) == list(range(1, 9))


YI, ZOU = "J0105-01", "J0105-09"  # the demo judge accounts' links (staff.DEMO_STAFF)


@pytest.mark.parametrize(
    ("kind", "case_judge", "case_judge_id", "route", "status", "assignee"),
    [
        ("联系法官", "易泽俊", YI, "judge", "已派发", "易泽俊"),
        ("信用修复", "邹丹", ZOU, "judge", "已派发", "邹丹"),
        # the name of a judge with an account, but no id or another judge's id: never matched by name
        ("联系法官", "易泽俊", None, "pool", "新建", "接线员池"),
        ("联系法官", "易泽俊", "J0105-02", "pool", "新建", "接线员池"),
        ("联系法官", None, None, "pool", "新建", "接线员池"),
        ("投诉举报", "易泽俊", YI, "supervision", "已派发", "督查室"),
        ("人工咨询", "易泽俊", YI, "pool", "新建", "接线员池"),
        ("系统故障转人工", None, None, "pool", "新建", "接线员池"),
    ],
)
def test_routing(store, actors, kind, case_judge, case_judge_id, route, status, assignee):
    number = new_order(store, kind=kind, case_judge=case_judge, case_judge_id=case_judge_id)["number"]
    detail = store.get_order(actors["supervisor"], number)
    assert (detail["route"], detail["status"], detail["assignee"]) == (route, status, assignee)


def test_a_deactivated_judge_gets_no_new_orders(store, actors):
    store.staff.update_user(actors["admin"], actors["judge_yi"].id, {"active": False})
    number = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id=YI)["number"]
    assert store.get_order(actors["supervisor"], number)["route"] == "pool"


def test_complaint_naming_a_judge_is_never_shown_to_that_judge(store, actors):
    number = new_order(
        store, kind="投诉举报", case_judge="易泽俊", case_judge_id=YI, summary="投诉易泽俊法官态度差"
    )["number"]
    listed = store.list_orders(actors["judge_yi"], _filter())
    assert number not in [o["number"] for o in listed["items"]]
    with pytest.raises(PermissionError):
        store.get_order(actors["judge_yi"], number)


def test_stored_text_is_masked_but_the_callback_phone_is_kept_in_full(store, actors):
    number = new_order(
        store,
        callback_phone="+86 139-0000-1111",
        summary="我的身份证110105199001011234，电话13900001111",
        transcript=[{"sender": "user", "text": "打13900001111找我"}],
    )["number"]
    detail = store.get_order(actors["clerk"], number)
    assert detail["phone"] == "139****1111"
    assert detail["summary"] == "我的身份证110105********1234，电话139****1111"
    assert detail["transcript"][0]["text"] == "打139****1111找我"
    assert store.reveal_phone(actors["clerk"], number) == "13900001111"


def test_citizen_lookup_needs_the_matching_phone(store):
    number = new_order(store, callback_phone="13812345678")["number"]
    view = store.lookup(number.lower(), "138 1234 5678")
    assert view["number"] == number and view["phone"] == "138****5678"
    assert "citizen_name" not in view and "assignee" not in view
    with pytest.raises(NotFound) as wrong_phone:
        store.lookup(number, "13900000000")
    with pytest.raises(NotFound) as wrong_number:
        store.lookup("GD20000101-0001", "13812345678")
    assert str(wrong_phone.value) == str(wrong_number.value)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("kind", "闲聊", "工单类型"),
        ("channel", "fax", "渠道"),
        ("callback_phone", "010-12345678", "手机号"),
        ("callback_phone", None, "手机号"),
        ("citizen_name", "  ", "姓名"),
        ("summary", "字" * 2001, "过长"),
        ("conversation_id", None, "会话编号"),
        ("transcript", [{"sender": "user"}], "对话记录"),
    ],
)
def test_bad_creation_requests_say_which_field_and_why(field, value, reason):
    with pytest.raises(InvalidInput) as info:
        parse_new_order(order_payload(**{field: value}))
    assert info.value.field == field and reason in info.value.message


def _filter(**kwargs):
    from services.desk.db.queries import OrderFilter

    return OrderFilter(**kwargs)
