"""bot/resilience.py against a real HTTP action server that answers, stalls, fails or is not there.

What a citizen would notice: an answer naming 12368 within the timeout instead of silence, the form still
active afterwards, and a working answer passed through untouched.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, FollowupAction, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import resilience
from bot.resilience import ALERT, ResilienceSettings
from tests.stack import free_port

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = Domain.load(str(ROOT / "domain.yml"))
MODE = web.AppKey("mode", str)


async def answer(request: web.Request) -> web.Response:
    mode = request.app[MODE]
    if mode == "slow":
        await asyncio.sleep(10)
    if mode == "500":
        return web.json_response({"error": "boom"}, status=500)
    if mode == "reject":
        return web.json_response({"action_name": "validate_x", "error": "not this turn"}, status=400)
    return web.json_response(
        {
            "events": [{"event": "slot", "name": "requested_slot", "value": None}],
            "responses": [{"text": "好的，已查到。"}],
        }
    )


@pytest.fixture
async def action_server():
    app = web.Application()
    app[MODE] = "ok"
    app.router.add_post("/webhook", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield app, f"http://127.0.0.1:{port}/webhook"
    await runner.cleanup()


@pytest.fixture
def guarded(monkeypatch):
    """The real RemoteAction.run, wrapped with a short timeout; restored after the test."""
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    resilience.install(ResilienceSettings(action_timeout=0.8))


def in_a_form() -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events("citizen-1", [ActiveLoop("case_progress_form")], DOMAIN.slots)
    return tracker


async def run(url: str, tracker: DialogueStateTracker | None = None) -> list:
    action = RemoteAction("action_query_case_progress", EndpointConfig(url))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker or in_a_form(), DOMAIN)


def assert_told_to_retry_or_call(events: list) -> None:
    uttered = [e for e in events if isinstance(e, BotUttered)]
    assert len(uttered) == 1 and "12368" in (uttered[0].text or "")
    assert FollowupAction("action_listen") in events
    assert not [e for e in events if isinstance(e, ActiveLoop)]  # the form stays active for the next message


@pytest.mark.parametrize("mode", ["down", "500"])
async def test_a_failed_action_answers_the_citizen(guarded, action_server, mode, caplog):
    app, url = action_server
    app[MODE] = mode
    if mode == "down":
        url = f"http://127.0.0.1:{free_port()}/webhook"  # nothing listens there
    with caplog.at_level(logging.ERROR, logger="bot.resilience"):
        events = await run(url)
    assert_told_to_retry_or_call(events)
    assert any(r.getMessage().startswith(ALERT) for r in caplog.records)


async def test_a_slow_action_is_answered_within_the_timeout(guarded, action_server):
    app, url = action_server
    app[MODE] = "slow"
    started = time.monotonic()
    events = await run(url)
    assert time.monotonic() - started < 2.0  # the action server would take 10 s
    assert_told_to_retry_or_call(events)


async def test_a_working_action_is_passed_through(guarded, action_server):
    _, url = action_server
    events = await run(url)
    assert [e.text for e in events if isinstance(e, BotUttered)] == ["好的，已查到。"]
    assert SlotSet("requested_slot", None) in events and FollowupAction("action_listen") not in events


async def test_a_form_rejection_is_not_a_failure(guarded, action_server):
    app, url = action_server
    app[MODE] = "reject"
    with pytest.raises(ActionExecutionRejection):
        await run(url)


def test_installing_twice_wraps_once(monkeypatch):
    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    original = RemoteAction.run
    resilience.install(ResilienceSettings(action_timeout=1))
    resilience.install(ResilienceSettings(action_timeout=2))
    assert RemoteAction.run.__wrapped__ is original


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("", 4.0), ("3", 3.0), (" 2.5 ", 2.5), ("abc", ValueError), ("0.1", ValueError), ("600", ValueError)],
)
def test_the_timeout_comes_from_the_environment(raw, expected):
    env = {"ACTION_TIMEOUT_SECONDS": raw}
    if expected is ValueError:
        with pytest.raises(ValueError, match="ACTION_TIMEOUT_SECONDS"):
            ResilienceSettings.from_env(env)
    else:
        assert ResilienceSettings.from_env(env).action_timeout == expected


async def test_after_a_failure_the_rest_of_the_turn_is_skipped_and_the_asked_slot_cleared(
    guarded, action_server
):
    """The form's validation failed: its ask action must not make the citizen wait a second timeout."""
    app, url = action_server
    app[MODE] = "slow"
    tracker = in_a_form()
    tracker.update(SlotSet("requested_slot", "cp_case_number"))
    tracker.update(UserUttered("（2026）京0105民初8848号", message_id="m-1"))
    tracker.update(SlotSet("cp_case_number", "（2026）京0105民初8848号"))  # extracted, not yet validated
    first = await run(url, tracker)
    assert SlotSet("cp_case_number", None) in first
    started = time.monotonic()
    second = await run(url, tracker)  # e.g. action_ask_cp_case_number in the same turn
    assert time.monotonic() - started < 0.2
    assert not [e for e in second if isinstance(e, BotUttered)] and SlotSet("cp_case_number", None) in second
    tracker.update(UserUttered("（2026）京0105民初8848号", message_id="m-2"))  # the citizen's next message
    app[MODE] = "ok"
    assert [e.text for e in await run(url, tracker) if isinstance(e, BotUttered)] == ["好的，已查到。"]


async def test_a_failed_submission_can_be_resent_with_one_tap(guarded, action_server):
    """The Rasa server could not reach action_submit_workorder: 重新提交 (affirm) will submit it again."""
    app, url = action_server
    app[MODE] = "500"
    action = RemoteAction("action_submit_workorder", EndpointConfig(url))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    tracker = DialogueStateTracker.from_events("citizen-2", [], DOMAIN.slots)
    events = await action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN)
    [uttered] = [e for e in events if isinstance(e, BotUttered)]
    assert [b["payload"] for b in uttered.data["buttons"]] == ["/affirm"]
    assert SlotSet("wo_retry", True) in events
