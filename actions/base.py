"""The base of every custom action: a failure still answers the citizen.

Rasa 3.6 drops an action that raises (or an action server that fails) without any reply, which
leaves an anxious citizen looking at silence. Every action here therefore runs its `act` inside a
guard that logs the failure (masked, see kernel/logmask.py) and utters `utter_service_error`, which
offers a work order.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.stash import stash, unstash
from kernel.contracts import CLIENT_METADATA_KEY
from kernel.names import Action as ActionName
from kernel.names import Entity, Intent, Response, Slot
from kernel.nlu.identity import Identity, read_identity
from kernel.nlu.normalize import normalize

logger = logging.getLogger(__name__)

# Plain words that end a form whatever the model made of them ("退出" once got the fee FAQ and the form
# carried on; "不要了" was taken for "no case number").
CANCEL_WORDS = re.compile(
    r"取消|算了|不查了|不找了|不办了|不弄了|不整了|不搞了|拉倒|不用了|不要了|不问了|不需要了|不登记了|不留言了|退出|结束对话|"
    r"我不是要|我不找|我不查|我不要|不想(?:查|找|办|弄|问)|先不(?:查|找|办|弄|提交|登记|留言)|不提交|"
    r"不用(?:再)?(?:查|找|办|弄|问|登记|留言|麻烦)了?|"
    r"(?:下次|改天|以后|回头)再(?:查|问|说|办|弄|来)|再见|拜拜"
)
# A wish to move to another flow inside a cancel ("算了，帮我查下王伟是不是老赖") names that flow; "算了不查了，等
# 法院通知吧" names none, and is an exit whatever intent the classifier guessed.
CHANGE_CUES = {
    Intent.QUERY_CASE_PROGRESS: re.compile(r"进度|进展|到哪|开庭|判决|案子|案件|官司"),
    Intent.QUERY_DISHONEST_DEBTOR: re.compile(r"失信|老赖|限高|限制消费|被执行人|黑名单"),
    Intent.CONTACT_JUDGE: re.compile(r"法官|书记员|法官助理|回电|留言"),
    Intent.REQUEST_HUMAN: re.compile(r"人工|真人|客服|工作人员|接线员"),
    Intent.FILE_COMPLAINT: re.compile(r"投诉|举报|反映|意见|建议"),
}
# "哦不对，我其实就是想知道开庭日子定了没有": no exit, but a move when it names another flow.
MOVE_WORDS = re.compile(r"其实|我是想|我只是想|我就想|我就是想|我想要的是|不是这个|不对，我|不是，我")
# A move asks for something ("帮我查下王伟是不是老赖", "不查了，投诉他"); "不投诉了，怕影响我的案子" names the case
# but asks for nothing, so it is an exit.
WISH = re.compile(
    r"帮我|帮忙|给我|我要|我想|想(?:问|查|知道|了解|找|看)|查|看(?:下|一下|看)|问(?:下|一下|问)|能不能|能否|"
    r"可以|麻烦|请|转|找|投诉|举报|联系"
)
NEGATED = re.compile(r"不(?:再|用|想|要)?(?:查|找|问|办|投诉|举报|联系|转)了?")
# Wishes that move to another flow: inside a form they are declined, so the rules start that flow.
CHANGE_OF_MIND = frozenset(
    {
        Intent.QUERY_CASE_PROGRESS,
        Intent.QUERY_DISHONEST_DEBTOR,
        Intent.CONTACT_JUDGE,
        Intent.REQUEST_HUMAN,
        Intent.FILE_COMPLAINT,
    }
)
# Intents that, inside a form, are a question or wish of their own rather than an answer to the form.
DIGRESSIONS = frozenset(
    {
        Intent.FAQ,
        Intent.LEGAL_ADVICE,
        Intent.OUT_OF_SCOPE,
        Intent.BOT_CHALLENGE,
        Intent.GREET,
        Intent.THANK,
        Intent.GOODBYE,
        Intent.QUERY_CASE_PROGRESS,
        Intent.QUERY_DISHONEST_DEBTOR,
        Intent.CONTACT_JUDGE,
        Intent.REQUEST_HUMAN,
        Intent.FILE_COMPLAINT,
        Intent.DENY,
    }
)


class CourtAction(Action, ABC):
    """Runs `act`; on any exception answers with the service-error message instead of silence."""

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """The action's own work."""

    def on_failure(self, tracker: Tracker) -> list[EventType]:
        """Events to return after a failure; forms override this to stop the form."""
        return []

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception as exc:  # noqa: BLE001 - the whole point is to catch everything
            logger.error("action %s failed: %s", self.name(), type(exc).__name__, exc_info=True)
            dispatcher.messages.clear()
            dispatcher.utter_message(response=Response.SERVICE_ERROR)
            return self.on_failure(tracker)


def _turn(tracker: Tracker) -> str:
    return str(sum(1 for event in tracker.events if event.get("event") == "user"))


def mark_asked(tracker: Tracker) -> None:
    """The validation has asked in its own words this turn: the form's plain question stays silent."""
    stash(tracker.sender_id, "just_asked", _turn(tracker), ttl=600)


def just_asked(tracker: Tracker) -> bool:
    """True in the turn marked by mark_asked (a mark from an earlier turn never silences a question)."""
    return unstash(tracker.sender_id, "just_asked") == _turn(tracker)


class FormValidation(CourtAction, ABC):
    """A form's validation action: a failure stops the form (and says so) instead of looping.

    Whatever it says while the form goes on is a question in its own words ("没有识别到案号…",
    "好的，陈思远。请再提供您的身份证号"): the form's next plain question is then skipped, so the citizen
    never reads the error and the whole prompt twice."""

    def on_failure(self, tracker: Tracker) -> list[EventType]:
        return [SlotSet(Slot.REQUESTED, None)]

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        form_goes_on = events and not any(event.get("event") == "active_loop" for event in events)
        if dispatcher.messages and form_goes_on:
            mark_asked(tracker)
            offer_cancel(dispatcher.messages[-1], self.step_buttons(tracker, events))
        return events

    def step_buttons(self, tracker: Tracker, events: list[EventType]) -> list[dict[str, str]]:
        """Buttons under a question the validation asked in its own words (the step goes on): 取消, so
        leaving a form never needs typing; [] where the next prompt brings its own."""
        return [CANCEL_BUTTON]


#: Sent as the word a citizen would type: CANCEL_WORDS ends any form, whatever the model makes of it.
CANCEL_BUTTON = {"title": "取消", "payload": "取消"}


def offer_cancel(message: dict[str, Any], buttons: list[dict[str, str]]) -> None:
    """Add `buttons` to a plain text message that has none (a response template keeps its own)."""
    if buttons and message.get("text") and not message.get("response") and not message.get("buttons"):
        message["buttons"] = list(buttons)


class AskSlot(CourtAction, ABC):
    """`action_ask_<slot>`: the form's plain question (`utter_ask_<slot>`), unless just asked otherwise."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot asked for (a class attribute in each subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        if just_asked(tracker):
            return []
        if (
            latest_intent(tracker) in DIGRESSIONS
            and self.slot in REASK
            and asked_before(tracker, self.name())
        ):
            dispatcher.utter_message(
                text=REASK[self.slot], buttons=[CANCEL_BUTTON]
            )  # after an aside: one short line, not the prompt
        else:
            dispatcher.utter_message(response=f"utter_ask_{self.slot}")
        return []


# The step asked again in one line after the form answered an aside (a FAQ, a question to the bot).
REASK = {
    Slot.CP_CASE_NUMBER: "请接着告诉我您的案号，例如（2024）京03民终1234号。",
    Slot.CP_IDENTITY: "请接着提供您的姓名和证件号码。",
    Slot.DEBTOR_NAME: "请接着告诉我要查询的被执行人姓名或单位全称。",
    Slot.DEBTOR_IDENTITY: "请接着提供对方的身份证号或统一社会信用代码。",
    Slot.WO_NAME: "请接着告诉我您的姓名。",
    Slot.WO_PHONE: "请接着留一个能接电话的手机号。",
    Slot.WO_SUMMARY: "请接着用一两句话说明情况。",
}


def asked_before(tracker: Tracker, action_name: str) -> bool:
    """The form ran this ask in an earlier turn (the citizen has seen the whole prompt once)."""
    events = list(tracker.events)
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=-1)
    return any(e.get("event") == "action" and e.get("name") == action_name for e in events[:last_user])


# Words that end the whole visit, not just a step: the verified party's access ends with them.
EXIT_WORDS = re.compile(r"退出|结束对话|结束咨询|不聊了|我走了")


def end_of_grant() -> list[EventType]:
    """Forget the verified case: a grant covers one case, in one visit, for the person who verified."""
    return [SlotSet(Slot.VERIFIED_CASE, None), SlotSet(Slot.CP_TOKEN, None)]


def leave_form(dispatcher: CollectingDispatcher, slots: tuple[str, ...], text: str = "") -> list[EventType]:
    """The citizen said they want to stop: end the form, forget what it collected, offer the menu
    (and, on 退出, the verified case too)."""
    dispatcher.utter_message(response=Response.CANCELLED)
    events = [ActiveLoop(None), SlotSet(Slot.REQUESTED, None)] + [SlotSet(s, None) for s in slots]
    return events + (end_of_grant() if EXIT_WORDS.search(text) else [])


def exit_or_move(
    dispatcher: CollectingDispatcher, tracker: Tracker, own: str, slots: tuple[str, ...]
) -> list[EventType] | None:
    """Events for a message that leaves the form, or None when it does not.

    "我不查进度了，我要投诉法官" moves to the complaint (declined here, [] , so the rules start it);
    "不查了" / "退出" / "算了" end the form."""
    text = latest_text(tracker)
    cancel, move = CANCEL_WORDS.search(text), MOVE_WORDS.search(text)
    if not tracker.get_slot(Slot.REQUESTED) or not (cancel or move) or started_this_turn(tracker):
        return None
    intent = latest_intent(tracker)
    if (
        intent in CHANGE_OF_MIND - {own}
        and CHANGE_CUES[intent].search(text)
        and WISH.search(NEGATED.sub("", text))
    ):
        return []
    return leave_form(dispatcher, slots, text) if cancel else None


def started_this_turn(tracker: Tracker) -> bool:
    """The form was started by the latest message ("算了，你直接帮我联系执行法官吧"): its 算了 is no exit."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name"):
            return True
        if event.get("event") == "action" and event.get("name") == ActionName.START_WORKORDER:
            return True
    return False


def latest_entities(tracker: Tracker, name: str) -> list[dict[str, Any]]:
    """Entities of the latest user message with that name, in message order."""
    entities = tracker.latest_message.get("entities") or []
    return [e for e in entities if e.get("entity") == name]


def latest_entity_value(tracker: Tracker, name: str) -> str | None:
    found = latest_entities(tracker, name)
    return str(found[0]["value"]) if found else None


def latest_text(tracker: Tracker) -> str:
    return str(tracker.latest_message.get("text") or "")


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def identity_of(tracker: Tracker) -> Identity:
    """Who the latest message says is asking, read by the deterministic identity reader.

    The statistical name tagger only helps when the reader found no name and no identifier was given, and
    only with a span that stands whole in the message: it never shortens what the citizen wrote."""
    text = latest_text(tracker)
    who = read_identity(text)
    if who.name or who.kind:
        return who
    tagged = latest_entity_value(tracker, Entity.PERSON_NAME) or latest_entity_value(tracker, Entity.ORG_NAME)
    if tagged and re.search(rf"(?<![\u4e00-\u9fa5]){re.escape(tagged)}(?![\u4e00-\u9fa5])", normalize(text)):
        return Identity(tagged, None, None, latest_entity_value(tracker, Entity.ORG_NAME) == tagged)
    return who


def client_of(tracker: Tracker) -> str | None:
    """The channel's key of the client the latest message came from (never set by the caller)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            value = (event.get("metadata") or {}).get(CLIENT_METADATA_KEY)
            return value if isinstance(value, str) and value else None
    return None
