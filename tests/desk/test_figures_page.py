"""The figures page and its CSV export follow what staff do."""

from __future__ import annotations

import csv
import io
import json
import re

from tests.desk.conftest import PASSWORD
from tests.desk.helpers import login, new_order


def kpi(html: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}">([^<]*)<', html).group(1)


def answered_order(store) -> str:
    clerk = store.staff.authenticate("clerk", PASSWORD)
    number = new_order(store, channel="wechat")["number"]
    store.claim(clerk, number)
    store.add_reply(clerk, number, "已答复")
    return number


def test_callback_rate_changes_after_a_callback_is_recorded(pages, store):
    number = answered_order(store)
    new_order(store, channel="web")
    token = login(pages, "clerk", PASSWORD)
    before = pages.get("/desk/figures").get_data(as_text=True)
    assert (kpi(before, "total"), kpi(before, "answered"), kpi(before, "callback")) == ("2", "1", "0.0%")
    pages.post(
        f"/desk/orders/{number}/callback",
        data={"csrf_token": token, "method": "电话", "purpose": "回访", "outcome": "接通"},
    )
    pages.post(f"/desk/orders/{number}/rating", data={"csrf_token": token, "score": "5"})
    after = pages.get("/desk/figures").get_data(as_text=True)
    assert (kpi(after, "callback"), kpi(after, "satisfaction")) == ("100.0%", "5分")
    assert kpi(after, "ontime") == "100.0%"


def test_charts_get_their_data_as_json_not_as_code(pages, store):
    answered_order(store)
    login(pages, "supervisor", PASSWORD)
    html = pages.get("/desk/figures").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="figures-data">(.*?)</script>', html, re.S).group(
        1
    )
    data = json.loads(block)
    assert data["by_channel"] == {"微信": 1} and data["by_status"] == {"已答复": 1}
    assert "vendor/echarts/echarts.min.js" in html


def test_a_bad_range_is_explained_and_the_default_shown(pages, store):
    login(pages, "clerk", PASSWORD)
    html = pages.get("/desk/figures?from=2026-05-01&to=2026-04-01").get_data(as_text=True)
    assert "开始日期不晚于结束日期" in html and 'id="kpi-total"' in html


def test_csv_export_opens_in_excel_with_chinese(pages, store):
    number = answered_order(store)
    token = login(pages, "clerk", PASSWORD)
    pages.post(
        f"/desk/orders/{number}/callback",
        data={"csrf_token": token, "method": "短信", "purpose": "回访", "outcome": "已发送"},
    )
    answer = pages.get("/desk/figures.csv")
    assert answer.mimetype == "text/csv" and "attachment" in answer.headers["Content-Disposition"]
    raw = answer.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    table = {row[0]: row[1] for row in rows if len(row) >= 2}
    assert table["工单总数"] == "1" and table["回访率（目标100%）"] == "100.0%" and table["微信"] == "1"
    assert b"\r\n" in raw


def test_csv_refuses_a_bad_range(pages):
    login(pages, "clerk", PASSWORD)
    assert pages.get("/desk/figures.csv?from=bad").status_code == 400
