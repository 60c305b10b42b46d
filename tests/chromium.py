"""Debian's Chromium for the browser tests (desk, web chat, the full loop), driven by Playwright."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium() -> None:
    """Fail (not skip) a browser test on a machine without it: a skipped browser tier looks like a pass."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            "Debian's chromium is missing: run scripts/ensure_system_packages.sh (apt-get install -y chromium)"
        )


def sync_browser():
    """A launched Chromium for a sync Playwright test (a generator: the fixture yields it, then closes it)."""
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
