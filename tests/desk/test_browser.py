"""The staff desk in real headless Chromium (Debian's, driven by Playwright), against the served desk app.

A work order is created through the service API as the action server would; a clerk logs in, claims it,
answers with a canned reply (delivered to the citizen's open chat through the fake Rasa process), records
the satisfaction callback and closes in one step (回访并办结), and the figures page shows the change.
The live-chat console is driven too.
Screenshots go to /tmp (desk_queue.png, desk_order.png, desk_figures.png, desk_console.png).
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.desk.browser import SERVICE, chromium_tab, create_order, desk_on_loopback, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def served_desk(tmp_path):
    """The desk app on a loopback port, with a fake Rasa process for pushes and trackers."""
    with desk_on_loopback(tmp_path) as desk:
        yield desk


@pytest.fixture
def page():
    with chromium_tab({"width": 1366, "height": 900}) as tab:
        yield tab


def test_clerk_claims_answers_calls_back_and_the_figures_follow(served_desk, page):
    base, fake, _, _ = served_desk
    order = create_order(
        base,
        conversation_id="web-citizen-1",
        summary="<img src=x onerror=alert(1)> 想问立案",
        transcript=[{"sender": "user", "text": "我要转人工"}],
    )
    number = order["number"]
    log_in(page, base, "clerk")
    row = page.locator("table.queue tr", has_text=number)
    expect(row.locator(".sla")).to_contain_text("首次联系剩余")
    page.screenshot(path="/tmp/desk_queue.png", full_page=True)

    page.click(f"text={number}")
    expect(page.locator(".order-head h1")).to_contain_text(number)
    expect(page.locator("dd.pre")).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text
    page.click("#claim")
    expect(page.locator(".flash-ok")).to_contain_text("已受理")

    page.select_option("select.canned", label="网上立案")
    expect(page.locator("#reply-body")).to_have_value(re.compile("移动微法院"))
    page.click("#reply-form button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text("已送达（网页）")
    assert fake.pushes[-1]["recipient_id"] == "web-citizen-1" and "移动微法院" in fake.pushes[-1]["text"]

    page.click("#reveal-phone")
    expect(page.locator("#phone")).to_have_text("13812345678")

    page.select_option("#finish-form select[name=outcome]", "接通")
    page.select_option("#finish-form select[name=score]", "5")
    page.click("#finish-form button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text("工单已办结")
    expect(page.locator(".order-head .status")).to_have_text("已关闭")
    page.screenshot(path="/tmp/desk_order.png", full_page=True)

    page.click("text=统计")
    expect(page.locator("#kpi-callback")).to_have_text("100.0%")
    expect(page.locator("#kpi-total")).to_have_text("1")
    expect(page.locator("#chart-by_kind canvas")).to_have_count(1)
    page.wait_for_timeout(600)  # let the charts' entry animation finish for the screenshot
    page.screenshot(path="/tmp/desk_figures.png", full_page=True)
    assert page.problems == []


def test_live_chat_in_the_console(served_desk, page):
    base, fake, _, _ = served_desk
    order = create_order(base, conversation_id="live-1", summary="想咨询诉讼费")
    log_in(page, base, "clerk")
    page.goto(f"{base}/desk/handoff")
    expect(page.locator("#online-count")).to_contain_text("在线工作人员 1 人")  # this page's own heartbeat
    answer = requests.post(
        f"{base}/api/v1/handoff",
        headers=SERVICE,
        timeout=5,
        json={"number": order["number"], "conversation_id": "live-1", "channel": "web"},
    )
    assert answer.status_code == 201
    expect(page.locator("#waiting li", has_text=order["number"])).to_be_visible()
    page.click("#waiting button:has-text('接入')")
    expect(page.locator("#chat-title")).to_contain_text(order["number"])
    expect(page.locator("#lines")).to_contain_text("已为您接入人工服务")
    fake.user_says("live-1", "诉讼费怎么交？<b>急</b>")
    expect(page.locator("#lines")).to_contain_text("诉讼费怎么交？<b>急</b>")
    page.fill("#send-text", "可以网上缴费。")
    page.click("#send-form button[type=submit]")
    expect(page.locator("#lines")).to_contain_text("可以网上缴费。")
    page.screenshot(path="/tmp/desk_console.png", full_page=True)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#release")
    expect(page.locator("#chat-empty")).to_be_visible()
    assert fake.appended("live-1", "resume")
    assert page.problems == []


def test_a_judge_sees_403_for_another_judges_order(served_desk, page):
    base, _, _, _ = served_desk
    other = create_order(
        base,
        kind="信用修复",
        case_number="（2023）京0105执5678号",
        case_judge="邹丹",
        case_judge_id="J0105-09",
    )
    log_in(page, base, "judge_yi")
    response = page.goto(f"{base}/desk/orders/{other['number']}")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("无权访问")
