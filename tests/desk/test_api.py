"""The HTTP API as the action server and the desk use it: JSON in, JSON out, reasons in Chinese."""

from __future__ import annotations

import re

import pytest

from services.desk.app import create_app
from tests.desk.conftest import API_TOKEN, PASSWORD
from tests.desk.helpers import order_payload

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}


def login(client, username: str) -> dict:
    response = client.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def create(client, **overrides):
    return client.post("/api/v1/workorders", json=order_payload(**overrides), headers=SERVICE)


# ------------------------------------------------------------------ service side


def test_create_answers_with_number_and_promise_then_replays(client):
    payload = order_payload(conversation_id="c-1", message_id="m-1")
    first = client.post("/api/v1/workorders", json=payload, headers=SERVICE)
    assert first.status_code == 201
    assert first.json["number"].startswith("GD") and first.json["created"] is True
    assert first.json["answer_due"].endswith("17:30:00+08:00")
    again = client.post("/api/v1/workorders", json=payload, headers=SERVICE)
    assert again.status_code == 200 and again.json["number"] == first.json["number"]
    assert again.json["created"] is False


def test_creation_view_names_no_judge(client):
    body = create(client, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01").json
    assert body["route"] == "judge" and body["assignee_label"] == "承办法官" and "易泽俊" not in str(body)


def test_promise_is_also_given_in_words_for_the_bot(client):
    body = create(client).json
    assert re.fullmatch(r"\d{1,2}月\d{1,2}日（周[一二三四五六日]）17:30", body["answer_due_label"])
    assert body["assignee_label"] == "诉讼服务中心工作人员"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": API_TOKEN}])
def test_service_endpoints_need_the_token(client, headers):
    response = client.post("/api/v1/workorders", json=order_payload(), headers=headers)
    assert response.status_code == 401 and "令牌" in response.json["message"]


def test_service_endpoints_refuse_everything_without_a_configured_token(settings, store):
    from dataclasses import replace

    client = create_app(replace(settings, api_token=""), store).test_client()
    response = client.post("/api/v1/workorders", json=order_payload(), headers={"Authorization": "Bearer "})
    assert response.status_code == 401 and "DESK_API_TOKEN" in response.json["message"]


def test_bad_creation_is_a_400_naming_the_field(client):
    response = create(client, callback_phone="12345")
    assert response.status_code == 400
    assert response.json == {
        "error": "invalid",
        "field": "callback_phone",
        "message": "请提供正确的11位手机号码",
    }


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b""])
def test_non_object_bodies_are_a_400(client, body):
    response = client.post(
        "/api/v1/workorders", data=body, headers={**SERVICE, "Content-Type": "application/json"}
    )
    assert response.status_code == 400 and response.json["message"] == "请求内容应为 JSON 对象"


def test_citizen_lookup_and_rating(client):
    number = create(client, callback_phone="13812345678").json["number"]
    found = client.post(
        "/api/v1/workorders/lookup", json={"number": number, "phone": "138-1234-5678"}, headers=SERVICE
    )
    assert (
        found.status_code == 200 and found.json["status"] == "新建" and found.json["phone"] == "138****5678"
    )
    wrong = client.post(
        "/api/v1/workorders/lookup", json={"number": number, "phone": "13900000000"}, headers=SERVICE
    )
    assert wrong.status_code == 404 and "核对" in wrong.json["message"]
    early = client.post(
        "/api/v1/workorders/rating",
        json={"number": number, "phone": "13812345678", "score": 5},
        headers=SERVICE,
    )
    assert early.status_code == 409 and "答复后" in early.json["message"]


# -------------------------------------------------------------------- staff side


def test_login_refuses_a_wrong_password_and_records_it(client, store, actors):
    response = client.post("/api/v1/staff/login", json={"username": "clerk", "password": "nope"})
    assert response.status_code == 401 and response.json["message"] == "用户名或密码错误"
    unknown = client.post("/api/v1/staff/login", json={"username": "ghost", "password": "nope"})
    assert unknown.json == response.json
    assert [e["action"] for e in store.audit_log(actors["admin"])][:2] == ["登录失败", "登录失败"]


@pytest.mark.parametrize("token", ["", "garbage", "x.y.z"])
def test_staff_endpoints_need_a_valid_token(client, token):
    response = client.get("/api/v1/staff/workorders", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.json["message"] == "请先登录"


def test_expired_and_deactivated_tokens_are_refused(settings, store, actors):
    from dataclasses import replace

    client = create_app(settings, store).test_client()
    headers = login(client, "clerk")
    store.staff.update_user(actors["admin"], actors["clerk"].id, {"active": False})
    response = client.get("/api/v1/staff/me", headers=headers)
    assert response.status_code == 401  # deactivation deleted the token's session
    store.staff.update_user(actors["admin"], actors["clerk"].id, {"active": True})
    assert client.get("/api/v1/staff/me", headers=headers).status_code == 401  # and it stays ended
    headers = login(client, "clerk")
    expired = create_app(replace(settings, staff_token_minutes=-1), store).test_client()
    response = expired.get("/api/v1/staff/me", headers=headers)
    assert response.status_code == 401 and "过期" in response.json["message"]


def test_the_whole_loop_over_http(client):
    number = create(
        client, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01", callback_phone="13812345678"
    ).json["number"]
    judge = login(client, "judge_yi")
    clerk = login(client, "clerk")
    queue = client.get("/api/v1/staff/workorders?status=已派发", headers=judge).json
    assert [o["number"] for o in queue["items"]] == [number] and queue["items"][0]["phone"] == "138****5678"
    assert client.post(f"/api/v1/staff/workorders/{number}/claim", headers=judge).json["status"] == "处理中"
    phone = client.post(f"/api/v1/staff/workorders/{number}/phone", headers=judge).json
    assert phone == {"phone": "13812345678"}
    reply = client.post(
        f"/api/v1/staff/workorders/{number}/replies", json={"body": "下周二开庭"}, headers=judge
    )
    assert reply.status_code == 201 and reply.json["order"]["status"] == "已答复"
    seen = client.post(
        "/api/v1/workorders/lookup", json={"number": number, "phone": "13812345678"}, headers=SERVICE
    ).json
    assert [r["body"] for r in seen["replies"]] == ["下周二开庭"] and seen["last_reply"] == "下周二开庭"
    visit = client.post(
        f"/api/v1/staff/workorders/{number}/callbacks",
        json={"method": "电话", "purpose": "回访", "outcome": "接通"},
        headers=clerk,
    )
    assert visit.status_code == 201 and visit.json["status"] == "已回访"
    rated = client.post(f"/api/v1/staff/workorders/{number}/rating", json={"score": 5}, headers=clerk)
    assert rated.json["satisfaction"] == 5
    closed = client.post(
        f"/api/v1/staff/workorders/{number}/transition", json={"action": "关闭"}, headers=clerk
    )
    assert closed.json["status"] == "已关闭"
    figures = client.get("/api/v1/staff/figures", headers=clerk).json
    assert figures["total"] == 1 and figures["callback_rate"] == 1.0 and figures["mean_satisfaction"] == 5.0


def test_a_judge_cannot_open_another_judges_order(client):
    number = create(client, kind="联系法官", case_judge="邹丹", case_judge_id="J0105-09").json["number"]
    response = client.get(f"/api/v1/staff/workorders/{number}", headers=login(client, "judge_yi"))
    assert response.status_code == 403 and response.json["message"] == "无权查看该工单"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"action": "答复"}, 409, "工单当前状态为“新建”，不能执行“答复”"),
        ({"action": "关闭"}, 400, "执行“关闭”需要填写说明"),
        ({"action": "删除"}, 400, "操作应为以下之一"),
        ({"action": "派发", "target_id": "易泽俊"}, 400, "派发对象应为账号编号"),
        ({"action": "派发", "target_id": 99999}, 404, "未找到派发对象"),
    ],
)
def test_transition_errors(client, body, status, message):
    number = create(client).json["number"]
    response = client.post(
        f"/api/v1/staff/workorders/{number}/transition", json=body, headers=login(client, "clerk")
    )
    assert response.status_code == status and message in response.json["message"]


def test_role_refusals_are_403_with_the_role_named(client):
    number = create(client, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01").json["number"]
    judge, clerk = login(client, "judge_yi"), login(client, "clerk")
    client.post(f"/api/v1/staff/workorders/{number}/claim", headers=judge)
    client.post(f"/api/v1/staff/workorders/{number}/replies", json={"body": "答复"}, headers=judge)
    close = client.post(
        f"/api/v1/staff/workorders/{number}/transition", json={"action": "关闭", "note": "x"}, headers=clerk
    )
    assert close.status_code == 403 and close.json["message"] == "“接线员”不能对“已答复”状态的工单执行“关闭”"
    client.post(
        f"/api/v1/staff/workorders/{number}/callbacks",
        json={"method": "短信", "purpose": "回访", "outcome": "已发送"},
        headers=clerk,
    )
    client.post(f"/api/v1/staff/workorders/{number}/transition", json={"action": "关闭"}, headers=clerk)
    reopen = client.post(
        f"/api/v1/staff/workorders/{number}/transition", json={"action": "重开", "note": "x"}, headers=judge
    )
    assert reopen.status_code == 403 and reopen.json["message"] == "“法官”不能对“已关闭”状态的工单执行“重开”"


def test_queue_filter_values_are_checked(client):
    headers = login(client, "clerk")
    assert client.get("/api/v1/staff/workorders?status=完成", headers=headers).status_code == 400
    bad_date = client.get("/api/v1/staff/workorders?from=2026/11/01", headers=headers)
    assert bad_date.status_code == 400 and "YYYY-MM-DD" in bad_date.json["message"]
    assert (
        client.get("/api/v1/staff/figures?from=2026-12-01&to=2026-11-01", headers=headers).status_code == 400
    )


def test_unknown_order_and_unknown_route_are_json_404s(client):
    headers = login(client, "clerk")
    assert (
        client.get("/api/v1/staff/workorders/GD20000101-0001", headers=headers).json["message"]
        == "未找到该工单"
    )
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json["message"] == "接口不存在"


def test_an_unexpected_error_is_a_500_without_a_traceback(client, store, monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(store, "create_work_order", boom)
    response = create(client)
    assert response.status_code == 500
    assert response.json == {"error": "internal", "message": "服务器内部错误，请稍后重试"}


def test_reply_delivery_sink_is_recorded_and_its_failure_keeps_the_reply(settings, store):
    delivered = []

    def sink(order, reply):
        delivered.append((order["number"], reply["body"]))
        return "已发短信"

    client = create_app(settings, store, reply_sink=sink).test_client()
    clerk = login(client, "clerk")
    number = create(client).json["number"]
    client.post(f"/api/v1/staff/workorders/{number}/claim", headers=clerk)
    reply = client.post(f"/api/v1/staff/workorders/{number}/replies", json={"body": "答复"}, headers=clerk)
    assert reply.json["reply"]["delivery"] == "已发短信" and delivered == [(number, "答复")]

    def broken(order, reply):
        raise ConnectionError("gateway down")

    client = create_app(settings, store, reply_sink=broken).test_client()
    again = client.post(f"/api/v1/staff/workorders/{number}/replies", json={"body": "补充"}, headers=clerk)
    assert again.status_code == 201 and again.json["reply"]["delivery"] == "发送失败"
    detail = client.get(f"/api/v1/staff/workorders/{number}", headers=clerk).json
    assert [(r["body"], r["delivery"]) for r in detail["replies"]] == [
        ("答复", "已发短信"),
        ("补充", "发送失败"),
    ]


def test_user_administration(client):
    admin, clerk = login(client, "admin"), login(client, "clerk")
    made = client.post(
        "/api/v1/staff/users",
        json={"username": "judge_li", "display_name": "李明", "role": "法官", "password": "long-enough-1"},
        headers=admin,
    )
    assert made.status_code == 201 and made.json["role"] == "法官"
    duplicate = client.post(
        "/api/v1/staff/users",
        json={"username": "judge_li", "display_name": "李明", "role": "法官", "password": "long-enough-1"},
        headers=admin,
    )
    assert duplicate.status_code == 400 and duplicate.json["message"] == "该用户名已存在"
    short = client.post(
        "/api/v1/staff/users",
        json={"username": "x1", "display_name": "甲", "role": "法官", "password": "short"},
        headers=admin,
    )
    assert short.status_code == 400 and short.json["field"] == "password"
    assert client.post("/api/v1/staff/users", json={}, headers=clerk).status_code == 403
    targets = client.get("/api/v1/staff/users", headers=clerk).json
    assert {u["display_name"] for u in targets} == {"易泽俊", "邹丹", "李明", "孙立"}
    me = client.get("/api/v1/staff/me", headers=admin).json
    demote = client.patch(f"/api/v1/staff/users/{me['id']}", json={"role": "接线员"}, headers=admin)
    assert demote.status_code == 400


def _new_judge(client, admin, username, judge_id=None):
    user = client.post(
        "/api/v1/staff/users",
        json={"username": username, "display_name": "李明", "role": "法官", "password": PASSWORD},
        headers=admin,
    ).json
    if judge_id:
        linked = client.patch(
            f"/api/v1/staff/users/{user['id']}", json={"court_judge_id": judge_id}, headers=admin
        )
        assert linked.status_code == 200 and linked.json["court_judge_id"] == judge_id
    return user


def test_an_order_reaches_the_account_linked_to_the_cases_judge_not_a_namesake(client):
    admin = login(client, "admin")
    _new_judge(client, admin, "judge_li_a")  # same display name, not linked
    linked = _new_judge(client, admin, "judge_li_b", "J0105-02")
    _new_judge(client, admin, "judge_li_c", "J0105-03")  # same name, another judge's id
    order = create(client, kind="信用修复", case_judge="李明", case_judge_id="J0105-02").json
    assert order["status"] == "已派发"
    seen = {
        name: [
            o["number"]
            for o in client.get("/api/v1/staff/workorders", headers=login(client, name)).json["items"]
        ]
        for name in ("judge_li_a", "judge_li_b", "judge_li_c")
    }
    assert seen == {"judge_li_a": [], "judge_li_b": [order["number"]], "judge_li_c": []}
    detail = client.get(
        f"/api/v1/staff/workorders/{order['number']}", headers=login(client, "supervisor")
    ).json
    assert detail["assignee_id"] == linked["id"]


def test_a_judge_order_without_a_linked_account_goes_to_the_pool_whatever_the_name(client):
    admin = login(client, "admin")
    _new_judge(client, admin, "judge_li")  # 李明, not linked
    assert create(client, kind="信用修复", case_judge="李明").json["status"] == "新建"
    assert (
        create(client, kind="信用修复", case_judge="李明", case_judge_id="J0105-02").json["status"] == "新建"
    )


@pytest.mark.parametrize(
    ("username", "judge_id", "reason"),
    [
        ("judge_zou", "J0105-01", "已关联账号 judge_yi"),  # one id, one account
        ("clerk", "J0105-02", "只有法官账号"),
        ("judge_zou", "J0105 01", "只能包含字母"),
        ("judge_zou", "J" * 33, "过长"),
    ],
)
def test_linking_a_judge_id_is_checked(client, username, judge_id, reason):
    admin = login(client, "admin")
    users = {u["username"]: u for u in client.get("/api/v1/staff/users", headers=admin).json}
    answer = client.patch(
        f"/api/v1/staff/users/{users[username]['id']}", json={"court_judge_id": judge_id}, headers=admin
    )
    assert answer.status_code == 400 and reason in answer.json["message"]
    again = {u["username"]: u for u in client.get("/api/v1/staff/users", headers=admin).json}
    assert again[username]["court_judge_id"] == users[username]["court_judge_id"]


def test_only_administrators_link_judges(client):
    clerk = login(client, "clerk")
    users = {u["username"]: u for u in client.get("/api/v1/staff/users", headers=clerk).json}
    answer = client.patch(
        f"/api/v1/staff/users/{users['judge_zou']['id']}", json={"court_judge_id": "J0105-02"}, headers=clerk
    )
    assert answer.status_code == 403


def test_transition_table_endpoint_and_health(client):
    table = client.get("/api/v1/staff/transitions", headers=login(client, "clerk")).json
    assert {
        "from": "已派发",
        "action": "退回",
        "to": "已退回",
        "roles": ["法官", "督查"],
        "note_required": True,
    } in table
    assert client.get("/health").json == {"status": "ok"}
