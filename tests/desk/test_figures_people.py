"""Figures about people and conversations, over HTTP, from orders and handoffs at known times: each handler's
workload and on-time rate, handoff waits (median, p90) and abandonment, containment from Rasa's tracker store
(or "—" with the reason), and the per-order CSV (one row per order, names and phones masked)."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import sqlite3
from datetime import date, timedelta, timezone

import pytest
from sqlalchemy import select

from kernel.kv import MemoryKV
from services.desk.app import create_app
from services.desk.db.models import Handoff, WorkOrder
from services.desk.domain.validation import parse_finish
from services.desk.service.orders import DeskStore
from services.desk.service.wiring import Wiring
from tests.desk.conftest import FAST_HASHER, PASSWORD
from tests.desk.helpers import local, login, new_order

RANGE = "from=2026-03-01&to=2026-03-31"
YI = "J0105-01"


def kpi(html: str, name: str) -> str:
    return re.search(rf'id="kpi-{name}">([^<]*)<', html).group(1)


def handlers_table(html: str) -> dict[str, list[str]]:
    body = re.search(r'<table class="queue" id="handlers">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    rows = [re.findall(r"<td[^>]*>([^<]*)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return {row[0]: row[1:] for row in rows if row}


def seed_march(store: DeskStore) -> dict[str, str]:
    """Orders of March 2026 (Beijing time) and one of April; returns their numbers by letter. A and B are
    易泽俊's (B answered late), C 周敏's (answered, called back, rated 4, closed), D the pool's, E April's."""
    judge, clerk = (store.staff.authenticate(name, PASSWORD) for name in ("judge_yi", "clerk"))
    supervisor = store.staff.authenticate("supervisor", PASSWORD)
    a = new_order(
        store, kind="联系法官", case_judge_id=YI, conversation_id="conv-a", now=local("2026-03-02 09:00")
    )
    store.claim(judge, a["number"], now=local("2026-03-02 09:30"))
    store.add_reply(judge, a["number"], "已联系", now=local("2026-03-03 10:00"))  # before its deadline
    b = new_order(
        store, kind="联系法官", case_judge_id=YI, conversation_id="conv-b", now=local("2026-03-02 10:00")
    )
    store.claim(judge, b["number"], now=local("2026-03-02 10:30"))
    late = store.get_order(supervisor, b["number"])["answer_due"]
    store.add_reply(judge, b["number"], "迟复", now=local(late[:16].replace("T", " ")) + timedelta(hours=1))
    c = new_order(store, conversation_id="conv-c", now=local("2026-03-04 09:00"))
    store.claim(clerk, c["number"], now=local("2026-03-04 09:10"))
    store.add_reply(clerk, c["number"], "已答复", now=local("2026-03-04 11:00"))
    finish = parse_finish({"method": "电话", "outcome": "接通", "score": "4", "close": "1"})
    store.finish(clerk, c["number"], finish, now=local("2026-03-05 15:00"))
    d = new_order(store, conversation_id="conv-d", now=local("2026-03-06 09:00"))  # pool, never answered
    e = new_order(store, conversation_id="conv-e", now=local("2026-04-10 09:00"))  # outside the range
    store.claim(clerk, e["number"], now=local("2026-04-10 09:10"))
    return {letter: order["number"] for letter, order in zip("abcde", (a, b, c, d, e), strict=True)}


# (conversation, seconds until a clerk took it or None, status, end reason)
HANDOFFS = [
    ("conv-h1", 30, "已结束", "工作人员结束会话"),
    ("conv-h2", 60, "已转回", "转回智能助手"),
    ("conv-h3", 90, "已转回", "工作人员离线"),
    ("conv-h4", 120, "已结束", "工作人员结束会话"),
    ("conv-h5", 600, "已结束", "工作人员结束会话"),
    ("conv-h6", None, "超时", "无人接入"),
    ("conv-h7", None, "等待", None),
]


def seed_handoffs(store: DeskStore, number: str) -> None:
    """The HANDOFFS on order `number`, asked from 2026-03-06 09:00 a minute apart, as the handoff book
    stores them."""
    with store.sessions.begin() as session:
        order_id = session.execute(select(WorkOrder.id).where(WorkOrder.number == number)).scalar_one()
        for n, (conversation, wait, status, reason) in enumerate(HANDOFFS):
            asked = local("2026-03-06 09:00") + timedelta(minutes=n)
            session.add(
                Handoff(
                    work_order_id=order_id,
                    number=number,
                    conversation_id=conversation,
                    channel="web",
                    status=status,
                    requested_at=asked,
                    taken_at=None if wait is None else asked + timedelta(seconds=wait),
                    ended_at=None if status == "等待" else asked + timedelta(minutes=5),
                    end_reason=reason,
                    bot_resumed=True,
                )
            )


@pytest.fixture
def march(store):
    return seed_march(store)


@pytest.fixture
def handoffs(store, march):
    seed_handoffs(store, march["d"])


def tracker_db(path, events) -> str:
    """A Rasa SQL tracker store's `events` table holding (sender_id, type_name, local time) rows."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL)")
    for sender, kind, at in events:
        stamp = local(at).replace(tzinfo=timezone.utc).timestamp()
        db.execute(
            "INSERT INTO events (sender_id, type_name, timestamp) VALUES (?, ?, ?)", (sender, kind, stamp)
        )
    db.commit()
    db.close()
    return f"sqlite:///{path}"


# Six conversations with a citizen message in March: a, b (orders) and h1 (handoff) reached a person.
TRACKER_EVENTS = [
    ("conv-a", "user", "2026-03-02 08:55"),  # became order A
    ("conv-b", "user", "2026-03-02 09:55"),  # became order B
    ("conv-h1", "user", "2026-03-06 08:59"),  # asked for a person
    ("conv-x", "user", "2026-03-07 10:00"),  # the bot answered these three alone
    ("conv-x", "user", "2026-03-07 10:01"),
    ("conv-y", "user", "2026-03-08 10:00"),
    ("conv-z", "user", "2026-03-31 23:59"),
    ("conv-old", "user", "2026-02-28 23:59"),  # before the range
    ("conv-bot", "bot", "2026-03-09 10:00"),  # no citizen message
]


@pytest.fixture
def with_tracker(tmp_path, backend, settings, wired_settings, clock):
    """The desk app over the same database, reading conversations from a tracker store."""
    url = tracker_db(tmp_path / "tracker.db", TRACKER_EVENTS)
    tracked = dataclasses.replace(wired_settings, tracker_db_url=url)
    desk = DeskStore(backend, dataclasses.replace(settings, tracker_db_url=url), hasher=FAST_HASHER)
    app = create_app(tracked, desk, wiring=Wiring.from_settings(tracked, desk, clock=clock, kv=MemoryKV()))
    return app.test_client()


def test_each_handler_has_their_workload_and_on_time_rate(pages, march):
    login(pages, "supervisor", PASSWORD)
    html = pages.get(f"/desk/figures?{RANGE}").get_data(as_text=True)
    # name: role, assigned, open, closed, on-time rate; the pool order D has no handler, April's E is out
    assert handlers_table(html) == {
        "易泽俊": ["法官", "2", "2", "0", "50.0%"],
        "周敏": ["接线员", "1", "0", "1", "100.0%"],
    }
    assert kpi(html, "total") == "4"


def test_handoff_waits_and_abandonment(pages, handoffs):
    login(pages, "clerk", PASSWORD)
    html = pages.get(f"/desk/figures?{RANGE}").get_data(as_text=True)
    assert kpi(html, "handoffs") == "7"
    assert (kpi(html, "wait-median"), kpi(html, "wait-p90")) == ("1分30秒", "10分00秒")
    assert (kpi(html, "untaken"), kpi(html, "dropped"), kpi(html, "handed-back")) == ("1", "1", "1")
    assert "无人接入（16.7%）" in html  # 1 of the 6 requests that are no longer waiting
    other_month = pages.get("/desk/figures?from=2026-04-01&to=2026-04-30").get_data(as_text=True)
    assert (kpi(other_month, "handoffs"), kpi(other_month, "wait-median")) == ("0", "—")


def test_containment_counts_the_tracker_stores_conversations(with_tracker, handoffs):
    login(with_tracker, "supervisor", PASSWORD)
    html = with_tracker.get(f"/desk/figures?{RANGE}").get_data(as_text=True)
    # 6 conversations with a citizen message in March; a, b (orders) and h1 (handoff) reached a person
    assert kpi(html, "containment") == "50.0%"
    source = re.search(r'id="containment-source">(.*?)</p>', html, re.S).group(1)
    assert "tracker store" in source and "6 个对话" in source and "3 个形成工单或转人工" in source


def test_without_a_tracker_store_containment_is_a_dash_with_the_reason(pages, march):
    login(pages, "supervisor", PASSWORD)
    html = pages.get(f"/desk/figures?{RANGE}").get_data(as_text=True)
    assert kpi(html, "containment") == "—"
    source = re.search(r'id="containment-source">(.*?)</p>', html, re.S).group(1)
    assert "无法计算" in source and "未配置" in source


def test_a_missing_tracker_file_is_a_reason_not_an_empty_store(tmp_path, backend, settings, march):
    url = f"sqlite:///{tmp_path / 'absent.db'}"
    desk = DeskStore(backend, dataclasses.replace(settings, tracker_db_url=url), hasher=FAST_HASHER)
    figures = desk.figures(desk.staff.authenticate("admin", PASSWORD), date(2026, 3, 1), date(2026, 3, 31))
    assert figures["containment"]["rate"] is None and "不存在" in figures["containment"]["reason"]
    assert not (tmp_path / "absent.db").exists()  # reading the figures did not create a database


def read_csv(answer) -> list[dict[str, str]]:
    raw = answer.get_data()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_per_order_csv_has_one_masked_row_per_order_of_the_range(pages, march):
    login(pages, "supervisor", PASSWORD)
    answer = pages.get(f"/desk/figures/orders.csv?{RANGE}")
    assert (
        answer.mimetype == "text/csv"
        and "workorders_2026-03-01_2026-03-31.csv" in answer.headers["Content-Disposition"]
    )
    rows = {row["工单编号"]: row for row in read_csv(answer)}
    assert list(rows) == [march[x] for x in "abcd"]  # oldest first; April's order is not in March
    a, b, c, d = (rows[march[x]] for x in "abcd")
    assert (a["类型"], a["渠道"], a["登记时间"], a["答复时间"]) == (
        "联系法官",
        "网页",
        "2026-03-02 09:00",
        "2026-03-03 10:00",
    )
    assert (a["承办人"], a["按期答复"], b["按期答复"]) == ("易泽俊", "是", "否")
    assert (c["承办人"], c["办结时间"], c["满意度"], c["按期答复"]) == ("周敏", "2026-03-05 15:00", "4", "是")
    assert (d["承办人"], d["按期答复"], d["答复时间"], d["满意度"]) == (
        "接线员池",
        "否（超期未答复）",
        "",
        "",
    )
    assert {row["群众（脱敏）"] for row in rows.values()} == {"张*"}
    assert {row["回电号码（脱敏）"] for row in rows.values()} == {"138****5678"}
    assert "13812345678" not in answer.get_data(as_text=True) and "张三" not in answer.get_data(as_text=True)


def test_the_csv_follows_who_may_see_what_and_the_range(pages, store, march):
    new_order(store, kind="投诉举报", conversation_id="conv-complaint", now=local("2026-03-10 09:00"))
    login(pages, "clerk", PASSWORD)
    rows = read_csv(pages.get(f"/desk/figures/orders.csv?{RANGE}"))
    assert "投诉举报" not in {row["类型"] for row in rows} and len(rows) == 4  # complaints are not a clerk's
    assert pages.get("/desk/figures/orders.csv?from=2026-03-31&to=2026-03-01").status_code == 400
    login(pages, "judge_yi", PASSWORD)
    assert pages.get(f"/desk/figures/orders.csv?{RANGE}").status_code == 403


def test_the_totals_csv_carries_the_new_figures(pages, handoffs):
    login(pages, "supervisor", PASSWORD)
    raw = pages.get(f"/desk/figures.csv?{RANGE}").get_data().decode("utf-8-sig")
    table = {row[0]: row[1:] for row in csv.reader(io.StringIO(raw)) if row}
    assert table["易泽俊"] == ["法官", "2", "2", "0", "50.0%"]
    assert table["等待接入时长中位数"] == ["1分30秒"] and table["无人接入"] == ["1"]
    assert table["智能助手独立解决率"] == ["—"] and table["对话数来源"][0].startswith("无（未配置")
