"""Plays a written conversation through the web chat page in headless Chromium, as a citizen on a phone would.

The same conversations and the same effect checks as `runner.py` (an SMS code on the party's phone, progress
shown, a work order stored as typed), but every turn is typed into the page's text box or tapped as a button
on the page, and the answers are read from the page.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import Page, expect

from tests.conversations.runner import Outcome, Player, play_with

QUIET_SECONDS = 1.5  # a turn's answer is complete when no new bot message came for this long


class WebPlayer(Player):
    def __init__(self, stack, page: Page) -> None:
        page.goto(stack.urls["rasa"] + "/webhooks/webchat/")
        expect(page.locator("#status")).to_have_class("status ok", timeout=30_000)
        session = page.evaluate("JSON.parse(localStorage.getItem('court-webchat-session')).session_id")
        super().__init__(stack, session)
        self.page, self.sender = page, session  # the page's conversation id is Rasa's sender id

    def _bots(self):
        return self.page.locator("#messages .msg-bot")

    def _answer_after(self, act) -> str:
        before = self._bots().count()
        act()
        deadline = time.monotonic() + 60
        while self._bots().count() == before and time.monotonic() < deadline:
            time.sleep(0.1)
        seen, quiet_since = self._bots().count(), time.monotonic()
        while time.monotonic() - quiet_since < QUIET_SECONDS and time.monotonic() < deadline:
            time.sleep(0.1)
            if self._bots().count() != seen:
                seen, quiet_since = self._bots().count(), time.monotonic()
        new = [self._bots().nth(i) for i in range(before, seen)]
        said = "\n".join(m.locator(".bubble").inner_text() for m in new)
        self.replies.append(said)
        return said

    def send(self, text: str) -> str:
        def typed() -> None:
            self.page.fill("#input", text)
            self.page.press("#input", "Enter")

        return self._answer_after(typed)

    def turn(self, turn: Any, sms_before: int) -> tuple[str, str]:
        if isinstance(turn, dict) and "tap" in turn:
            wanted = str(turn["tap"])
            button = self._bots().last.get_by_role("button").filter(has_text=wanted).first
            return f"[{wanted}]", self._answer_after(button.click)
        text = self.typed(str(turn), sms_before)
        return text, self.send(text)


def play_in_page(stack, page: Page, conversation: dict[str, Any]) -> Outcome:
    return play_with(WebPlayer(stack, page), conversation)
