"""The chat page in real headless Chromium (Debian's, driven by Playwright) against the real channel."""

from __future__ import annotations

import json

import aiohttp
import pytest
from playwright.async_api import Browser, Page, expect

from kernel.contracts import STAFF_LABEL
from tests.webchat.conftest import PUSH_TOKEN, Server

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
SESSION_KEY = "court-webchat-session"
XSS = "<img src=x onerror=alert(1)>"


async def open_chat(browser: Browser, server: Server, init_session: dict | None = None) -> Page:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=1, locale="zh-CN")
    if init_session is not None:
        script = f"localStorage.setItem({json.dumps(SESSION_KEY)}, {json.dumps(json.dumps(init_session))});"
        await context.add_init_script(script)
    page = await context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: page.dialogs.append(d.message))  # type: ignore[attr-defined]
    await page.goto(server.page)
    await connected(page)
    return page


async def connected(page: Page) -> None:
    await expect(page.locator("#status")).to_have_class("status ok")


async def stored_session(page: Page) -> dict:
    return json.loads(await page.evaluate(f"localStorage.getItem({json.dumps(SESSION_KEY)})"))


async def say(page: Page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


def messages(page: Page, kind: str = ""):
    return page.locator(f"#messages .msg{'-' + kind if kind else ''} .bubble")


async def test_conversation_with_buttons_and_typing(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "你好")
    await expect(messages(page, "bot").last).to_have_text("您好，请问需要办理什么业务？")
    await page.locator("#messages").get_by_role("button", name="查询案件进度").click()
    await expect(messages(page, "user").last).to_have_text("查询案件进度")
    await expect(messages(page, "bot").last).to_have_text("请提供您的案号，例如（2024）京03民初123号。")
    assert [text for _, text in server.bot.received] == ["你好", "/query_case_progress"]
    await expect(
        page.locator("#messages").get_by_role("button", name="联系法官")
    ).to_be_disabled()  # used menus are closed

    await say(page, "请稍等")
    await expect(page.locator("#typing")).to_be_visible()
    server.bot.gate.set()
    await expect(messages(page, "bot").last).to_have_text("您说的是：请稍等")
    await expect(page.locator("#typing")).to_be_hidden()


async def test_reload_keeps_the_conversation(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "你好")
    await page.locator("#messages").get_by_role("button", name="联系法官").click()
    await expect(messages(page, "bot").last).to_have_text("请问您要联系哪个案件的承办法官？")
    session = await stored_session(page)
    await page.reload()
    await connected(page)
    await expect(messages(page)).to_have_text(
        ["你好", "您好，请问需要办理什么业务？", "联系法官", "请问您要联系哪个案件的承办法官？"]
    )
    assert (await stored_session(page))["session_id"] == session["session_id"]
    await say(page, "谢谢")
    await expect(messages(page, "bot").last).to_have_text("您说的是：谢谢")
    assert {sid for sid, _ in server.bot.received} == {session["session_id"]}


async def test_staff_message_appears_marked_as_staff(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "转人工")
    await expect(messages(page, "user").last).to_have_text("转人工")
    session = await stored_session(page)
    body = {"recipient_id": session["session_id"], "text": "您好，我是立案庭工作人员，请问有什么可以帮您？"}
    async with aiohttp.ClientSession() as http:
        headers = {"Authorization": f"Bearer {PUSH_TOKEN}"}
        async with http.post(server.url + "/webhooks/webchat/push", json=body, headers=headers) as resp:
            assert (await resp.json())["delivered"] is True
    staff = page.locator("#messages .msg-staff")
    await expect(staff.locator(".bubble")).to_have_text(body["text"])
    await expect(staff.locator(".who")).to_have_text(STAFF_LABEL)  # the default when the desk names no one
    await page.reload()
    await connected(page)
    await expect(page.locator("#messages .msg-staff .bubble")).to_have_text(body["text"])


@pytest.mark.parametrize("stolen_with", ["no token", "token of another conversation"])
async def test_stolen_session_id_gets_nothing(browser, server, stolen_with) -> None:
    victim = await open_chat(browser, server)
    await say(victim, "我的案号是（2024）京03民初123号")
    await expect(messages(victim, "bot").last).to_contain_text("京03民初123号")
    victim_session = await stored_session(victim)

    other = await open_chat(browser, server)
    stolen = {"session_id": victim_session["session_id"]}
    if stolen_with != "no token":
        stolen["token"] = (await stored_session(other))["token"]
    thief = await open_chat(browser, server, init_session=stolen)

    await expect(thief.locator("#messages .msg-system")).to_contain_text("新的对话")
    await expect(messages(thief, "user")).to_have_count(0)
    await expect(messages(thief, "bot")).to_have_count(0)
    assert (await stored_session(thief))["session_id"] != victim_session["session_id"]
    await say(thief, "把他的记录给我")
    await expect(messages(thief, "bot").last).to_have_text("您说的是：把他的记录给我")
    await expect(messages(victim)).to_have_count(2)
    victim_texts = [text for sid, text in server.bot.received if sid == victim_session["session_id"]]
    assert victim_texts == ["我的案号是（2024）京03民初123号"]


async def test_markup_is_shown_as_text(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, XSS)
    await expect(messages(page, "user").last).to_have_text(XSS)
    await expect(messages(page, "bot").last).to_have_text("您说的是：" + XSS)
    await expect(page.locator("#messages img")).to_have_count(0)
    await page.reload()
    await connected(page)
    await expect(messages(page, "user").last).to_have_text(XSS)
    await expect(page.locator("#messages img")).to_have_count(0)
    assert page.dialogs == []  # type: ignore[attr-defined]


async def test_reconnects_after_a_dropped_connection(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "你好")
    await expect(messages(page, "bot")).to_have_count(1)
    await page.context.set_offline(True)  # the network drops (socket.io notices at once)
    await expect(page.locator("#status")).to_have_text("正在重新连接…")
    await say(page, "还在吗")  # typed while offline: kept and sent after reconnecting
    await expect(page.locator("#messages .msg-user.pending")).to_have_count(1)
    await page.context.set_offline(False)
    await connected(page)
    await expect(messages(page, "bot").last).to_have_text("您说的是：还在吗")
    await expect(messages(page)).to_have_text(
        ["你好", "您好，请问需要办理什么业务？", "还在吗", "您说的是：还在吗"]
    )
    assert [text for _, text in server.bot.received] == ["你好", "还在吗"]


async def test_large_text_mode_is_remembered(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "你好")
    await expect(messages(page, "bot")).to_have_count(1)
    size = "getComputedStyle(document.querySelector('#messages .bubble')).fontSize"
    normal = float((await page.evaluate(size)).rstrip("px"))
    await page.screenshot(path="/tmp/webchat-mobile.png")
    toggle = page.get_by_role("button", name="大字模式")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await page.reload()
    await connected(page)
    await expect(page.get_by_role("button", name="大字模式")).to_have_attribute("aria-pressed", "true")
    large = float((await page.evaluate(size)).rstrip("px"))
    assert large >= normal * 1.25
    await page.screenshot(path="/tmp/webchat-mobile-large.png")


async def test_tap_targets_are_at_least_44px(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "你好")
    await expect(messages(page, "bot")).to_have_count(1)
    for button in await page.locator("button, textarea").all():
        if await button.is_visible():
            box = await button.bounding_box()
            assert box and box["height"] >= 44, await button.text_content()


async def test_phone_numbers_are_tappable_but_id_numbers_are_not(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "热线12368，身份证110105199001011234，手机138****5678")
    bot = page.locator("#messages .msg-bot").last
    await expect(bot.locator(".bubble")).to_have_text(
        "您说的是：热线12368，身份证110105199001011234，手机138****5678"
    )
    await expect(bot.locator("a")).to_have_count(1)
    await expect(bot.locator("a")).to_have_attribute("href", "tel:12368")
    await expect(page.locator("#messages .msg-user a")).to_have_count(0)


async def test_new_conversation_button_forgets_the_old_one(browser, server) -> None:
    page = await open_chat(browser, server)
    await say(page, "你好")
    await expect(messages(page, "bot")).to_have_count(1)
    old = await stored_session(page)
    await page.get_by_role("button", name="结束并开始新对话").click()
    await page.get_by_role("dialog").get_by_role("button", name="确定").click()
    await expect(page.locator("#messages .msg-system")).to_have_text("已开始新的对话。")
    await expect(messages(page, "bot")).to_have_count(0)
    new = await stored_session(page)
    assert new["session_id"] != old["session_id"]
    await page.reload()
    await connected(page)
    await expect(messages(page, "bot")).to_have_count(0)
    await say(page, "谢谢")
    await expect(messages(page, "bot").last).to_have_text("您说的是：谢谢")
    assert server.bot.received[-1] == (new["session_id"], "谢谢")
