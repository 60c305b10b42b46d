"""What the desk's browser tests share: the desk served on loopback beside a fake Rasa process, a Chromium tab
(Debian's, through Playwright) at a desktop or a phone size, logging in, creating orders through the service
API, and where screenshots go.

The tests themselves are tests/desk/test_browser*.py (marked `browser`); the `tab` fixture is in conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import requests
from playwright.sync_api import Page, expect, sync_playwright

from services.desk.app import create_app
from services.desk.db.engine import make_engine
from services.desk.service.orders import DeskStore
from services.desk.settings import DeskSettings
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.desk.conftest import API_TOKEN, FAST_HASHER, PASSWORD, make_settings
from tests.desk.fakes import PUSH_TOKEN, RASA_TOKEN, FakeRasa, Served
from tests.desk.helpers import order_payload

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# SCREENSHOTS_DIR=docs/screenshots refreshes the ones in the docs (a test run never rewrites committed files)
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or "/tmp/court-screenshots")
# Records what the page asks of the speaker and of desktop notifications (headless Chromium has neither).
RECORDERS = """
window.__beeps = 0; window.__notes = [];
window.AudioContext = class { constructor() { this.state = "running"; this.currentTime = 0; this.destination = {}; }
  createOscillator() { window.__beeps += 1; return { frequency: {}, connect: (g) => g, start() {}, stop() {} }; }
  createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (d) => d }; } };
window.Notification = class { constructor(title, options) { window.__notes.push({ title, body: options.body }); } };
window.Notification.permission = "granted";
window.Notification.requestPermission = async () => "granted";
"""


def browser_settings(tmp_path, rasa_url: str, **extra) -> DeskSettings:
    """The desk's settings for a browser test: SQLite in tmp_path, a fake Rasa at `rasa_url`, no court data."""
    return make_settings(
        tmp_path,
        database_url=f"sqlite:///{tmp_path / 'desk.db'}",
        rasa_url=rasa_url,
        rasa_token=RASA_TOKEN,
        channel_push_token=PUSH_TOKEN,
        **extra,
    )


class LoopbackDesk(NamedTuple):
    url: str
    fake: FakeRasa
    store: DeskStore
    settings: DeskSettings


@contextmanager
def desk_on_loopback(tmp_path, **extra) -> Iterator[LoopbackDesk]:
    """The desk app on a loopback port (settings `extra` on top of browser_settings), with a fake Rasa
    process for pushes and trackers, and the store it writes (the demo staff seeded)."""
    fake = FakeRasa()
    with Served(fake.app()) as rasa:
        fake.url = rasa.url
        settings = browser_settings(tmp_path, rasa.url, **extra)
        store = DeskStore.open(settings, engine=make_engine(settings.database_url), hasher=FAST_HASHER)
        with Served(create_app(settings, store)) as desk:
            yield LoopbackDesk(desk.url, fake, store, settings)
        store.engine.dispose()


@contextmanager
def chromium_tab(viewport: dict[str, int], init_script: str | None = None) -> Iterator[Page]:
    """A headless Chromium tab at `viewport`, its console errors and page errors in `tab.problems`."""
    require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        if init_script:
            context.add_init_script(init_script)
        tab = context.new_page()
        problems: list[str] = []
        tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        tab.on("pageerror", lambda exc: problems.append(str(exc)))
        tab.problems = problems
        yield tab
        browser.close()


def create_order(base: str, **overrides) -> dict:
    """A work order created through the service API, as the action server does."""
    answer = requests.post(
        f"{base}/api/v1/workorders", json=order_payload(**overrides), headers=SERVICE, timeout=5
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def log_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/desk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("工单队列")
    page.wait_for_load_state()  # the queue's scripts (shortcuts, polling) are wired, not only its table shown


def log_out(page: Page) -> None:
    page.click("form[action='/desk/logout'] button")
    expect(page.locator("input[name=username]")).to_be_visible()


def screenshot(page: Page, name: str) -> None:
    """docs/screenshots/<name>.png when SCREENSHOTS_DIR says so, else /tmp/court-screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
