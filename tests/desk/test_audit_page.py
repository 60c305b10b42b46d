"""The audit page (审计日志) for supervisors: every staff view of a full phone is there (who, which order,
when), filtered by date range and kind; clerks and judges get 403, over the pages and the staff API."""

from __future__ import annotations

from datetime import timedelta

from kernel.privacy import mask_phone
from services.desk.domain.clock import utcnow
from tests.desk.conftest import PASSWORD
from tests.desk.helpers import login, new_order

PHONE = "13812345678"


def _views(store):
    """A phone view today and one ten days ago, by the clerk, on two orders."""
    today, old = new_order(store)["number"], new_order(store)["number"]
    clerk = store.staff.authenticate("clerk", PASSWORD)
    store.reveal_phone(clerk, today)
    store.reveal_phone(clerk, old, now=utcnow() - timedelta(days=10))
    return today, old


def test_supervisor_sees_phone_views_by_date_and_kind(pages, store):
    today, old = _views(store)
    login(pages, "supervisor", PASSWORD)
    day = (utcnow() + timedelta(hours=8)).date()  # the desk's local date (Asia/Shanghai)
    recent = pages.get(f"/desk/audit?kind=查看电话&from={day - timedelta(days=2)}&to={day}")
    html = recent.get_data(as_text=True)
    assert recent.status_code == 200 and today in html and old not in html
    earlier = pages.get(f"/desk/audit?kind=查看电话&to={day - timedelta(days=5)}").get_data(as_text=True)
    assert old in earlier and today not in earlier
    logins = pages.get("/desk/audit?kind=登录").get_data(as_text=True)
    assert "查看电话" not in logins.split("<tbody>")[1]
    assert PHONE not in html and mask_phone(PHONE) not in html  # the log says a number was seen, not which


def test_staff_api_filters_the_same_and_names_who_and_when(desk_app, store):
    today, old = _views(store)
    api = desk_app.test_client()
    token = api.post("/api/v1/staff/login", json={"username": "supervisor", "password": PASSWORD}).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    day = (utcnow() + timedelta(hours=8)).date()
    answer = api.get(f"/api/v1/staff/audit?kind=查看电话&from={day}&to={day}", headers=headers)
    assert answer.status_code == 200
    assert [(e["object"], e["by"], e["action"]) for e in answer.json] == [(today, "周敏", "查看电话")]
    assert answer.json[0]["at"].startswith(day.isoformat())
    bad = api.get("/api/v1/staff/audit?from=yesterday", headers=headers)
    backwards = api.get(f"/api/v1/staff/audit?from={day}&to={day - timedelta(days=1)}", headers=headers)
    assert bad.status_code == 400 and backwards.status_code == 400 and "日期" in bad.get_data(as_text=True)


def test_clerks_and_judges_cannot_read_the_audit_log(desk_app, store):
    _views(store)
    for username in ("clerk", "judge_yi"):
        page = desk_app.test_client()
        login(page, username, PASSWORD)
        assert page.get("/desk/audit?kind=查看电话").status_code == 403
        token = page.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD}).json
        answer = page.get("/api/v1/staff/audit", headers={"Authorization": f"Bearer {token['token']}"})
        assert answer.status_code == 403
