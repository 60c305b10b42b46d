"""When the action server is down or slow, the citizen still gets an answer within seconds.

Rasa 3.6 calls a custom action with a five-minute timeout (rasa.core.constants.DEFAULT_REQUEST_TIMEOUT)
and, when the call fails, logs an error and predicts `action_listen`: the citizen sees nothing, and on a
slow action server waits minutes while the conversation's lock is held. `install()` wraps
`RemoteAction.run` in the Rasa process so that a call which fails or takes longer than
ACTION_TIMEOUT_SECONDS (default 4.0) ends the turn with `utter_action_unavailable` (a short Chinese
message naming 12368) and a follow-up `action_listen`; the tracker keeps its active form, so the next
message continues where the citizen was. Within a form, the slot being asked is cleared (its value was
never validated) and every further custom action of the same turn (the form's ask action, say) is skipped
at once: the citizen waits for one timeout, not two, and is asked the same question again next time. A 400 rejection (`ActionExecutionRejection`, how forms hand a
turn back to the policies) is not a failure and passes through unchanged.

Every failure logs one line starting with ACTION_SERVER_UNAVAILABLE for the operator's alerting. Work
orders stay idempotent across the retry (actions/workorder.py fixes the key when the form starts), so an
action that finished after the timeout and the citizen's retry give one order, not two.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kernel.names import ACTION_LISTEN, RETRY_SLOTS, Intent, Response

logger = logging.getLogger(__name__)

TIMEOUT_ENV = "ACTION_TIMEOUT_SECONDS"
DEFAULT_TIMEOUT = 4.0
RESPONSE = Response.ACTION_UNAVAILABLE
FALLBACK_TEXT = "抱歉，系统暂时繁忙，没能办好这一步。请过一会儿再发一次；着急的话请拨打 12368 诉讼服务热线。"
ALERT = "ACTION_SERVER_UNAVAILABLE"


@dataclass(frozen=True)
class ResilienceSettings:
    """How long the Rasa server waits for one custom action before answering the citizen itself."""

    action_timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ResilienceSettings:
        env = os.environ if env is None else env
        raw = (env.get(TIMEOUT_ENV) or "").strip()
        if not raw:
            return cls()
        try:
            value = float(raw)
        except ValueError:
            raise ValueError(f"{TIMEOUT_ENV} must be a number of seconds, got {raw!r}") from None
        if not 0.5 <= value <= 60:
            raise ValueError(f"{TIMEOUT_ENV} must be between 0.5 and 60 seconds, got {raw!r}")
        return cls(action_timeout=value)


async def unavailable_events(nlg: Any, tracker: Any, output_channel: Any, action: str = "") -> list[Any]:
    """The citizen's answer for a failed action: the domain's response (or a built-in text), then listen.

    When the action leaves something to resend (a confirmed work order: kernel.names.RETRY_SLOTS), its
    retry slot is set and a 重新提交 button offered: one tap submits it again under the same key."""
    from rasa.shared.core.events import BotUttered, FollowupAction, SlotSet

    try:
        draft = await nlg.generate(RESPONSE, tracker, output_channel.name())
    except Exception:  # noqa: BLE001 - a broken NLG must not cost the citizen the answer too
        draft = None
    draft = dict(draft or {"text": FALLBACK_TEXT})
    text = draft.pop("text", None) or FALLBACK_TEXT
    data = {k: v for k, v in draft.items() if k in ("buttons", "quick_replies", "custom") and v}
    retry = RETRY_SLOTS.get(action)
    if retry:
        data["buttons"] = [{"title": "重新提交", "payload": f"/{Intent.AFFIRM}"}, *data.get("buttons", [])]
    events: list[Any] = [BotUttered(text, data, {"utter_action": RESPONSE})]
    if retry:
        events.append(SlotSet(retry, True))
    return [*events, FollowupAction(ACTION_LISTEN)]


class FailedTurns:
    """The turns (conversation, last user message) in which an action already failed, newest kept."""

    def __init__(self, size: int = 10_000) -> None:
        self._turns: OrderedDict[str, str] = OrderedDict()
        self._size = size

    @staticmethod
    def key(tracker: Any) -> tuple[str, str]:
        """A turn is the conversation's latest user message (its id; its position when it has none)."""
        message = tracker.latest_message
        turn = message.message_id if message is not None and message.message_id else ""
        if not turn:
            turn = "#" + str(sum(1 for event in tracker.events if getattr(event, "type_name", "") == "user"))
        return tracker.sender_id, turn

    def failed(self, tracker: Any) -> bool:
        sender, turn = self.key(tracker)
        return self._turns.get(sender) == turn

    def mark(self, tracker: Any) -> None:
        sender, turn = self.key(tracker)
        self._turns[sender] = turn
        self._turns.move_to_end(sender)
        while len(self._turns) > self._size:
            self._turns.popitem(last=False)


def reset_events(tracker: Any) -> list[Any]:
    """Inside a form: forget the unvalidated value of the slot being asked, so it is asked again."""
    from rasa.shared.core.events import SlotSet

    slot = tracker.get_slot("requested_slot") if tracker.active_loop_name else None
    return [SlotSet(slot, None)] if slot else []


def guarded_run(original: Any, settings: ResilienceSettings, turns: FailedTurns | None = None) -> Any:
    """`RemoteAction.run` bounded by the timeout, answering the citizen when the call fails."""
    from rasa.core.actions.action import ActionExecutionRejection

    turns = turns or FailedTurns()

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list[Any]:
        if turns.failed(tracker):  # the citizen has been told already; do not make them wait again
            logger.warning("%s action=%s reason=skipped-after-failure", ALERT, self.name())
            return reset_events(tracker)
        started = time.monotonic()
        try:
            return await asyncio.wait_for(
                original(self, output_channel, nlg, tracker, domain), timeout=settings.action_timeout
            )
        except ActionExecutionRejection:
            raise
        except Exception as exc:  # noqa: BLE001 - connection refused, 5xx, timeout, malformed answer
            reason = "timeout" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
            logger.error(
                "%s action=%s reason=%s after=%.1fs",
                ALERT,
                self.name(),
                reason,
                time.monotonic() - started,
            )
            turns.mark(tracker)
            answer = await unavailable_events(nlg, tracker, output_channel, self.name())
            return [*answer, *reset_events(tracker)]

    run.__wrapped__ = original  # type: ignore[attr-defined]
    return run


def install(settings: ResilienceSettings | None = None) -> None:
    """Wrap RemoteAction.run once per process (the Rasa server's start, bot/cli.py)."""
    from rasa.core.actions.action import RemoteAction

    current = RemoteAction.run
    original = getattr(current, "__wrapped__", current)
    RemoteAction.run = guarded_run(original, settings or ResilienceSettings.from_env())
