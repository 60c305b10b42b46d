"""Actions of the basic dialogue: session start, FAQ answers, clarification, cancel."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, FollowupAction, SessionStarted, SlotSet

from actions.base import EXIT_WORDS, CourtAction, end_of_grant, latest_entity_value, latest_intent
from actions.settings import court_info
from kernel.faq import FAQ_BUTTONS, faq_answer, faq_key
from kernel.names import INTENT_LABELS, Action, Entity, Intent, Response, Slot
from kernel.session import carried_over

# Slots a cancelled form leaves empty again (verification survives: it is cleared by the session's end).
FORM_SLOTS = (
    Slot.CP_CASE_NUMBER,
    Slot.CP_IDENTITY,
    Slot.CP_CODE,
    Slot.CP_NAME,
    Slot.CP_VERIFICATION,
    Slot.DEBTOR_NAME,
    Slot.DEBTOR_IDENTITY,
    Slot.WO_KIND,
    Slot.WO_CASE_NUMBER,
    Slot.WO_NAME,
    Slot.WO_PHONE,
    Slot.WO_SUMMARY,
    Slot.WO_CONFIRM,
)
FAILED_TURNS_BEFORE_HUMAN = 2
MENU = [
    {"title": "查案件进度", "payload": f"/{Intent.QUERY_CASE_PROGRESS}"},
    {"title": "查失信名单", "payload": f"/{Intent.QUERY_DISHONEST_DEBTOR}"},
    {"title": "联系法官", "payload": f"/{Intent.CONTACT_JUDGE}"},
    {"title": "转人工", "payload": f"/{Intent.REQUEST_HUMAN}"},
]


class ActionSessionStart(CourtAction):
    """A new session greets with what the assistant can do and the privacy notice; it keeps only what
    kernel/session.py carries over. The Rasa process started by bot/cli.py runs its own copy
    (bot/local_actions.py); this one serves a Rasa server started without it."""

    def name(self) -> str:
        return Action.SESSION_START

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response=Response.WELCOME, **court_info())
        kept = [SlotSet(name, value) for name, value in carried_over(tracker.get_slot).items()]
        return [SessionStarted(), *kept, ActionExecuted("action_listen")]


class ActionGreet(CourtAction):
    """“你好”: a greeting, unless the session's welcome (with its menu) was just shown for this message."""

    def name(self) -> str:
        return Action.GREET

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        if not welcomed_this_turn(tracker.events):
            dispatcher.utter_message(response=Response.GREET)
        return []


def welcomed_this_turn(events: list[dict[str, Any]]) -> bool:
    """True when the welcome was uttered after the previous user message (a session that just began)."""
    users = 0
    for event in reversed(events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return False
        elif (
            event.get("event") == "bot"
            and (event.get("metadata") or {}).get("utter_action") == Response.WELCOME
        ):
            return True
    return False


# Frustration is not a question to route: it gets an apology and a person, never "好的。".
FRUSTRATED = re.compile(
    r"到底管不管|管不管|没人管|没人理|怎么回事|太慢了?|效率太?低|气死|踢皮球|推来推去|不管用|有没有人|"
    r"等了?(?:好|很)?久|到底|凭什么|受不了|太过分"
)


class ActionAnythingElse(CourtAction):
    """A yes, a no or an aside outside any form: the menu, or an apology and a person when it is frustration."""

    def name(self) -> str:
        return Action.ANYTHING_ELSE

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        if EXIT_WORDS.search(str(tracker.latest_message.get("text") or "")):
            dispatcher.utter_message(response=Response.GOODBYE)
            return end_of_grant()
        if FRUSTRATED.search(str(tracker.latest_message.get("text") or "")):
            dispatcher.utter_message(
                text="非常抱歉让您着急了。我可以马上为您转人工，或者给承办法官留言，由工作人员回电。",
                buttons=[
                    {"title": "转人工", "payload": f"/{Intent.REQUEST_HUMAN}"},
                    {"title": "给法官留言", "payload": f"/{Intent.CONTACT_JUDGE}"},
                    {"title": "我要投诉", "payload": f"/{Intent.FILE_COMPLAINT}"},
                ],
            )
        elif latest_intent(tracker) == Intent.AFFIRM and tracker.get_slot(Slot.WO_RETRY):
            return [FollowupAction(Action.SUBMIT_WORKORDER)]  # 重新提交 after a failed submission: same key
        elif latest_intent(tracker) == Intent.OUT_OF_SCOPE:
            dispatcher.utter_message(response=Response.OUT_OF_SCOPE)
        else:
            dispatcher.utter_message(response=Response.ANYTHING_ELSE)
        return []


class ActionGoodbye(CourtAction):
    """Says goodbye and ends the verified party's access: the next person at this screen starts anew."""

    def name(self) -> str:
        return Action.GOODBYE

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response=Response.GOODBYE)
        return end_of_grant()


class ActionAnswerFaq(CourtAction):
    """Answers the FAQ key the classifier chose, filling in this court's own figures. The Rasa server
    answers FAQs itself (bot/local_actions.py, same kernel/faq.py); this one serves a Rasa started
    without that wrapper."""

    def name(self) -> str:
        return Action.ANSWER_FAQ

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        response, buttons = faq_answer(tracker.latest_message)
        dispatcher.utter_message(response=response, buttons=buttons or None, **court_info())
        return []


class ActionClarify(CourtAction):
    """Low confidence: offer the two likeliest meanings; after two failed turns, offer a human."""

    def name(self) -> str:
        return Action.CLARIFY

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        if failed_turns(tracker.events) >= FAILED_TURNS_BEFORE_HUMAN:
            dispatcher.utter_message(
                text="抱歉，我还是没能理解您的意思。可以为您转人工，或登记工单由工作人员回电。",
                buttons=[
                    {"title": "转人工", "payload": f"/{Intent.REQUEST_HUMAN}"},
                    {"title": "不用了", "payload": f"/{Intent.DENY}"},
                ],
            )
            return []
        buttons = clarification_buttons(tracker.latest_message)
        if buttons:
            dispatcher.utter_message(text="抱歉，我没太明白。您是想：", buttons=buttons)
        else:
            dispatcher.utter_message(
                text="抱歉，我没太明白。您可以换个说法，或选择要办理的事项：", buttons=MENU
            )
        return []


def failed_turns(events: list[dict[str, Any]]) -> int:
    """Consecutive latest user turns that fell back (the current one included)."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if ((event.get("parse_data") or {}).get("intent") or {}).get("name") != Intent.NLU_FALLBACK:
            break
        count += 1
    return count


def clarification_buttons(parse_data: dict[str, Any]) -> list[dict[str, str]]:
    """Buttons for the two likeliest intents; an FAQ button re-asks its canonical question."""
    ranking = [r for r in parse_data.get("intent_ranking") or [] if r.get("name") != Intent.NLU_FALLBACK]
    buttons = []
    for item in ranking[:2]:
        intent = item.get("name")
        if intent == Intent.FAQ:
            key = faq_key(parse_data)
            title, question = FAQ_BUTTONS.get(key or "", ("常见问题", "常见问题"))
            buttons.append({"title": title, "payload": question})
        elif intent in INTENT_LABELS:
            buttons.append({"title": INTENT_LABELS[intent], "payload": f"/{intent}"})
    return buttons


class ActionCancelForm(CourtAction):
    """“算了/取消” inside a form: stop it, forget what it collected, say so."""

    def name(self) -> str:
        return Action.CANCEL_FORM

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response=Response.CANCELLED)
        events = [ActiveLoop(None), SlotSet(Slot.REQUESTED, None)] + [SlotSet(s, None) for s in FORM_SLOTS]
        leaving = latest_intent(tracker) == Intent.GOODBYE or EXIT_WORDS.search(
            str(tracker.latest_message.get("text") or "")
        )
        return events + (end_of_grant() if leaving else [])


class ActionInformWithoutContext(CourtAction):
    """The citizen sent a case number or other details without saying what for: ask, don't guess."""

    def name(self) -> str:
        return Action.INFORM_WITHOUT_CONTEXT

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        from actions.workorder import WORKORDER_NUMBER, answer_workorder_status
        from kernel.nlu.extract import find_problems  # the same checks the NLU component uses

        text = str(tracker.latest_message.get("text") or "")
        if WORKORDER_NUMBER.search(text) or (
            tracker.get_slot(Slot.WORKORDER_NUMBER) and latest_entity_value(tracker, Entity.PHONE)
        ):
            return await answer_workorder_status(dispatcher, tracker)
        problems = find_problems(text)
        for problem in problems:
            dispatcher.utter_message(text=problem.message)
        case_number = latest_entity_value(tracker, Entity.CASE_NUMBER)
        if case_number:
            dispatcher.utter_message(
                text=f"收到案号 {case_number}。请问您想：",
                buttons=[
                    {"title": "查案件进度", "payload": f"/{Intent.QUERY_CASE_PROGRESS}"},
                    {"title": "联系承办法官", "payload": f"/{Intent.CONTACT_JUDGE}"},
                ],
            )
        elif not problems or latest_intent(tracker) != Intent.INFORM:
            dispatcher.utter_message(response=Response.ANYTHING_ELSE)
        return []
