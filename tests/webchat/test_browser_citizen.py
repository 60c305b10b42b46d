"""What an elderly citizen on a phone (and anyone on a desktop) notices on the chat page, in Debian's
Chromium against the real channel and the fake bot: where a new answer starts, the progress card, the
confirmation before a new conversation, taps that do not open the keyboard, the call button, the header
in large-text mode, message times, form-step buttons and the expected wait for a person."""

from __future__ import annotations

import os
import re
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Browser, Page, expect

from tests.webchat.conftest import PUSH_TOKEN, Server
from tests.webchat.test_browser import connected, messages, say, stored_session

pytestmark = pytest.mark.browser

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 800}}
# The phone screenshots; SCREENSHOTS_DIR=docs/screenshots refreshes the ones in the docs (a test run
# never rewrites committed files by itself).
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or "/tmp/court-screenshots")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request) -> str:
    return request.param


async def open_page(browser: Browser, server: Server, viewport: str, large: bool = False) -> Page:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(
        viewport=VIEWPORTS[viewport],
        device_scale_factor=1,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        has_touch=viewport == "phone",
        is_mobile=viewport == "phone",
    )
    if large:
        await context.add_init_script("localStorage.setItem('court-webchat-large-text', '1');")
    page = await context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: page.dialogs.append(d.message))  # type: ignore[attr-defined]
    await page.goto(server.page)
    await connected(page)
    return page


async def box(page: Page, selector: str) -> dict:
    found = await page.locator(selector).bounding_box()
    assert found, selector
    return found


async def test_a_long_answer_is_shown_from_its_first_line(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    for text in ("你好", "查进度", "谢谢"):  # enough above for the page to scroll
        await say(page, text)
        await expect(messages(page, "bot")).to_have_count(("你好", "查进度", "谢谢").index(text) + 1)
    await say(page, "长答复")
    answer = page.locator("#messages .msg-bot").last
    await expect(answer.locator(".bubble")).to_contain_text("第40行说明文字")
    chat, start = await box(page, "#main"), await answer.bounding_box()
    assert start and chat["y"] <= start["y"] < chat["y"] + 60  # its start at the top of the conversation
    bubble = await answer.locator(".bubble").bounding_box()
    assert bubble and bubble["y"] + 60 <= chat["y"] + chat["height"]  # its first lines are on screen
    if viewport == "phone":  # taller than the screen: its end is below, not its start above
        assert bubble["y"] + bubble["height"] > chat["y"] + chat["height"]


async def test_the_progress_answer_leads_with_a_card(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    await say(page, "查进度")
    answer = page.locator("#messages .msg-bot").last
    card = answer.locator(".card")
    await expect(card.locator("dt")).to_have_text(
        ["当前阶段", "下次开庭", "承办法官", "联系电话", "审理期限"]
    )
    await expect(card.locator("dd").nth(1)).to_have_text("2026年12月10日 09:30，第十二法庭")
    await expect(card.locator("dd a")).to_have_attribute("href", "tel:01065851234")
    details = answer.locator(".card-details")
    await expect(details).to_contain_text("最近进展")
    card_box, details_box = await card.bounding_box(), await details.bounding_box()
    assert card_box and details_box and card_box["y"] < details_box["y"]  # the card first
    assert (await answer.locator(".bubble").inner_text()).count("12月10日") == 1
    await expect(answer.get_by_role("button", name="给法官留言")).to_be_enabled()
    await page.reload()
    await connected(page)  # the card again from the history
    await expect(page.locator("#messages .msg-bot .card dt").first).to_have_text("当前阶段")
    if viewport == "phone":
        await page.screenshot(path=str(SCREENSHOTS / "webchat-phone-progress-card.png"))


async def test_a_new_conversation_is_confirmed_first(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    await say(page, "你好")
    await expect(messages(page, "bot")).to_have_count(1)
    old = await stored_session(page)
    new_chat = page.get_by_role("button", name="结束并开始新对话")
    large = await box(page, "#large-text")
    restart = await new_chat.bounding_box()
    assert restart and restart["y"] - (large["y"] + large["height"]) > 200  # far from 大字模式
    await new_chat.click()
    dialog = page.get_by_role("dialog", name="开始新对话？")
    await expect(dialog).to_be_visible()
    if viewport == "phone":
        await page.screenshot(path=str(SCREENSHOTS / "webchat-phone-new-chat-confirm.png"))
    await dialog.get_by_role("button", name="取消").click()
    await expect(dialog).to_be_hidden()
    await expect(messages(page, "bot")).to_have_count(1)  # nothing lost
    assert (await stored_session(page))["session_id"] == old["session_id"]
    await new_chat.click()
    await dialog.get_by_role("button", name="确定").click()
    await expect(page.locator("#messages .msg-system")).to_have_text("已开始新的对话。")
    await expect(messages(page, "bot")).to_have_count(0)
    assert (await stored_session(page))["session_id"] != old["session_id"]
    assert page.dialogs == []  # type: ignore[attr-defined]  # no window.confirm


async def test_tapping_buttons_does_not_focus_the_text_box(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    tap = page.tap if viewport == "phone" else page.click
    await tap(".welcome .quick >> text=联系法官")
    await expect(messages(page, "bot").last).to_have_text("您说的是：联系法官")
    assert await page.evaluate("document.activeElement.id") != "input"
    await say(page, "你好")  # typing keeps the focus in the box ...
    assert await page.evaluate("document.activeElement.id") == "input"
    await page.evaluate("document.activeElement.blur()")
    await expect(page.locator("#messages").get_by_role("button", name="查询案件进度")).to_be_enabled()
    await tap("#messages >> role=button[name='查询案件进度']")  # ... a tap does not bring it back
    await expect(messages(page, "bot").last).to_have_text("请提供您的案号，例如（2024）京03民初123号。")
    assert await page.evaluate("document.activeElement.id") != "input"


async def test_a_call_button_for_the_hotline(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    call = page.get_by_role("link", name="拨打12368")
    await expect(call).to_have_attribute("href", "tel:12368")
    found = await call.bounding_box()
    assert found and found["height"] >= 44 and found["width"] >= 44


async def test_the_header_grows_in_large_text_mode(browser, server, viewport) -> None:
    size = "parseFloat(getComputedStyle(document.querySelector('.bar h1')).fontSize)"
    normal = await open_page(browser, server, viewport)
    large = await open_page(browser, server, viewport, large=True)
    assert await large.evaluate(size) >= 1.25 * await normal.evaluate(size)
    for page in (normal, large):  # nothing in the header is cut off or pushed off screen
        width = VIEWPORTS[viewport]["width"]
        for selector in (".bar h1", "#large-text", ".call"):
            found = await box(page, selector)
            assert found["x"] >= 0 and found["x"] + found["width"] <= width, selector
    if viewport == "phone":
        await say(large, "你好")
        await expect(messages(large, "bot")).to_have_count(1)
        await large.screenshot(path=str(SCREENSHOTS / "webchat-phone-large-text.png"))


async def test_messages_show_their_local_time(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    await say(page, "你好")
    await expect(messages(page, "bot")).to_have_count(1)
    times = page.locator("#messages .msg .at")
    await expect(times).to_have_count(2)
    expected = await page.evaluate(
        "(() => { const d = new Date(); return String(d.getHours()).padStart(2, '0') + ':' +"
        " String(d.getMinutes()).padStart(2, '0'); })()"
    )
    for text in await times.all_text_contents():
        assert re.fullmatch(r"\d{2}:\d{2}", text) and abs(_minutes(text) - _minutes(expected)) <= 1
    await page.reload()
    await connected(page)  # the times come back with the history (from the tracker's timestamps)
    await expect(page.locator("#messages .msg .at")).to_have_count(2)
    after = await page.locator("#messages .msg .at").all_text_contents()
    assert all(abs(_minutes(t) - _minutes(expected)) <= 1 for t in after)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return (int(hours) * 60 + int(minutes)) % (24 * 60)


async def test_form_step_buttons_send_what_the_bot_understands(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    await say(page, "验证码")
    await expect(page.locator("#messages .msg-bot").last.get_by_role("button")).to_have_text(
        ["重新发送验证码", "取消"]
    )
    await page.locator("#messages").get_by_role("button", name="重新发送验证码").click()
    await expect(messages(page, "user").last).to_have_text("重新发送验证码")
    await say(page, "验证码")
    await expect(messages(page, "bot")).to_have_count(3)
    await page.locator("#messages").get_by_role("button", name="取消").last.click()
    await expect(messages(page, "user").last).to_have_text("取消")
    await expect(messages(page, "bot")).to_have_count(4)  # the bot has received it (not only shown it)
    sent = [text for _, text in server.bot.received]
    assert sent == ["验证码", "重新发送验证码", "验证码", "取消"]  # the payloads the form's validation reads


async def test_the_expected_wait_is_shown_until_a_clerk_answers(browser, server, viewport) -> None:
    page = await open_page(browser, server, viewport)
    await say(page, "排队")
    waiting = page.locator("#waiting")
    await expect(waiting).to_have_text("正在为您转接人工服务：您前面还有 2 位，预计等待约 3 分钟。")
    await say(page, "还要多久")
    await expect(messages(page, "bot").last).to_have_text("您说的是：还要多久")
    await expect(waiting).to_be_visible()  # stays in view while the conversation goes on
    if viewport == "phone":
        await page.screenshot(path=str(SCREENSHOTS / "webchat-phone-waiting.png"))
    await page.reload()
    await connected(page)
    await expect(waiting).to_be_visible()  # after a reload too: no clerk has answered yet
    body = {"recipient_id": (await stored_session(page))["session_id"], "text": "您好，我是工作人员。"}
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {PUSH_TOKEN}"}
        async with http.post(server.url + "/webhooks/webchat/push", json=body, headers=headers) as resp:
            assert (await resp.json())["delivered"] is True
    await expect(page.locator("#messages .msg-staff .bubble")).to_have_text(body["text"])
    await expect(waiting).to_be_hidden()  # a person is here: no more waiting
    await page.reload()
    await connected(page)
    await expect(waiting).to_be_hidden()
