"""The Rasa process answers FAQs and starts sessions itself (bot/local_actions.py): the same answers as the
action server's, filled with this court's figures, without a request to the action server."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.local_actions import (
    LocalActionSettings,
    install,
    local_actions,
    local_answer_faq,
    local_session_start,
    resolving_locally,
)
from kernel.court import load_court_settings
from kernel.faq import FAQ_BUTTONS
from kernel.names import Action, Response, Slot

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = Domain.from_path(str(ROOT / "domain.yml"))


def _tracker(parse_data: dict) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "rest:faq", [UserUttered(parse_data.get("text", ""), parse_data=parse_data)]
    )


def _faq(key: str) -> dict:
    return {
        "text": "问一下",
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{key}"}}},
    }


async def _run(parse_data: dict, court: dict | None = None) -> list:
    action = local_answer_faq(court if court is not None else load_court_settings(""))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    return await action.run(CollectingOutputChannel(), nlg, _tracker(parse_data), DOMAIN)


@pytest.mark.parametrize("key", sorted(FAQ_BUTTONS))
async def test_every_faq_key_is_answered_with_the_courts_figures(key):
    [utterance] = await _run(_faq(key))
    assert utterance.text and "{" not in utterance.text  # every placeholder filled from kernel/court.yml
    assert utterance.data.get("buttons")  # next steps, never a dead end


async def test_the_answer_carries_this_courts_own_figures():
    court = {**load_court_settings(""), "court_short": "测试区法院"}
    [utterance] = await _run(_faq("litigation_fee"), court)
    assert "测试区法院" in utterance.text


async def test_the_faq_button_without_a_key_offers_the_ten_topics():
    [utterance] = await _run({"text": "/faq", "intent": {"name": "faq", "confidence": 1.0}})
    payloads = [b["payload"] for b in utterance.data["buttons"]]
    assert [q for _, q in FAQ_BUTTONS.values()] == payloads[-len(FAQ_BUTTONS) :]


def test_only_the_faq_answer_and_the_session_start_are_resolved_locally():
    local = local_actions(load_court_settings(""))
    calls: list[str] = []

    def remote(name, domain, endpoint):
        calls.append(name)
        return "remote"

    resolve = resolving_locally(remote, local)
    assert resolve(Action.ANSWER_FAQ, DOMAIN, None) is local[Action.ANSWER_FAQ]
    assert resolve(Action.SESSION_START, DOMAIN, None) is local[Action.SESSION_START]
    assert resolve("action_start_workorder", DOMAIN, None) == "remote" and calls == ["action_start_workorder"]


async def _start(events: list, court: dict | None = None) -> list:
    action = local_session_start(court if court is not None else load_court_settings(""))
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    tracker = DialogueStateTracker.from_events("rest:s", events, DOMAIN.slots)
    return await action.run(CollectingOutputChannel(), nlg, tracker, DOMAIN)


async def test_a_new_session_is_welcomed_with_this_courts_name_and_the_menu():
    court = {**load_court_settings(""), "court_short": "测试区法院"}
    welcome, started, listen = await _start([], court)
    assert isinstance(welcome, BotUttered) and "测试区法院" in welcome.text and "{" not in welcome.text
    assert welcome.data.get("buttons") and welcome.metadata.get("utter_action") == Response.WELCOME
    assert isinstance(started, SessionStarted)
    assert isinstance(listen, ActionExecuted) and listen.action_name == "action_listen"


async def test_a_new_session_keeps_the_order_to_supplement_and_forgets_the_verification():
    earlier = [
        SlotSet(Slot.SUPPLEMENT_ORDER, "GD20261201-0001"),
        SlotSet(Slot.VERIFIED_CASE, "(2026)京0105民初8848号"),
        SlotSet(Slot.VERIFIED_PARTY, "陈思远"),
    ]
    events = await _start(earlier)
    kept = {e.key: e.value for e in events if isinstance(e, SlotSet)}
    assert kept == {Slot.SUPPLEMENT_ORDER: "GD20261201-0001"}
    assert [type(e) for e in events] == [BotUttered, SessionStarted, SlotSet, ActionExecuted]


def test_install_makes_rasa_resolve_the_faq_action_in_process(monkeypatch):
    from rasa.core.actions import action

    monkeypatch.setattr(action, "action_for_name_or_text", action.action_for_name_or_text)
    install({"COURT_SETTINGS": ""})
    for name in (Action.ANSWER_FAQ, Action.SESSION_START):
        resolved = action.action_for_name_or_text(name, DOMAIN, None)
        assert not isinstance(resolved, action.RemoteAction) and resolved.name() == name
    assert isinstance(
        action.action_for_name_or_text("action_start_workorder", DOMAIN, None), action.RemoteAction
    )


def test_settings_come_from_the_environment():
    assert (
        LocalActionSettings.from_env({"COURT_SETTINGS": " /etc/court.yml "}).court_settings
        == "/etc/court.yml"
    )
    assert LocalActionSettings.from_env({}).court_settings == ""
