"""The staff desk pages through Flask's test client: login and sessions, CSRF, headers, access, escaping."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.desk.conftest import PASSWORD
from tests.desk.helpers import csrf_of, local, login, new_order

JUDGE_CASE = "（2026）京0105民初8848号"
XSS = "<img src=x onerror=alert(1)>"


def text(answer) -> str:
    return answer.get_data(as_text=True)


# ------------------------------------------------------------------------------------------ login


def test_pages_need_a_login_and_come_back_after_it(pages):
    answer = pages.get("/desk/?status=新建")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/desk/login?next=")
    token = csrf_of(pages)
    answer = pages.post(
        "/desk/login",
        data={"username": "clerk", "password": PASSWORD, "csrf_token": token, "next": "/desk/?status=新建"},
    )
    assert answer.status_code == 302 and unquote(answer.headers["Location"]) == "/desk/?status=新建"


def test_wrong_password_is_refused_with_a_message(pages):
    token = csrf_of(pages)
    answer = pages.post("/desk/login", data={"username": "clerk", "password": "nope", "csrf_token": token})
    assert answer.status_code == 401 and "用户名或密码错误" in text(answer)
    assert pages.get("/desk/").status_code == 302


@pytest.mark.parametrize("target", ["https://evil.example/desk/", "//evil.example/x", "/elsewhere"])
def test_login_never_redirects_off_the_desk(pages, target):
    token = csrf_of(pages)
    answer = pages.post(
        "/desk/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token, "next": target}
    )
    assert answer.headers["Location"] == "/desk/"


def test_session_cookie_is_httponly_lax_and_rotated_on_login(pages):
    before = csrf_of(pages)
    after = login(pages, "clerk", PASSWORD)
    assert before != after
    cookie = pages.get_cookie("desk_session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.mark.parametrize("active_steps", [0, 23])  # idle for 31 min; in use every 20 min up to 8 h
def test_an_old_or_idle_session_expires(pages, clock, active_steps):
    login(pages, "clerk", PASSWORD)
    for _ in range(active_steps):
        clock.advance(20 * 60)
        assert pages.get("/desk/").status_code == 200  # in use: the idle clock restarts
    clock.advance(31 * 60 if active_steps == 0 else 20 * 60)
    answer = pages.get("/desk/")
    assert answer.status_code == 302 and "/desk/login" in answer.headers["Location"]
    assert "登录已过期" in text(pages.get(answer.headers["Location"]))


def test_a_password_reset_or_deactivation_ends_the_session(desk_app, store):
    clerk, admin = desk_app.test_client(), desk_app.test_client()
    login(clerk, "clerk", PASSWORD)
    token = login(admin, "admin", PASSWORD)
    clerk_id = next(
        u["id"]
        for u in store.staff.list_users(store.staff.authenticate("admin", PASSWORD))
        if u["username"] == "clerk"
    )
    admin.post(
        "/desk/users/password", data={"user_id": clerk_id, "password": "another-pass-9", "csrf_token": token}
    )
    assert clerk.get("/desk/").status_code == 302
    login(clerk, "clerk", "another-pass-9")
    admin.post("/desk/users/active", data={"user_id": clerk_id, "active": "0", "csrf_token": token})
    assert clerk.get("/desk/").status_code == 302


def test_logout_ends_the_session(pages):
    token = login(pages, "clerk", PASSWORD)
    assert pages.post("/desk/logout", data={"csrf_token": token}).status_code == 302
    assert pages.get("/desk/").status_code == 302


# ------------------------------------------------------------------------------------------ CSRF


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_posts_without_the_session_token_are_refused_and_change_nothing(pages, store, token):
    number = new_order(store)["number"]
    login(pages, "clerk", PASSWORD)
    data = {} if token is None else {"csrf_token": token}
    answer = pages.post(f"/desk/orders/{number}/claim", data=data)
    assert answer.status_code == 400 and "请刷新页面后重试" in text(answer)
    clerk = store.staff.authenticate("clerk", PASSWORD)
    assert store.get_order(clerk, number)["status"] == "新建"


def test_login_form_itself_needs_the_token(pages):
    answer = pages.post("/desk/login", data={"username": "clerk", "password": PASSWORD})
    assert answer.status_code == 400


def test_scripts_send_the_token_in_a_header(pages, store):
    number = new_order(store)["number"]
    token = login(pages, "clerk", PASSWORD)
    assert pages.post(f"/desk/orders/{number}/phone").status_code == 400
    answer = pages.post(
        f"/desk/orders/{number}/phone", headers={"X-CSRF-Token": token, "Accept": "application/json"}
    )
    assert answer.json == {"phone": "13812345678"}
    supervisor = store.staff.authenticate("supervisor", PASSWORD)
    assert [e["action"] for e in store.audit_log(supervisor, number)][0] == "查看电话"


# ----------------------------------------------------------------------------------- headers


def _pages_of(role_client, number):
    return ["/desk/", f"/desk/orders/{number}", "/desk/figures", "/desk/handoff", "/desk/login"]


def test_every_page_has_a_strict_csp_and_no_inline_code(pages, store):
    number = new_order(store, case_number=JUDGE_CASE)["number"]
    login(pages, "supervisor", PASSWORD)
    for path in _pages_of(pages, number) + ["/desk/audit"]:
        answer = pages.get(path)
        assert answer.status_code == 200, path
        csp = answer.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert answer.headers["X-Frame-Options"] == "DENY"
        html = text(answer)
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts), path
        assert " style=" not in html and "<style" not in html and " onclick=" not in html, path


def test_the_referrer_stays_within_the_desk(pages):
    """A refused form post goes back to the page it came from (the Referer), so the browser must send it
    to the desk itself; to other sites it sends nothing, so no order address leaves the desk."""
    answer = pages.get("/desk/login")
    assert answer.headers["Referrer-Policy"] == "same-origin"


def test_api_answers_carry_the_headers_too(desk_app):
    answer = desk_app.test_client().get("/health")
    assert (
        answer.headers["X-Frame-Options"] == "DENY"
        and "default-src 'none'" in answer.headers["Content-Security-Policy"]
    )


# ------------------------------------------------------------------------------------------ access


def test_a_judge_cannot_open_another_judges_order_and_the_attempt_is_audited(pages, store):
    mine = new_order(
        store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
    )["number"]
    other = new_order(
        store,
        kind="信用修复",
        case_number="（2023）京0105执5678号",
        case_judge="邹丹",
        case_judge_id="J0105-09",
    )["number"]
    login(pages, "judge_yi", PASSWORD)
    assert pages.get(f"/desk/orders/{mine}").status_code == 200
    refused = pages.get(f"/desk/orders/{other}")
    assert refused.status_code == 403 and "无权查看该工单" in text(refused)
    queue = text(pages.get("/desk/"))
    assert mine in queue and other not in queue
    supervisor = store.staff.authenticate("supervisor", PASSWORD)
    entry = store.audit_log(supervisor, other)[0]
    assert (entry["action"], entry["by"]) == ("越权查看", "易泽俊")


def test_judges_have_no_figures_and_clerks_no_audit_or_accounts(desk_app):
    judge, clerk = desk_app.test_client(), desk_app.test_client()
    login(judge, "judge_yi", PASSWORD)
    login(clerk, "clerk", PASSWORD)
    assert judge.get("/desk/figures").status_code == 403
    assert judge.get("/desk/handoff").status_code == 403
    assert clerk.get("/desk/audit").status_code == 403
    assert clerk.get("/desk/users").status_code == 403


def test_complaints_are_out_of_a_clerks_sight(pages, store):
    complaint = new_order(store, kind="投诉举报", summary="投诉某法官")["number"]
    login(pages, "clerk", PASSWORD)
    assert complaint not in text(pages.get("/desk/"))
    assert pages.get(f"/desk/orders/{complaint}").status_code == 403


def test_unknown_order_is_a_404_page(pages):
    login(pages, "clerk", PASSWORD)
    answer = pages.get("/desk/orders/GD20990101-0001")
    assert answer.status_code == 404 and "未找到该工单" in text(answer)


# ------------------------------------------------------------------------------------------ escaping


def test_citizen_text_is_shown_as_text_everywhere(pages, store):
    number = new_order(
        store, citizen_name="<b>王</b>", summary=XSS, transcript=[{"sender": "user", "text": XSS}]
    )["number"]
    login(pages, "clerk", PASSWORD)
    for path in ("/desk/", f"/desk/orders/{number}"):
        html = text(pages.get(path))
        assert "<img src=x" not in html and "<b>王</b>" not in html
    html = text(pages.get(f"/desk/orders/{number}"))
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 2 and "&lt;b&gt;王&lt;/b&gt;" in html


# ---------------------------------------------------------------------------------- queue and SLA


def test_queue_filters(pages, store):
    web = new_order(store, channel="web")["number"]
    wechat = new_order(store, channel="wechat", kind="联系法官")["number"]
    login(pages, "clerk", PASSWORD)
    assert wechat in text(pages.get("/desk/?channel=wechat")) and web not in text(
        pages.get("/desk/?channel=wechat")
    )
    assert web in text(pages.get("/desk/?kind=人工咨询")) and wechat not in text(
        pages.get("/desk/?kind=人工咨询")
    )
    assert "没有符合条件的工单" in text(pages.get("/desk/?mine=1"))
    clerk = store.staff.authenticate("clerk", PASSWORD)
    store.claim(clerk, web)
    mine = text(pages.get("/desk/?mine=1"))
    assert web in mine and wechat not in mine
    assert web in text(pages.get("/desk/?status=处理中")) and wechat not in text(
        pages.get("/desk/?status=处理中")
    )


def test_sla_clocks_show_time_left_and_overdue_in_red(pages, store, clock):
    late = new_order(store, now=local("2026-01-05 09:00"))["number"]
    fresh = new_order(store, now=clock.now)["number"]
    login(pages, "supervisor", PASSWORD)
    html = text(pages.get("/desk/"))
    assert re.search(rf"{late}.*?sla-late[^>]*>首次联系已超期", html, re.S)
    assert re.search(rf"{fresh}.*?sla-(ok|soon)[^>]*>首次联系剩余", html, re.S)
    overdue = text(pages.get("/desk/?overdue=1"))
    assert late in overdue and fresh not in overdue


# ---------------------------------------------------------------------------------- the order page


def test_claim_reply_and_callback_through_the_page(pages, store, settings):
    number = new_order(store, channel="rest")["number"]
    token = login(pages, "clerk", PASSWORD)
    page = text(pages.get(f"/desk/orders/{number}"))
    assert 'id="claim"' in page and "立案材料" in page  # claim button and a canned reply
    pages.post(f"/desk/orders/{number}/claim", data={"csrf_token": token})
    answer = pages.post(
        f"/desk/orders/{number}/reply",
        data={"csrf_token": token, "body": "请带身份证来立案。"},
        follow_redirects=True,
    )
    assert "答复已保存，已送达（短信）" in text(answer) and "处理中" not in re.findall(
        r'class="status">([^<]+)', text(answer)
    )
    pages.post(
        f"/desk/orders/{number}/callback",
        data={
            "csrf_token": token,
            "method": "电话",
            "purpose": "回访",
            "outcome": "接通",
            "note": "群众满意",
        },
    )
    detail = store.get_order(store.staff.authenticate("clerk", PASSWORD), number)
    assert detail["status"] == "已回访" and detail["replies"][0]["delivery"] == "已送达（短信）"
    assert "请带身份证来立案。" in open(settings.sms_outbox, encoding="utf-8").read()


def test_a_transition_that_needs_a_reason_says_so(pages, store):
    number = new_order(store)["number"]
    token = login(pages, "clerk", PASSWORD)
    pages.post(f"/desk/orders/{number}/claim", data={"csrf_token": token})
    refused = pages.post(
        f"/desk/orders/{number}/transition",
        data={"csrf_token": token, "action": "退回"},
        headers={"Referer": f"http://localhost/desk/orders/{number}"},
        follow_redirects=True,
    )
    assert "需要填写说明" in text(refused)
    pages.post(
        f"/desk/orders/{number}/transition", data={"csrf_token": token, "action": "退回", "note": "非本部门"}
    )
    assert store.get_order(store.staff.authenticate("clerk", PASSWORD), number)["status"] == "已退回"


def test_dispatch_to_a_judge_from_the_page(pages, store):
    number = new_order(store, kind="联系法官")["number"]  # no judge known: the pool
    token = login(pages, "clerk", PASSWORD)
    page = text(pages.get(f"/desk/orders/{number}"))
    judge_id = re.search(r'<option value="(\d+)">易泽俊（法官）', page).group(1)
    pages.post(
        f"/desk/orders/{number}/transition",
        data={"csrf_token": token, "action": "派发", "target_id": judge_id},
    )
    judge = store.staff.authenticate("judge_yi", PASSWORD)
    assert store.get_order(judge, number)["status"] == "已派发"


def test_rating_from_the_callback(pages, store):
    number = new_order(store)["number"]
    token = login(pages, "clerk", PASSWORD)
    pages.post(f"/desk/orders/{number}/claim", data={"csrf_token": token})
    pages.post(f"/desk/orders/{number}/reply", data={"csrf_token": token, "body": "已答复"})
    pages.post(f"/desk/orders/{number}/rating", data={"csrf_token": token, "score": "4", "comment": "还行"})
    assert store.get_order(store.staff.authenticate("clerk", PASSWORD), number)["satisfaction"] == 4


def test_admin_sees_orders_without_working_forms(pages, store):
    number = new_order(store)["number"]
    login(pages, "admin", PASSWORD)
    page = text(pages.get(f"/desk/orders/{number}"))
    assert 'id="callback-form"' not in page and 'id="claim"' not in page and 'id="reply-form"' not in page


def test_case_facts_say_when_the_court_service_is_down(pages, store):
    number = new_order(store, case_number=JUDGE_CASE)["number"]
    login(pages, "clerk", PASSWORD)
    page = text(pages.get(f"/desk/orders/{number}"))
    assert JUDGE_CASE in page and "法院数据服务暂时无法访问" in page


# ------------------------------------------------------------------------------------------ admin


def test_admin_creates_an_account_that_can_log_in(desk_app):
    admin = desk_app.test_client()
    token = login(admin, "admin", PASSWORD)
    answer = admin.post(
        "/desk/users",
        data={
            "csrf_token": token,
            "username": "clerk2",
            "display_name": "李四",
            "role": "接线员",
            "password": "long-enough-1",
        },
        follow_redirects=True,
    )
    assert "已创建账号 clerk2" in text(answer)
    short = admin.post(
        "/desk/users",
        data={
            "csrf_token": token,
            "username": "clerk3",
            "display_name": "王五",
            "role": "接线员",
            "password": "short",
        },
        headers={"Referer": "http://localhost/desk/users"},
        follow_redirects=True,
    )
    assert "密码至少8位" in text(short)
    login(desk_app.test_client(), "clerk2", "long-enough-1")


def test_admin_links_a_judge_on_the_accounts_page_and_orders_follow_the_link(desk_app, store, actors):
    admin = desk_app.test_client()
    token = login(admin, "admin", PASSWORD)
    zou = actors["judge_zou"].id
    page = text(admin.get("/desk/users"))
    assert "J0105-09" in page  # the demo link is shown
    moved = admin.post(
        "/desk/users/judge",
        data={"csrf_token": token, "user_id": zou, "court_judge_id": "J0105-02"},
        follow_redirects=True,
    )
    assert "已关联承办法官编号 J0105-02" in text(moved)
    to_zou = new_order(store, kind="信用修复", case_judge="某法官", case_judge_id="J0105-02")
    old_id = new_order(store, kind="信用修复", case_judge="邹丹", case_judge_id="J0105-09")
    assert store.get_order(actors["supervisor"], to_zou["number"])["assignee_id"] == zou
    assert store.get_order(actors["supervisor"], old_id["number"])["route"] == "pool"
    refused = admin.post(
        "/desk/users/judge",
        data={"csrf_token": token, "user_id": actors["clerk"].id, "court_judge_id": "J0105-03"},
        headers={"Referer": "http://localhost/desk/users"},
        follow_redirects=True,
    )
    assert "只有法官账号可以关联承办法官编号" in text(refused)
    cleared = admin.post(
        "/desk/users/judge",
        data={"csrf_token": token, "user_id": zou, "court_judge_id": ""},
        follow_redirects=True,
    )
    assert "已取消关联" in text(cleared)
    later = new_order(store, kind="信用修复", case_judge="某法官", case_judge_id="J0105-02")
    assert store.get_order(actors["supervisor"], later["number"])["route"] == "pool"
    links = [e["detail"] for e in store.audit_log(actors["admin"], None, 50) if e["action"] == "关联法官编号"]
    assert sorted(links) == sorted(["J0105-01", "J0105-09", "J0105-02", "取消关联"])  # seeding, then admin


def test_a_judge_account_created_with_its_court_id_receives_that_judges_orders(desk_app, store, actors):
    admin = desk_app.test_client()
    token = login(admin, "admin", PASSWORD)
    form = {"csrf_token": token, "display_name": "易泽俊", "role": "法官", "password": "long-enough-1"}
    admin.post("/desk/users", data={**form, "username": "judge_new", "court_judge_id": "J0105-03"})
    taken = admin.post(
        "/desk/users",
        data={**form, "username": "judge_dup", "court_judge_id": "J0105-01"},
        headers={"Referer": "http://localhost/desk/users"},
        follow_redirects=True,
    )
    assert "已关联账号 judge_yi" in text(taken)  # made, but not linked: J0105-01 is judge_yi's
    users = {u["username"]: u for u in store.staff.list_users(actors["admin"])}
    assert (users["judge_new"]["court_judge_id"], users["judge_dup"]["court_judge_id"]) == ("J0105-03", None)
    order = new_order(store, kind="联系法官", case_judge="易泽俊", case_judge_id="J0105-01")
    assert store.get_order(actors["supervisor"], order["number"])["assignee_id"] == actors["judge_yi"].id


def test_a_clerk_is_told_when_the_cases_judge_has_no_linked_account(pages, store):
    unlinked = new_order(
        store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-02"
    )["number"]
    linked = new_order(
        store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
    )["number"]
    login(pages, "supervisor", PASSWORD)
    page = text(pages.get(f"/desk/orders/{unlinked}"))
    assert "编号 J0105-02" in page and "没有关联该法官的工作台账号" in page
    assert "没有关联该法官的工作台账号" not in text(pages.get(f"/desk/orders/{linked}"))


def test_audit_page_lists_views_and_logins(pages, store):
    number = new_order(store)["number"]
    login(pages, "supervisor", PASSWORD)
    pages.get(f"/desk/orders/{number}")
    html = text(pages.get(f"/desk/audit?number={number}"))
    assert "查看" in html and "孙立" in html
    assert "登录" in text(pages.get("/desk/audit"))


# ------------------------------------------------------------------------------------------ /dev/sms


def test_dev_sms_shows_texts_with_masked_phones(desk_app, settings):
    from kernel.sms import OutboxGateway

    OutboxGateway(settings.sms_outbox).send("13912345678", "您的验证码是 482913")
    client = desk_app.test_client()
    login(
        client, "admin", PASSWORD
    )  # the simulated handset is for the administrator only (tests/desk/test_dev_sms_access.py)
    html = text(client.get("/dev/sms"))
    assert "482913" in html and "139****5678" in html and "13912345678" not in html


def test_dev_sms_does_not_exist_with_a_real_gateway(settings, store):
    import dataclasses

    from services.desk.app import create_app

    app = create_app(
        dataclasses.replace(settings, sms_backend="http"),
        store,
        reply_sink=lambda o, r: None,
        wiring=_outbox_wiring(settings, store),
    )
    assert app.test_client().get("/dev/sms").status_code == 404


def _outbox_wiring(settings, store):
    from services.desk.service.wiring import Wiring

    return Wiring.from_settings(settings, store)


def test_the_routed_judge_sees_the_public_case_summary_from_the_court_service(settings, store, tmp_path):
    import dataclasses

    from kernel.kv import MemoryKV
    from kernel.sms import OutboxGateway
    from services.courtdata.app import create_app as court_app
    from services.courtdata.settings import Settings as CourtSettings
    from services.courtdata.store import CourtStore
    from services.desk.app import create_app
    from tests.desk.fakes import Served

    court = court_app(
        CourtSettings(),
        CourtStore.from_file(CourtSettings().data_file),
        kv=MemoryKV(),
        sms=OutboxGateway(tmp_path / "court_sms.jsonl"),
    )
    with Served(court) as served:
        app = create_app(dataclasses.replace(settings, court_api_url=served.url), store)
        number = new_order(
            store, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
        )["number"]
        judge = app.test_client()
        login(judge, "judge_yi", PASSWORD)
        page = text(judge.get(f"/desk/orders/{number}"))
    assert "北京市朝阳区人民法院" in page and "立案日期" in page and "审判管理系统" in page
    assert (
        "记录联系" in page and ">回访</option>" not in page and ">联系</option>" in page
    )  # judges do no 回访


def test_repeated_wrong_passwords_lock_the_account_for_a_while(desk_app):
    page = desk_app.test_client()
    token = csrf_of(page)
    for _ in range(5):
        wrong = page.post("/desk/login", data={"username": "clerk", "password": "guess", "csrf_token": token})
        assert wrong.status_code == 401
    locked = page.post("/desk/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token})
    assert locked.status_code == 429 and "登录失败次数过多" in text(locked)
    api = desk_app.test_client().post("/api/v1/staff/login", json={"username": "clerk", "password": PASSWORD})
    assert api.status_code == 429
    login(desk_app.test_client(), "supervisor", PASSWORD)  # other accounts are not affected
