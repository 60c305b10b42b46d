"""The FAQ answer and the session start in the Rasa process: no action-server round trip for the most
frequent turn, nor for the first of every conversation.

An FAQ answer is a response from domain.yml with this court's figures filled in (kernel/court.yml or the
file COURT_SETTINGS names) and, for the 常见问题 button, the ten topics as buttons; a session start is the
welcome with those figures and the slots kernel/session.py carries over. Nothing the action server knows
that this process does not. Called remotely, each cost the Rasa server a request with the whole tracker and
domain, its validation and a second process's CPU on the same two cores; profiled under 64 concurrent FAQ
conversations the FAQ call was 13 % of the server's event loop, and with it local the session start's
call and validation were 6 % at 16 concurrent (docs/benchmarks.md).

`install()` makes Rasa resolve `action_answer_faq` and `action_session_start` to these (kernel/faq.py and
kernel/session.py decide, the same functions the action server's ActionAnswerFaq and ActionSessionStart
use); every other custom action stays remote.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any

from kernel.court import load_court_settings
from kernel.faq import faq_answer
from kernel.names import Action as ActionName
from kernel.names import Response
from kernel.session import carried_over


@dataclass(frozen=True)
class LocalActionSettings:
    """The Rasa process's own settings for the answers it makes."""

    court_settings: str = ""  # empty: kernel/court.yml

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LocalActionSettings:
        return cls(court_settings=env.get("COURT_SETTINGS", "").strip())


def local_answer_faq(court: Mapping[str, str]) -> Any:
    """A Rasa `Action` answering FAQs with `court`'s figures (a factory: rasa is imported only when used)."""
    from rasa.core.actions.action import Action, create_bot_utterance

    class LocalAnswerFaq(Action):
        def name(self) -> str:
            return ActionName.ANSWER_FAQ

        async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
            response, buttons = faq_answer(tracker.latest_message.parse_data)
            draft = await nlg.generate(response, tracker, output_channel.name(), **court)
            if not draft:
                return []
            draft["utter_action"] = response
            if buttons:
                draft["buttons"] = [*(draft.get("buttons") or []), *buttons]
            return [create_bot_utterance(draft)]

    return LocalAnswerFaq()


def local_session_start(court: Mapping[str, str]) -> Any:
    """A Rasa `Action` starting a session as the action server's ActionSessionStart does: the welcome
    (its `utter_action` marks it, actions/core.py `welcomed_this_turn`), SessionStarted, the carried-over
    slots, action_listen, in the order a remote action's answer gives them."""
    from rasa.core.actions.action import Action, create_bot_utterance
    from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

    class LocalSessionStart(Action):
        def name(self) -> str:
            return ActionName.SESSION_START

        async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
            draft = await nlg.generate(Response.WELCOME, tracker, output_channel.name(), **court)
            said = []
            if draft:
                draft["utter_action"] = Response.WELCOME
                said.append(create_bot_utterance(draft))
            kept = [SlotSet(name, value) for name, value in carried_over(tracker.get_slot).items()]
            return [*said, SessionStarted(), *kept, ActionExecuted("action_listen")]

    return LocalSessionStart()


def local_actions(court: Mapping[str, str]) -> dict[str, Any]:
    """The actions this process runs itself, by name."""
    return {a.name(): a for a in (local_answer_faq(court), local_session_start(court))}


def resolving_locally(original: Any, local: Mapping[str, Any]) -> Any:
    """`action_for_name_or_text` with a local action for its name (when the domain declares it)."""

    @wraps(original)
    def action_for_name_or_text(name: str, domain: Any, action_endpoint: Any) -> Any:
        if name in local and name in domain.action_names_or_texts:
            return local[name]
        return original(name, domain, action_endpoint)

    action_for_name_or_text.__wrapped__ = original
    return action_for_name_or_text


def install(env: Mapping[str, str] | None = None) -> None:
    """Once per Rasa process (bot/cli.py). The court's figures are read here, at start-up."""
    from rasa.core.actions import action

    settings = LocalActionSettings.from_env(os.environ if env is None else env)
    local = local_actions(load_court_settings(settings.court_settings))
    current = action.action_for_name_or_text
    action.action_for_name_or_text = resolving_locally(getattr(current, "__wrapped__", current), local)
