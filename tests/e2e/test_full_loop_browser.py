"""The whole 12368 loop in real headless Chromium, across the real processes and the trained bot:
a citizen escalates in the web chat → the work order appears in the desk → a clerk claims and replies →
the citizen sees the reply in the same chat → the clerk records the callback → the figures change."""

from __future__ import annotations

import re

import pytest
import sqlalchemy
from playwright.sync_api import expect

from tests.stack import last_code, sms_messages

pytestmark = [pytest.mark.slow, pytest.mark.browser]

NUMBER = re.compile(r"[A-Z]{2}\d{8}-\d{4}")
REPLY = "您好，网上立案请准备起诉状和身份证明，通过移动微法院提交即可。"


def say(page, text: str) -> None:
    page.fill("#input", text)
    page.press("#input", "Enter")


def last_bot(page):
    return page.locator("#messages .msg-bot .bubble").last


def kpi(page, name: str) -> str:
    return page.locator(f"#kpi-{name}").inner_text()


def open_chat(browser, stack):
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    page.goto(stack.urls["rasa"] + "/webhooks/webchat/")
    expect(page.locator("#status")).to_have_class("status ok", timeout=30_000)
    return page


def open_desk(browser, stack, username: str = "clerk"):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(stack.urls["desk"] + "/desk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12368")
    page.click("button[type=submit]")
    return page


def ask_for_a_human(citizen, first: str, name: str, phone: str) -> None:
    """The work-order form of a 转人工 request with nobody online: name and phone, then the read-back."""
    say(citizen, first)
    expect(last_bot(citizen)).to_contain_text("姓名", timeout=30_000)
    say(citizen, name)
    expect(last_bot(citizen)).to_contain_text("手机", timeout=30_000)
    say(citizen, phone)
    expect(last_bot(citizen)).to_contain_text("请确认", timeout=30_000)


def test_citizen_escalates_clerk_answers_in_the_same_chat(stack, browser):
    citizen = open_chat(browser, stack)
    ask_for_a_human(citizen, "我要转人工", "张红梅", "13712345678")
    # what the citizen adds at the read-back is what it is about: read back again, then confirmed
    say(citizen, "想问网上立案要准备什么材料 <img src=x onerror=alert(1)>")
    expect(last_bot(citizen)).to_contain_text("想问网上立案", timeout=30_000)
    expect(last_bot(citizen)).to_contain_text("137****5678")
    citizen.locator("#messages").get_by_role("button", name="确认提交").last.click()
    expect(last_bot(citizen)).to_contain_text("已为您登记工单", timeout=30_000)
    number = NUMBER.search(last_bot(citizen).inner_text()).group(0)
    expect(citizen.locator("#messages img")).to_have_count(0)  # the citizen's own text stays text

    desk = open_desk(browser, stack)
    desk.goto(stack.urls["desk"] + "/desk/figures")
    callbacks_before = kpi(desk, "callback")
    desk.goto(stack.urls["desk"] + "/desk/")
    expect(desk.locator("table.queue tr", has_text=number)).to_be_visible()
    desk.click(f"text={number}")
    expect(desk.locator("dd.pre").first).to_contain_text(
        "<img src=x onerror=alert(1)>"
    )  # escaped on the desk
    expect(desk.locator("img[src=x]")).to_have_count(0)
    desk.click("#claim")
    desk.fill("#reply-body", REPLY)
    desk.click("#reply-form button[type=submit]")
    expect(desk.locator(".flash-ok")).to_contain_text("已送达（网页）")

    staff_line = citizen.locator("#messages .msg-staff .bubble").last
    expect(staff_line).to_contain_text(REPLY, timeout=15_000)

    # one closing step: the callback, the rating and the close in one form (issue 13)
    desk.select_option("#finish-outcome", "接通")
    desk.select_option("#finish-score", "5")
    desk.click("#finish-submit")
    expect(desk.locator(".order-head .status")).to_have_text("已关闭")
    # the citizen hears of the close in the same chat, with the order's number
    expect(citizen.locator("#messages")).to_contain_text(f"工单 {number} 已办结", timeout=15_000)
    desk.goto(stack.urls["desk"] + "/desk/figures")
    assert kpi(desk, "callback") != callbacks_before
    desk.screenshot(path="/tmp/full_loop_figures.png", full_page=True)
    citizen.screenshot(path="/tmp/full_loop_citizen.png", full_page=True)


def test_live_handoff_with_the_real_bot(stack, browser):
    """A clerk is online: 转人工 connects first (no form: place in the queue and expected wait shown), the clerk
    chats in the same page, fills in the citizen's name and phone on the order, then hands back to the bot."""
    desk = open_desk(browser, stack)
    desk.goto(stack.urls["desk"] + "/desk/handoff")
    expect(desk.locator("#online-count")).to_contain_text("在线工作人员", timeout=15_000)

    citizen = open_chat(browser, stack)
    say(citizen, "我要转人工，想问问诉讼费的事情怎么交比较方便")
    expect(citizen.locator("#messages")).to_contain_text("正在为您转接", timeout=30_000)
    told = last_bot(citizen).inner_text()
    assert "分钟" in told and "姓名" not in told  # the expected wait, and no form question
    number = NUMBER.search(told).group(0)
    banner = citizen.locator("#waiting")  # the desk's expected wait stays above the text box
    expect(banner).to_contain_text("预计等待约")
    assert re.search(r"预计等待约 \d+ 分钟", banner.inner_text())

    take = desk.locator("#waiting button:has-text('接入')").first
    expect(take).to_be_visible(timeout=20_000)
    take.click()
    expect(desk.locator("#lines")).to_contain_text("诉讼费", timeout=15_000)  # the transcript so far
    desk.fill("#send-text", "您好，诉讼费可以在移动微法院网上缴纳。")
    desk.click("#send-form button[type=submit]")
    expect(citizen.locator("#messages .msg-staff .bubble").last).to_contain_text("移动微法院", timeout=15_000)
    expect(banner).to_be_hidden()  # a person is here

    # the order the live request opened: the clerk fills in what the citizen told them in the chat
    order = desk.context.new_page()
    order.goto(stack.urls["desk"] + f"/desk/orders/{number}")
    expect(order.locator("#contact-form")).to_be_visible()
    order.fill("#contact-form input[name=citizen_name]", "王秀英")
    order.fill("#contact-form input[name=callback_phone]", "13698765432")
    order.click("#contact-form button[type=submit]")
    expect(order.locator(".flash-ok")).to_contain_text("联系方式已保存")
    expect(order.locator("#phone")).to_have_text("136****5432")
    order.close()

    say(citizen, "好的，那退费要多久")
    expect(desk.locator("#lines")).to_contain_text("退费要多久", timeout=15_000)  # live on the desk
    desk.once("dialog", lambda dialog: dialog.accept())  # “转回智能助手？”
    desk.click("#release")
    expect(desk.locator("#chat-empty")).to_be_visible(timeout=15_000)
    say(citizen, "法院几点上班")
    expect(last_bot(citizen)).to_contain_text("9:00", timeout=30_000)  # the bot answers again


def test_case_progress_by_taps_ends_in_a_card(stack, browser):
    """A party on a phone: the lookup started by a tap, a second code by a tap (a second SMS), and the answer
    as a card whose first line is on screen; no tap moved the focus into the text box."""
    citizen = open_chat(browser, stack)
    citizen.locator(".welcome").get_by_role("button", name="查询案件进度").click()
    expect(last_bot(citizen)).to_contain_text("案号", timeout=30_000)
    say(citizen, "（2026）京0105民初8848号")
    expect(last_bot(citizen)).to_contain_text("身份", timeout=30_000)
    say(citizen, "陈思远 11010519880615245X")
    resend = citizen.locator("#messages .msg-bot").last.get_by_role("button", name="重新发送验证码")
    expect(resend).to_be_visible(timeout=30_000)
    sent = len(sms_messages(stack))
    citizen.evaluate("document.activeElement.blur()")
    resend.click()
    expect(citizen.locator("#messages")).to_contain_text("已重新发送验证码", timeout=30_000)
    assert len(sms_messages(stack)) == sent + 1  # the second SMS
    assert citizen.evaluate("document.activeElement.id") != "input"
    say(citizen, last_code(stack))
    answer = citizen.locator("#messages .msg-bot").last
    card = answer.locator(".card")
    expect(card.locator("dt").first).to_have_text("当前阶段", timeout=30_000)
    expect(card).to_contain_text("第十二法庭")
    expect(card).to_contain_text("易泽俊")
    assert answer.locator(".bubble").inner_text().count("12月10日") == 1  # the hearing once
    chat, top = citizen.locator("#main").bounding_box(), answer.bounding_box()
    assert chat and top and chat["y"] <= top["y"] < chat["y"] + 60  # the answer read from its start


def test_a_judge_callback_by_taps_on_a_phone_types_only_the_data(stack, browser):
    """联系法官 from the welcome button; the citizen types the case number, name and phone and taps the rest
    (跳过 for the summary, 确认提交); the order is stored with what was typed and the number shown."""
    citizen = open_chat(browser, stack)
    citizen.locator(".welcome").get_by_role("button", name="联系法官").click()
    expect(last_bot(citizen)).to_contain_text("案号", timeout=30_000)
    say(citizen, "（2026）京0105民初8848号")
    expect(last_bot(citizen)).to_contain_text("姓名", timeout=30_000)
    say(citizen, "陈思远")
    expect(last_bot(citizen)).to_contain_text("手机", timeout=30_000)
    say(citizen, "13900001001")
    skip = citizen.locator("#messages .msg-bot").last.get_by_role("button", name="跳过")
    expect(skip).to_be_visible(timeout=30_000)
    skip.click()
    confirm = citizen.locator("#messages .msg-bot").last.get_by_role("button", name="确认提交")
    expect(confirm).to_be_visible(timeout=30_000)
    confirm.click()
    expect(last_bot(citizen)).to_contain_text("已为您登记工单", timeout=30_000)
    number = NUMBER.search(last_bot(citizen).inner_text()).group(0)
    engine = sqlalchemy.create_engine(stack.env["DESK_DATABASE_URL"])
    with engine.connect() as conn:
        row = conn.execute(
            sqlalchemy.text("SELECT kind, citizen_name, case_number FROM work_orders WHERE number = :n"),
            {"n": number},
        ).one()
    engine.dispose()
    assert tuple(row) == ("联系法官", "陈思远", "（2026）京0105民初8848号")
