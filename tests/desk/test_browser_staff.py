"""Issue 13's staff items in headless Chromium, at a desktop (1280×800) and a phone (390×844) size where the
size matters: the administrator links a judge account to the court data's judge id (the judge then sees the
orders of that id, not those of a namesake; clerks and judges cannot reach the page); the figures page over a
date range (workload and on-time rate per handler, handoff waits and abandonment, containment) and its
per-order CSV; the keyboard shortcuts of the queue and the order page; internal notes that stay on the desk.
Screenshots of the figures page and the accounts page go to docs/screenshots/ (SCREENSHOTS_DIR).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.desk.browser import SERVICE, create_order, desk_on_loopback, log_in, log_out, screenshot
from tests.desk.conftest import PASSWORD
from tests.desk.test_figures_people import TRACKER_EVENTS, seed_handoffs, seed_march, tracker_db

pytestmark = pytest.mark.browser

MARCH = ("2026-03-01", "2026-03-31")
APRIL = ("2026-04-01", "2026-04-30")
DESKTOP_ONLY = pytest.mark.parametrize("tab", ["desktop"], indirect=True)  # the same page at either size


@pytest.fixture
def desk(tmp_path):
    """The desk on loopback reading conversations from a tracker store (for containment), a fake Rasa."""
    with desk_on_loopback(
        tmp_path, tracker_db_url=tracker_db(tmp_path / "tracker.db", TRACKER_EVENTS)
    ) as served:
        yield served


def no_sideways_scroll(page: Page) -> bool:
    """The page as a whole is no wider than the screen (a wide table may scroll inside its own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


# ------------------------------------------------------------------------- judges linked by judge id


def user_row(page: Page, username: str):
    return page.locator("table.users tbody tr", has=page.locator(f"td:text-is('{username}')"))


def test_the_administrator_links_a_judge_by_court_id_and_the_judge_sees_those_cases(desk, tab):
    base = desk.url
    log_in(tab, base, "admin")
    tab.click("nav >> text=账号管理")
    expect(tab.locator("h1")).to_have_text("账号管理")
    new = tab.locator("form[action='/desk/users']")
    new.locator("input[name=username]").fill("judge_wang")
    new.locator("input[name=display_name]").fill("王芳")
    new.locator("select[name=role]").select_option("法官")
    new.locator("input[name=password]").fill(PASSWORD)
    new.locator("button[type=submit]").click()
    expect(tab.locator(".flash-ok")).to_contain_text("已创建账号 judge_wang")
    expect(user_row(tab, "judge_wang")).to_contain_text("未关联")

    box = tab.get_by_label("judge_wang 的承办法官编号")
    box.fill("J0105-01")  # 易泽俊's id: one id, one account
    user_row(tab, "judge_wang").locator("button:has-text('关联编号')").click()
    expect(tab.locator(".flash-error:not(.calendar-warning)")).to_contain_text("已关联账号 judge_yi")
    expect(user_row(tab, "judge_wang")).to_contain_text("未关联")
    box.fill("J0105-22")
    user_row(tab, "judge_wang").locator("button:has-text('关联编号')").click()
    expect(tab.locator(".flash-ok")).to_contain_text("judge_wang 已关联承办法官编号 J0105-22")
    expect(user_row(tab, "judge_wang").locator("td").nth(3)).to_have_text("J0105-22")
    assert no_sideways_scroll(tab)
    user_row(tab, "judge_wang").scroll_into_view_if_needed()  # on a phone the new row is further down
    screenshot(tab, f"desk_users_{tab.size}")

    own = create_order(
        base,
        kind="联系法官",
        case_number="（2026）京0105民初9001号",
        case_judge="王芳",
        case_judge_id="J0105-22",
    )["number"]
    namesake = create_order(  # another judge called 王芳, whose id no account holds
        base,
        kind="联系法官",
        case_number="（2026）京0105民初9002号",
        case_judge="王芳",
        case_judge_id="J0105-77",
    )["number"]
    renamed = create_order(  # the court data's name differs from the account's: the id decides
        base,
        kind="信用修复",
        case_number="（2026）京0105执9003号",
        case_judge="王 芳",
        case_judge_id="J0105-22",
    )["number"]
    log_out(tab)
    log_in(tab, base, "judge_wang")
    numbers = set(tab.locator("table.queue tbody td:first-child a").all_inner_texts())
    assert numbers == {own, renamed}
    assert tab.goto(f"{base}/desk/orders/{namesake}").status == 403
    tab.problems.clear()  # the refused page itself is logged as a failed load
    tab.goto(f"{base}/desk/orders/{own}")
    tab.click("#claim")
    expect(tab.locator(".flash-ok")).to_contain_text("已受理")
    expect(tab.locator(".order-head .status")).to_have_text("处理中")
    log_out(tab)
    log_in(tab, base, "clerk")  # the namesake's order waits in the clerks' pool
    expect(tab.locator("table.queue tr", has_text=namesake)).to_contain_text("接线员池")
    assert tab.problems == []


@DESKTOP_ONLY
@pytest.mark.parametrize("username", ["clerk", "judge_yi", "supervisor"])
def test_only_the_administrator_reaches_the_accounts_page(desk, tab, username):
    log_in(tab, desk.url, username)
    expect(tab.locator("header.topbar nav")).not_to_contain_text("账号管理")
    answer = tab.goto(f"{desk.url}/desk/users")
    assert answer.status == 403
    expect(tab.locator("h1")).to_have_text("无权访问")
    expect(tab.locator("body")).not_to_contain_text("judge_yi")  # no account list behind the refusal


# ------------------------------------------------------------------------------------ figures


def show_range(page: Page, start: str, end: str) -> None:
    page.fill("input[name=from]", start)
    page.fill("input[name=to]", end)
    page.click("form.filters button[type=submit]")
    expect(page.locator("p.hint").first).to_contain_text(f"统计 {start} 至 {end}")


def kpi(page: Page, name: str) -> str:
    return page.locator(f"#kpi-{name}").inner_text()


def handlers(page: Page) -> dict[str, list[str]]:
    rows = page.locator("#handlers tbody tr").all()
    cells = [row.locator("td").all_inner_texts() for row in rows]
    return {row[0]: row[1:] for row in cells if len(row) > 1}


def download_rows(page: Page, link: str) -> tuple[str, list[dict[str, str]]]:
    """Click a CSV link; the file's name and its rows as a spreadsheet reads them."""
    with page.expect_download() as info:
        page.click(link)
    download = info.value
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    return download.suggested_filename, list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_figures_follow_the_date_range_and_the_csv_has_its_orders(desk, tab):
    orders = seed_march(desk.store)
    seed_handoffs(desk.store, orders["d"])
    log_in(tab, desk.url, "supervisor")
    tab.goto(f"{desk.url}/desk/figures")
    show_range(tab, *MARCH)
    assert kpi(tab, "total") == "4"
    assert handlers(tab) == {  # role, assigned, open, closed, on-time rate
        "易泽俊": ["法官", "2", "2", "0", "50.0%"],
        "周敏": ["接线员", "1", "0", "1", "100.0%"],
    }
    assert (kpi(tab, "handoffs"), kpi(tab, "wait-median"), kpi(tab, "wait-p90")) == (
        "7",
        "1分30秒",
        "10分00秒",
    )
    assert kpi(tab, "untaken") == "1"
    expect(tab.locator(".kpi", has=tab.locator("#kpi-untaken"))).to_contain_text("无人接入（16.7%）")
    assert kpi(tab, "containment") == "50.0%"
    expect(tab.locator("#containment-source")).to_contain_text("6 个对话")
    expect(tab.locator("#chart-by_day canvas")).to_have_count(1)
    assert no_sideways_scroll(tab)
    tab.wait_for_timeout(600)  # the charts' entry animation
    screenshot(tab, f"desk_figures_{tab.size}")

    name, rows = download_rows(tab, "#orders-csv-link")
    assert name == "workorders_2026-03-01_2026-03-31.csv"
    assert [row["工单编号"] for row in rows] == [orders[x] for x in "abcd"]
    assert [row["承办人"] for row in rows] == ["易泽俊", "易泽俊", "周敏", "接线员池"]
    assert {row["回电号码（脱敏）"] for row in rows} == {"138****5678"}

    show_range(tab, *APRIL)
    assert kpi(tab, "total") == "1"
    assert handlers(tab) == {"周敏": ["接线员", "1", "1", "0", "0.0%"]}  # claimed, never answered, late
    assert (kpi(tab, "handoffs"), kpi(tab, "wait-median"), kpi(tab, "containment")) == ("0", "—", "—")
    name, rows = download_rows(tab, "#orders-csv-link")
    assert name == "workorders_2026-04-01_2026-04-30.csv"
    assert [row["工单编号"] for row in rows] == [orders["e"]]
    assert tab.problems == []


@DESKTOP_ONLY
def test_a_range_the_wrong_way_round_is_explained(desk, tab):
    seed_march(desk.store)
    log_in(tab, desk.url, "clerk")
    tab.click("nav >> text=统计")
    show_range(tab, *MARCH)
    assert kpi(tab, "total") == "4"
    tab.fill("input[name=from]", "2026-03-31")
    tab.fill("input[name=to]", "2026-03-01")
    tab.click("form.filters button[type=submit]")
    expect(tab.locator(".flash-error:not(.calendar-warning)")).to_contain_text("开始日期不晚于结束日期")
    expect(tab.locator(".flash-error:not(.calendar-warning)")).to_contain_text("已显示最近30天")
    assert tab.problems == []


# ------------------------------------------------------------------------- keyboard shortcuts


@DESKTOP_ONLY  # shortcuts are for a keyboard at a desk
def test_keyboard_shortcuts_move_open_reply_and_pick_a_canned_reply(desk, tab):
    for n in range(3):
        create_order(desk.url, summary=f"第{n}件咨询")
    log_in(tab, desk.url, "clerk")
    rows = tab.locator("table.queue tbody tr")
    numbers = rows.locator("td:first-child a").all_inner_texts()
    assert len(numbers) == 3
    current = tab.locator("table.queue tbody tr.row-current")
    expect(current).to_have_count(0)  # nothing is selected until a key is pressed
    tab.keyboard.press("j")
    expect(rows.nth(0)).to_have_class("row-current")
    tab.keyboard.press("j")
    expect(rows.nth(1)).to_have_class("row-current")
    expect(current).to_have_count(1)
    tab.keyboard.press("k")
    tab.keyboard.press("k")  # already at the top: stays there
    expect(rows.nth(0)).to_have_class("row-current")
    for _ in range(5):  # past the end: the last row
        tab.keyboard.press("j")
    expect(rows.nth(2)).to_have_class("row-current")
    tab.keyboard.press("/")
    expect(tab.locator("#queue-search")).to_be_focused()
    tab.keyboard.type("jk")  # typed into the search box, not taken as moves
    expect(tab.locator("#queue-search")).to_have_value("jk")
    expect(rows.nth(2)).to_have_class("row-current")
    tab.locator("#queue-search").blur()
    tab.keyboard.press("Enter")
    expect(tab.locator(".order-head h1")).to_contain_text(numbers[2])

    tab.click("#claim")
    expect(tab.locator(".flash-ok")).to_contain_text("已受理")
    tab.wait_for_load_state()  # desk.js, which owns the shortcuts, runs after the page is shown
    tab.keyboard.press("r")
    expect(tab.locator("#reply-body")).to_be_focused()
    tab.keyboard.type("请于周五前/r补交材料")  # inside the box the keys are text
    expect(tab.locator("#reply-body")).to_have_value("请于周五前/r补交材料")
    expect(tab.locator("#reply-body")).to_be_focused()
    tab.locator("#reply-body").blur()
    tab.keyboard.press("/")
    canned = tab.locator("#reply-form select.canned")
    expect(canned).to_be_focused()
    first = canned.locator("option").nth(1).get_attribute("value")
    tab.keyboard.press("ArrowDown")  # the first canned reply, added below what was typed
    expect(tab.locator("#reply-body")).to_have_value(f"请于周五前/r补交材料\n{first}")
    expect(tab.locator("#reply-body")).to_be_focused()
    assert tab.problems == []


# ------------------------------------------------------------------------------ internal notes


def citizen_lookup(base: str, number: str) -> dict:
    """What the bot reads to the citizen who asks about the order (number and callback phone)."""
    answer = requests.post(
        f"{base}/api/v1/workorders/lookup",
        json={"number": number, "phone": "13812345678"},
        headers=SERVICE,
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_an_internal_note_stays_on_the_desk_and_the_reply_reaches_the_citizen(desk, tab):
    base, fake = desk.url, desk.fake
    number = create_order(base, conversation_id="web-note-1", summary="想咨询执行款什么时候到账")["number"]
    log_in(tab, base, "clerk")
    tab.goto(f"{base}/desk/orders/{number}")
    tab.click("#claim")
    expect(tab.locator(".flash-ok")).to_contain_text("已受理")
    note = "已电话问执行局，款项下周到账，暂勿告知具体日期"
    tab.fill("#note-form input[name=body]", note)
    tab.click("#note-form button[type=submit]")
    expect(tab.locator("#notes")).to_contain_text(note)
    expect(tab.locator("#notes")).to_contain_text("周敏")
    expect(tab.locator("#replies")).to_contain_text("尚未答复")
    assert fake.pushes == []  # nothing went to the citizen's chat
    assert citizen_lookup(base, number)["replies"] == []

    tab.fill("#reply-body", "执行款正在办理，到账后会短信通知您。")
    tab.click("#reply-form button[type=submit]")
    expect(tab.locator(".flash-ok")).to_contain_text("已送达（网页）")
    expect(tab.locator("#replies")).to_contain_text("到账后会短信通知您")
    expect(tab.locator("#replies")).not_to_contain_text(note)
    assert [push["text"] for push in fake.pushes if note in push["text"]] == []
    assert any("到账后会短信通知您" in push["text"] for push in fake.pushes)
    seen = citizen_lookup(base, number)
    assert [reply["body"] for reply in seen["replies"]] == ["执行款正在办理，到账后会短信通知您。"]
    assert note not in str(seen)
    sms = Path(desk.settings.sms_outbox)
    assert note not in (sms.read_text(encoding="utf-8") if sms.exists() else "")

    log_out(tab)
    log_in(tab, base, "supervisor")  # other staff read the note on the order page
    tab.goto(f"{base}/desk/orders/{number}")
    expect(tab.locator("#notes")).to_contain_text(note)
    assert tab.problems == []
