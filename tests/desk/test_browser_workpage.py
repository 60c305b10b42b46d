"""Issue 13 in headless Chromium, at a desktop (1280×800) and a phone (390×844) size: the reply box within
the first screen, clicks shown as words, 回访并办结 in one step, search by the last four digits, the queue
refreshing itself with a beep and a desktop notification, 即将到期, canned replies by role, shortcuts.
Screenshots of the order page and the queue go to docs/screenshots/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.desk.browser import SERVICE, create_order, desk_on_loopback, log_in, screenshot
from tests.desk.conftest import PASSWORD

pytestmark = pytest.mark.browser

JUDGE_CASE = "（2026）京0105民初8848号"


@pytest.fixture
def served(tmp_path):
    """The desk on loopback (queue polled every 2 s), a fake Rasa process, and the store."""
    with desk_on_loopback(tmp_path, queue_poll_seconds=2) as desk:
        yield desk.url, desk.store


def in_first_screen(page: Page, selector: str) -> bool:
    """The element is wholly inside the viewport while the page is not scrolled."""
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return (
        page.evaluate("window.scrollY") == 0
        and box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= height
    )


def wait_until(page: Page, script: str, seconds: float) -> bool:
    """Poll a condition (wait_for_function evaluates a string inside the page, which the desk's CSP forbids)."""
    for _ in range(int(seconds * 4)):
        if page.evaluate(script):
            return True
        page.wait_for_timeout(250)
    return False


def long_transcript() -> list[dict]:
    """An earlier lookup (an hour before), then the order's own turns with two clicks stored as payloads."""
    before = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    now = datetime.now(timezone.utc).isoformat()
    earlier = [
        {"sender": "user" if i % 2 == 0 else "bot", "text": f"之前的问题第{i}句", "at": before}
        for i in range(30)
    ]
    own = [
        {"sender": "user", "text": "我要给承办法官留言", "at": now},
        {"sender": "bot", "text": "请确认以下信息：姓名张三，电话138****5678。确认提交吗？", "at": now},
        {"sender": "user", "text": "/deny", "at": now},
        {"sender": "bot", "text": "好的，请修改后再提交。", "at": now},
        {"sender": "user", "text": "/affirm", "at": now},
    ]
    return earlier + own


def claimed_order(base: str, page: Page, **overrides) -> str:
    number = create_order(base, channel="rest", **overrides)["number"]
    log_in(page, base, "clerk")
    page.goto(f"{base}/desk/orders/{number}")
    page.click("#claim")
    expect(page.locator(".flash-ok")).to_contain_text("已受理")
    return number


def test_the_reply_box_is_on_the_first_screen_and_clicks_read_as_words(served, tab):
    base, _ = served
    claimed_order(base, tab, summary="想给法官留言：开庭时间能否调整", transcript=long_transcript())
    assert in_first_screen(tab, "#reply-body"), "the reply box needs scrolling"
    own = tab.locator("#transcript ol.own")
    expect(own).to_contain_text("不是")
    expect(own).to_contain_text("是的")
    expect(tab.locator("#transcript")).not_to_contain_text("/affirm")
    expect(tab.locator("details.earlier ol")).to_be_hidden()  # the earlier lookup is folded away
    screenshot(tab, f"desk_order_{tab.size}")
    tab.click("details.earlier summary")
    expect(tab.locator("details.earlier ol")).to_contain_text("之前的问题第29句")
    if tab.size == "desktop":  # the panel stays beside the record while the clerk scrolls it
        tab.mouse.wheel(0, 2500)
        tab.wait_for_timeout(300)
        assert tab.evaluate("window.scrollY") > 500
        box = tab.locator("#reply-body").bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= 800
        tab.evaluate("window.scrollTo(0, 0)")
    tab.keyboard.press("r")
    expect(tab.locator("#reply-body")).to_be_focused()
    assert tab.problems == []


def test_callback_rating_and_close_in_one_step(served, tab):
    base, store = served
    number = claimed_order(base, tab, summary="想咨询立案材料")
    tab.fill("#reply-body", "请带身份证和起诉状来立案。")
    tab.click("#reply-form button[type=submit]")
    expect(tab.locator(".order-head .status")).to_have_text("已答复")
    assert in_first_screen(tab, "#finish-form button[type=submit]")
    tab.select_option("#finish-outcome", "未接通")  # not reached: the form says it will not close
    expect(tab.locator("#finish-close")).to_be_disabled()
    expect(tab.locator("#finish-submit")).to_contain_text("不办结")
    tab.select_option("#finish-outcome", "接通")
    tab.select_option("#finish-score", "4")
    tab.fill("#finish-form input[name=comment]", "答复清楚")
    tab.click("#finish-submit")
    expect(tab.locator(".flash-ok")).to_contain_text("回访已记录，工单已办结")
    expect(tab.locator(".order-head .status")).to_have_text("已关闭")
    supervisor = store.staff.authenticate("supervisor", PASSWORD)
    detail = store.get_order(supervisor, number)
    assert detail["satisfaction"] == 4 and [c["outcome"] for c in detail["callbacks"]] == ["接通"]
    assert tab.problems == []


def test_the_clerk_finds_a_citizens_orders_by_the_last_four_digits(served, tab):
    base, _ = served
    numbers = {create_order(base, callback_phone="13900004321")["number"] for _ in range(3)}
    create_order(base, callback_phone="13812345678")
    log_in(tab, base, "clerk")
    tab.keyboard.press("/")
    expect(tab.locator("#queue-search")).to_be_focused()
    tab.keyboard.type("4321")
    tab.keyboard.press("Enter")
    expect(tab.locator("h1")).to_contain_text("共 3 件")
    found = set(tab.locator("table.queue tbody td:first-child a").all_inner_texts())
    assert found == numbers
    expect(tab.locator("table.queue")).to_contain_text("139****4321")
    tab.keyboard.press("j")
    tab.keyboard.press("j")
    tab.keyboard.press("k")
    expect(tab.locator("table.queue tbody tr").nth(0)).to_have_class("row-current")
    tab.keyboard.press("Enter")
    expect(tab.locator(".order-head h1")).to_contain_text("工单")
    assert tab.problems == []


def test_the_queue_refreshes_itself_with_a_beep_and_a_notification(served, tab):
    base, _ = served
    create_order(base)
    log_in(tab, base, "clerk")
    tab.wait_for_timeout(500)  # the first poll learns the cursor
    fresh = create_order(base, summary="想咨询诉讼费怎么交", conversation_id="web-poll-1")["number"]
    expect(tab.locator("#new-orders")).to_contain_text(fresh, timeout=10000)
    assert tab.evaluate("window.__beeps") >= 1
    notes = tab.evaluate("window.__notes")
    assert any(fresh in note["title"] and "诉讼费" in note["body"] for note in notes)
    expect(tab).to_have_title(re.compile(r"^（1）"))
    screenshot(tab, f"desk_queue_{tab.size}")
    answer = requests.post(  # a citizen asks for a person: the next heartbeat beeps and notifies
        f"{base}/api/v1/handoff",
        headers=SERVICE,
        timeout=5,
        json={"number": fresh, "conversation_id": "web-poll-1", "channel": "web"},
    )
    assert answer.status_code == 201
    assert wait_until(tab, "() => window.__notes.some((n) => n.title === '在线咨询')", seconds=15)
    expect(tab.locator("#waiting-badge")).to_have_text("1")
    assert tab.problems == []


def test_due_soon_view_beside_the_overdue_list(served, tab):
    base, store = served
    soon = create_order(base)["number"]  # first contact due by the end of the next working day
    log_in(tab, base, "supervisor")
    tab.click("#tab-due-soon")
    expect(tab.locator("#due-soon-note")).to_contain_text("之前的工单")
    expect(tab.locator("table.queue")).to_contain_text(soon)
    supervisor = store.staff.authenticate("supervisor", PASSWORD)
    store.claim(supervisor, soon)
    store.add_reply(supervisor, soon, "已答复")
    store.transition(supervisor, soon, "关闭", "已答复，群众无异议")
    tab.reload()
    expect(tab.locator(".empty")).to_contain_text("没有符合条件的工单")
    assert tab.problems == []


def test_a_judge_is_not_offered_the_transferred_to_judge_reply(served, tab):
    base, store = served
    number = create_order(
        base, kind="联系法官", case_number=JUDGE_CASE, case_judge="易泽俊", case_judge_id="J0105-01"
    )["number"]
    log_in(tab, base, "judge_yi")
    tab.goto(f"{base}/desk/orders/{number}")
    tab.click("#claim")
    expect(tab.locator("#reply-form select.canned")).to_contain_text("网上立案")  # the claimed page is in
    options = tab.locator("#reply-form select.canned option").all_inner_texts()
    assert "网上立案" in options and "已转承办法官" not in options
    tab.keyboard.press("/")
    expect(tab.locator("#reply-form select.canned")).to_be_focused()
    assert in_first_screen(tab, "#reply-body")
    assert tab.problems == []


def test_supervisor_urges_and_reassigns_with_notes_and_the_citizens_other_orders(served, tab):
    base, store = served
    earlier = create_order(base, callback_phone="13700007777", summary="上个月的咨询")["number"]
    number = claimed_order(base, tab, callback_phone="13700007777", summary="想咨询诉讼费")
    expect(tab.locator("#other-orders")).to_contain_text(earlier)
    tab.fill("#note-form input[name=body]", "群众下午才方便接电话")
    tab.click("#note-form button[type=submit]")
    expect(tab.locator("#notes")).to_contain_text("群众下午才方便接电话")
    tab.click("form[action='/desk/logout'] button")
    log_in(tab, base, "supervisor")
    tab.goto(f"{base}/desk/orders/{number}")
    tab.click("details.more summary")
    tab.fill("#urge-form input[name=body]", "请今天内答复")
    tab.click("#urge-form button[type=submit]")
    expect(tab.locator("#urge-notice")).to_contain_text("请今天内答复")
    tab.click("details.more summary")
    tab.select_option("#reassign-form select[name=target_id]", label="易泽俊（法官）")
    tab.fill("#reassign-form input[name=note]", "涉及庭审安排")
    tab.click("#reassign-form button[type=submit]")
    expect(tab.locator(".flash-ok")).to_contain_text("已改派给易泽俊")
    expect(tab.locator("#notes")).to_contain_text("周敏 → 易泽俊：涉及庭审安排")
    judge = store.staff.authenticate("judge_yi", PASSWORD)
    assert store.get_order(judge, number)["assignee"] == "易泽俊"
    assert tab.problems == []


def test_a_clerk_merges_a_duplicate_from_the_other_orders_list(served, tab):
    base, store = served
    kept = create_order(base, callback_phone="13600002222", summary="想问开庭时间")["number"]
    duplicate = create_order(base, callback_phone="13600002222", summary="又来问开庭时间")["number"]
    log_in(tab, base, "clerk")
    tab.goto(f"{base}/desk/orders/{duplicate}")
    tab.once("dialog", lambda dialog: dialog.accept())
    tab.click(f"#other-orders form:has(input[value='{kept}']) button")
    expect(tab.locator(".flash-ok")).to_contain_text(f"工单 {duplicate} 已作为重复工单关闭并并入本单")
    expect(tab.locator(".order-head h1")).to_contain_text(kept)
    expect(tab.locator("#notes")).to_contain_text(f"并入重复工单 {duplicate}")
    clerk = store.staff.authenticate("clerk", PASSWORD)
    assert store.get_order(clerk, duplicate)["status"] == "已关闭"
    assert tab.problems == []
