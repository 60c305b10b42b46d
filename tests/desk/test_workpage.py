"""The work-order page and the queue as a clerk uses them (issue 13): the order found by phone, the
transcript with what the citizen tapped, 回访并办结 in one post, 即将到期, new orders polled, canned replies
by role."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pytest

from services.desk.db.queries import OrderFilter
from services.desk.domain.clock import utcnow
from services.desk.service.orders import DeskStore
from tests.desk.conftest import FAST_HASHER, PASSWORD
from tests.desk.helpers import local, login, new_order

JUDGE_CASE = "（2026）京0105民初8848号"


def text(answer) -> str:
    return answer.get_data(as_text=True)


def rows(html: str) -> set[str]:
    """The order numbers listed in the queue table."""
    return set(re.findall(r'<td><a href="/desk/orders/([^"]+)">', html))


def audit_actions(store, actor, number) -> list[str]:
    return [entry["action"] for entry in store.audit_log(actor, number)]


# --------------------------------------------------------------------------------------- search


@pytest.fixture
def three_for_one_phone(store):
    """Three orders of one citizen (phone 13900001234), one of somebody else's whose number also
    contains 1234 in the middle, and one complaint of the same citizen."""
    mine = [new_order(store, callback_phone="13900001234", citizen_name="王五")["number"] for _ in range(3)]
    other = new_order(store, callback_phone="13912345678", citizen_name="赵六")["number"]
    complaint = new_order(store, callback_phone="13900001234", kind="投诉举报")["number"]
    return mine, other, complaint


@pytest.mark.parametrize("term", ["13900001234", "139 0000 1234", "+86 139-0000-1234", "1234"])
def test_a_clerk_finds_every_order_of_a_phone_in_one_search(pages, three_for_one_phone, term):
    mine, other, complaint = three_for_one_phone
    login(pages, "clerk", PASSWORD)
    html = text(pages.get("/desk/", query_string={"q": term}))
    assert rows(html) == set(mine)  # not the other citizen's, not the complaint (clerks never see those)
    table = html.split('<table class="queue">')[1]
    assert "共 3 件" in html and "139****1234" in table and "13900001234" not in table


def test_search_by_name_number_and_case_number(pages, store):
    first = new_order(store, citizen_name="钱七", case_number=JUDGE_CASE)["number"]
    second = new_order(store, citizen_name="孙八")["number"]
    login(pages, "clerk", PASSWORD)
    assert rows(text(pages.get("/desk/", query_string={"q": "钱七"}))) == {first}
    assert rows(text(pages.get("/desk/", query_string={"q": "民初8848"}))) == {first}
    assert rows(text(pages.get("/desk/", query_string={"q": second}))) == {second}


def test_a_judge_searching_a_phone_finds_only_his_own_orders(pages, store):
    own = new_order(
        store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
    )["number"]
    pool = new_order(store)["number"]  # same default phone, in the clerks' pool
    login(pages, "judge_yi", PASSWORD)
    assert rows(text(pages.get("/desk/", query_string={"q": "5678"}))) == {own}
    assert pool != own


# ----------------------------------------------------------------------------------- transcript


def test_the_transcript_shows_what_the_citizen_tapped_and_folds_earlier_turns(pages, store):
    now = utcnow()
    long_ago = (now - timedelta(hours=2)).isoformat() + "+00:00"
    recent = (now - timedelta(minutes=1)).isoformat() + "+00:00"
    number = new_order(
        store,
        now=now,
        transcript=[
            {"sender": "user", "text": "查一下另一个案件的进度", "at": long_ago},
            {"sender": "bot", "text": "另一个案件处于审理阶段", "at": long_ago},
            {"sender": "user", "text": "我要给法官留言", "at": recent},
            {"sender": "bot", "text": "确认提交吗？", "at": recent},
            {"sender": "user", "text": "/affirm", "at": recent},
            {"sender": "user", "text": "（点击按钮 deny）", "at": recent},
        ],
    )["number"]
    login(pages, "clerk", PASSWORD)
    html = text(pages.get(f"/desk/orders/{number}"))
    earlier, own = html.split('<ol class="transcript own">')
    assert "另一个案件处于审理阶段" in earlier.split('class="earlier"')[1]  # folded into 展开更早的对话
    assert "展开更早的对话（2 条）" in html
    assert re.search(r"群众</span><span class=\"text\">是的<", own)
    assert re.search(r"群众</span><span class=\"text\">不是<", own)
    assert "/affirm" not in html and "点击按钮" not in html


# ----------------------------------------------------------------------------- closing in one step


def _answered(pages, store) -> tuple[str, str]:
    number = new_order(store, channel="rest")["number"]
    token = login(pages, "clerk", PASSWORD)
    pages.post(f"/desk/orders/{number}/claim", data={"csrf_token": token})
    pages.post(f"/desk/orders/{number}/reply", data={"csrf_token": token, "body": "请带身份证来立案。"})
    return number, token


def test_one_post_records_the_callback_the_rating_and_closes(pages, store, actors):
    number, token = _answered(pages, store)
    assert 'id="finish-form"' in text(pages.get(f"/desk/orders/{number}"))
    answer = pages.post(
        f"/desk/orders/{number}/finish",
        data={
            "csrf_token": token,
            "method": "电话",
            "outcome": "接通",
            "score": "5",
            "comment": "办得快，电话13812345678",
            "note": "群众表示满意",
            "close": "1",
        },
        follow_redirects=True,
    )
    assert "回访已记录，工单已办结" in text(answer)
    detail = store.get_order(actors["supervisor"], number)
    assert detail["status"] == "已关闭" and detail["satisfaction"] == 5
    assert detail["satisfaction_comment"] == "办得快，电话138****5678"
    assert [(c["purpose"], c["outcome"]) for c in detail["callbacks"]] == [("回访", "接通")]
    steps = [(h["from"], h["action"], h["to"]) for h in detail["history"] if h["from"]]
    assert steps[-2:] == [("已答复", "回访", "已回访"), ("已回访", "关闭", "已关闭")]
    trail = audit_actions(store, actors["supervisor"], number)
    assert {"记录回访", "回访", "记录满意度", "关闭"} <= set(trail)


def test_a_citizen_not_reached_is_not_closed_and_nothing_half_stored(pages, store, actors):
    number, token = _answered(pages, store)
    refused = pages.post(
        f"/desk/orders/{number}/finish",
        data={"csrf_token": token, "method": "电话", "outcome": "未接通", "close": "1"},
        headers={"Referer": f"http://localhost/desk/orders/{number}"},
        follow_redirects=True,
    )
    assert "不能关闭" in text(refused)
    detail = store.get_order(actors["clerk"], number)
    assert detail["status"] == "已答复" and detail["callbacks"] == []
    pages.post(
        f"/desk/orders/{number}/finish",
        data={"csrf_token": token, "method": "电话", "outcome": "未接通"},
    )
    detail = store.get_order(actors["clerk"], number)
    assert detail["status"] == "已答复" and [c["outcome"] for c in detail["callbacks"]] == ["未接通"]


def test_a_judge_is_not_offered_and_may_not_post_the_closing_step(pages, store, actors):
    number = new_order(
        store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
    )["number"]
    store.claim(actors["judge_yi"], number)
    store.add_reply(actors["judge_yi"], number, "已电话联系")
    token = login(pages, "judge_yi", PASSWORD)
    html = text(pages.get(f"/desk/orders/{number}"))
    assert 'id="finish-form"' not in html
    answer = pages.post(
        f"/desk/orders/{number}/finish",
        data={"csrf_token": token, "method": "电话", "outcome": "接通", "close": "1"},
    )
    assert answer.status_code == 403
    assert store.get_order(actors["supervisor"], number)["status"] == "已答复"


# ------------------------------------------------------------------------------ canned by role


def test_canned_replies_follow_the_role(pages, store, actors):
    number = new_order(
        store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
    )["number"]
    store.claim(actors["judge_yi"], number)
    login(pages, "judge_yi", PASSWORD)
    judge_page = text(pages.get(f"/desk/orders/{number}"))
    assert 'id="reply-form"' in judge_page and ">网上立案<" in judge_page
    assert "已转承办法官" not in judge_page
    pool = new_order(store)["number"]
    token = login(pages, "clerk", PASSWORD)
    pages.post(f"/desk/orders/{pool}/claim", data={"csrf_token": token})
    assert ">已转承办法官<" in text(pages.get(f"/desk/orders/{pool}"))


# ---------------------------------------------------------------------------------- due soon


def test_due_soon_lists_deadlines_by_the_next_working_day_and_not_late_ones(pages, store, clock):
    clock.now = local("2026-12-02 10:00")  # a Wednesday
    tomorrow = new_order(store, now=local("2026-12-02 09:00"))["number"]  # first contact due Thu 17:30
    today = new_order(store, now=local("2026-12-01 09:00"))["number"]  # due Wed 17:30
    late = new_order(store, now=local("2026-11-27 09:00"))["number"]  # due Mon: overdue
    login(pages, "clerk", PASSWORD)
    html = text(pages.get("/desk/?due_soon=1&sort=due"))
    assert rows(html) == {today, tomorrow} and late not in rows(html)
    assert "12-03 17:30 之前" in html
    assert re.search(rf"{today}.*{tomorrow}", html, re.S)  # by deadline


def test_due_soon_hours_narrow_the_window(backend, settings, store, actors):
    now = local("2026-12-02 10:00")
    today = new_order(store, now=local("2026-12-01 09:00"))["number"]  # due in 7.5 hours
    new_order(store, now=local("2026-12-02 09:00"))  # due in 31.5 hours
    narrow = DeskStore(backend, dataclasses.replace(settings, due_soon_hours=8), hasher=FAST_HASHER)
    found = narrow.list_orders(actors["clerk"], OrderFilter(due_soon=True), now)
    assert [o["number"] for o in found["items"]] == [today]


# ------------------------------------------------------------------------------- new orders poll


def test_the_queue_learns_of_new_orders_it_may_see(pages, store):
    login(pages, "clerk", PASSWORD)
    first = pages.get("/desk/queue/updates.json").json
    assert first["new"] == []
    fresh = new_order(store, summary="想问诉讼费")["number"]
    new_order(store, kind="投诉举报")  # supervision only
    update = pages.get("/desk/queue/updates.json", query_string={"after": first["cursor"]}).json
    assert [o["number"] for o in update["new"]] == [fresh] and update["new"][0]["summary"] == "想问诉讼费"
    again = pages.get("/desk/queue/updates.json", query_string={"after": update["cursor"]}).json
    assert again["new"] == []


def test_the_updates_need_a_login(pages):
    answer = pages.get("/desk/queue/updates.json")
    assert answer.status_code == 401 and answer.json["error"] == "login"


# ------------------------------------------------------------------ notes, 催办, 改派, other orders


def test_a_supervisor_urges_the_handler_who_sees_it_until_he_answers(pages, store, actors):
    number = new_order(store)["number"]
    store.claim(actors["clerk"], number)
    token = login(pages, "supervisor", PASSWORD)
    pages.post(
        f"/desk/orders/{number}/urge", data={"csrf_token": token, "body": "群众第三次来电，请今天回复"}
    )
    assert "催办" in audit_actions(store, actors["supervisor"], number)
    token = login(pages, "clerk", PASSWORD)
    page = text(pages.get(f"/desk/orders/{number}"))
    assert re.search(r'id="urge-notice".*群众第三次来电，请今天回复', page)
    assert re.search(rf"{number}.*?tag late\">催办<", text(pages.get("/desk/")), re.S)
    pages.post(f"/desk/orders/{number}/reply", data={"csrf_token": token, "body": "已答复"})
    assert 'id="urge-notice"' not in text(pages.get(f"/desk/orders/{number}"))
    assert ">催办<" not in text(pages.get("/desk/"))


def test_only_a_supervisor_urges_or_reassigns(pages, store, actors):
    number = new_order(store)["number"]
    store.claim(actors["clerk"], number)
    token = login(pages, "clerk", PASSWORD)
    assert 'id="urge-form"' not in text(pages.get(f"/desk/orders/{number}"))
    assert (
        pages.post(f"/desk/orders/{number}/urge", data={"csrf_token": token, "body": "x"}).status_code == 403
    )
    judge_id = actors["judge_yi"].id
    answer = pages.post(
        f"/desk/orders/{number}/reassign", data={"csrf_token": token, "target_id": judge_id, "note": "x"}
    )
    assert answer.status_code == 403
    assert store.get_order(actors["supervisor"], number)["assignee"] == "周敏"


def test_a_supervisor_reassigns_a_worked_order_with_a_reason(pages, store, actors):
    number = new_order(store, kind="联系法官")["number"]
    store.claim(actors["clerk"], number)
    token = login(pages, "supervisor", PASSWORD)
    page = text(pages.get(f"/desk/orders/{number}"))
    assert re.search(rf'<option value="{actors["judge_yi"].id}">易泽俊（法官）', page)
    refused = pages.post(
        f"/desk/orders/{number}/reassign",
        data={"csrf_token": token, "target_id": actors["judge_yi"].id},
        headers={"Referer": f"http://localhost/desk/orders/{number}"},
        follow_redirects=True,
    )
    assert "缺少改派原因" in text(refused)
    pages.post(
        f"/desk/orders/{number}/reassign",
        data={"csrf_token": token, "target_id": actors["judge_yi"].id, "note": "涉及庭审安排，由法官答复"},
    )
    detail = store.get_order(actors["judge_yi"], number)  # the judge now sees it: it is his
    assert detail["assignee"] == "易泽俊" and detail["status"] == "处理中"
    assert detail["notes"][-1]["kind"] == "改派" and "周敏 → 易泽俊" in detail["notes"][-1]["body"]
    assert "改派" in audit_actions(store, actors["supervisor"], number)
    fresh = new_order(store)["number"]  # nobody works it yet: 派发, not 改派
    answer = pages.post(
        f"/desk/orders/{fresh}/reassign",
        data={"csrf_token": token, "target_id": actors["judge_yi"].id, "note": "x"},
        headers={"Referer": f"http://localhost/desk/orders/{fresh}"},
        follow_redirects=True,
    )
    assert "不能改派" in text(answer)


def test_internal_notes_are_for_staff_only(pages, store, actors, client):
    number = new_order(store, channel="rest")["number"]
    token = login(pages, "clerk", PASSWORD)
    pages.post(f"/desk/orders/{number}/note", data={"csrf_token": token, "body": "群众情绪激动，回电请耐心"})
    assert "群众情绪激动，回电请耐心" in text(pages.get(f"/desk/orders/{number}"))
    assert "内部备注" in audit_actions(store, actors["supervisor"], number)
    assert "群众情绪激动" not in str(store.lookup(number, "13812345678"))
    login(pages, "admin", PASSWORD)
    assert 'id="note-form"' not in text(pages.get(f"/desk/orders/{number}"))


def test_the_order_page_lists_the_citizens_other_orders(pages, three_for_one_phone):
    mine, other, complaint = three_for_one_phone
    login(pages, "clerk", PASSWORD)
    section = text(pages.get(f"/desk/orders/{mine[0]}")).split('id="other-orders"')[1].split("</section>")[0]
    assert set(re.findall(r'<a href="/desk/orders/([^"]+)"', section)) == {mine[1], mine[2]}
    login(pages, "supervisor", PASSWORD)
    section = text(pages.get(f"/desk/orders/{mine[0]}")).split('id="other-orders"')[1].split("</section>")[0]
    assert set(re.findall(r'<a href="/desk/orders/([^"]+)"', section)) == {mine[1], mine[2], complaint}
    assert other not in section


def test_the_staff_api_closes_in_one_call_too(client, store, actors):
    number = new_order(store, channel="rest")["number"]
    store.claim(actors["clerk"], number)
    store.add_reply(actors["clerk"], number, "已答复")
    token = client.post("/api/v1/staff/login", json={"username": "clerk", "password": PASSWORD}).json["token"]
    auth = {"Authorization": f"Bearer {token}"}
    refused = client.post(
        f"/api/v1/staff/workorders/{number}/finish",
        json={"method": "电话", "outcome": "未接通", "close": True},
        headers=auth,
    )
    assert refused.status_code == 409 and "不能关闭" in refused.json["message"]
    done = client.post(
        f"/api/v1/staff/workorders/{number}/finish",
        json={"method": "电话", "outcome": "接通", "score": 3, "close": True},
        headers=auth,
    )
    assert done.status_code == 200 and done.json["status"] == "已关闭" and done.json["satisfaction"] == 3
    assert len(done.json["callbacks"]) == 1


def test_a_duplicate_is_merged_into_the_open_order_in_one_step(pages, store, actors):
    kept = new_order(store, callback_phone="13600002222", summary="第一次来电：想问开庭时间")["number"]
    duplicate = new_order(store, callback_phone="13600002222", summary="又问开庭时间")["number"]
    store.claim(actors["clerk"], kept)
    token = login(pages, "clerk", PASSWORD)
    page = text(pages.get(f"/desk/orders/{duplicate}"))
    assert re.search(rf'name="into" value="{kept}"', page)  # offered on the duplicate's page
    answer = pages.post(
        f"/desk/orders/{duplicate}/merge", data={"csrf_token": token, "into": kept}, follow_redirects=True
    )
    assert f"工单 {duplicate} 已作为重复工单关闭并并入本单" in text(answer)
    gone = store.get_order(actors["clerk"], duplicate)
    assert gone["status"] == "已关闭" and gone["history"][-1]["note"] == f"重复工单，已并入 {kept}"
    assert any(
        f"并入重复工单 {duplicate}：又问开庭时间" in n["body"]
        for n in store.get_order(actors["clerk"], kept)["notes"]
    )
    assert {"关闭", "合并"} <= set(audit_actions(store, actors["supervisor"], duplicate))


def test_an_order_being_worked_is_not_merged_away(pages, store, actors):
    kept = new_order(store, callback_phone="13600003333")["number"]
    worked = new_order(store, callback_phone="13600003333")["number"]
    store.claim(actors["clerk"], worked)
    token = login(pages, "clerk", PASSWORD)
    assert 'class="inline merge-form"' not in text(pages.get(f"/desk/orders/{worked}"))
    refused = pages.post(
        f"/desk/orders/{worked}/merge",
        data={"csrf_token": token, "into": kept},
        headers={"Referer": f"http://localhost/desk/orders/{worked}"},
        follow_redirects=True,
    )
    assert "不能作为重复工单关闭" in text(refused)
    assert store.get_order(actors["clerk"], worked)["status"] == "处理中"
