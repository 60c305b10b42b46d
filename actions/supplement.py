"""群众补充: the citizen's next message after a staff reply on one of their open work orders goes to that order.

When a staff reply on a work order reaches the conversation, the desk sets the slot `supplement_order` to the
order's number (kernel/contracts.py `supplement_event`). data/rules.yml then sends the next message, whatever
intent the model gave it, here: it is added to the order (the desk marks it for the handler) and the citizen is
told so in one line, with a button for a new request. Not added: a greeting, a goodbye or a tap on an earlier
button (an explicit new request or an exit: the slot is forgotten and the bot answers as usual) and, on a
closed order, anything (the citizen is offered a new request). The slot is forgotten after one message in
every case (also when the desk cannot be reached), so the conversation goes on as normal.
"""

from __future__ import annotations

import re

from rasa_sdk.events import EventType, SlotSet

from actions.base import EXIT_WORDS, CourtAction, end_of_grant, latest_intent, latest_text
from actions.settings import workorder_client
from kernel.clients.workorders import WorkOrderError
from kernel.contracts import channel_of
from kernel.names import Action, Intent, Response, Slot
from kernel.privacy import mask_text

#: The button that starts the normal flow instead (the main menu).
NEW_REQUEST_BUTTON = {"title": "新的问题", "payload": f"/{Intent.GREET}"}
#: "我有个新问题" / "另外一件事": the citizen says it is not about this order.
NEW_REQUEST_WORDS = re.compile(
    r"新(的)?问题|另外(一|的)?(个|件)|别的(事|问题)|其他(事|问题)|重新(咨询|登记|留言)"
)
#: A whole message that dismisses rather than adds ("算了"): nothing is added.
DISMISS_WORDS = re.compile(r"^\W*(取消|退出|不用了|没事了|算了)\W*$")
SUPPLEMENT_MAX = 1000


class ActionAddSupplement(CourtAction):
    """Adds the citizen's message to the order named by `supplement_order`, then forgets the slot."""

    def name(self) -> str:
        return Action.ADD_SUPPLEMENT

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        number = tracker.get_slot(Slot.SUPPLEMENT_ORDER)
        forget: list[EventType] = [SlotSet(Slot.SUPPLEMENT_ORDER, None)]
        text = latest_text(tracker).strip()
        intent = latest_intent(tracker)
        if intent == Intent.GOODBYE or DISMISS_WORDS.search(text):
            dispatcher.utter_message(response=Response.GOODBYE)
            leaving = intent == Intent.GOODBYE or EXIT_WORDS.search(text)
            return forget + (end_of_grant() if leaving else [])
        if (
            not number
            or not text
            or text.startswith("/")
            or intent == Intent.GREET
            or NEW_REQUEST_WORDS.search(text)
        ):
            dispatcher.utter_message(response=Response.GREET)
            return forget
        message_id = (
            str(tracker.latest_message.get("message_id") or "")
            or f"{tracker.sender_id}-{len(tracker.events)}"
        )
        try:
            await workorder_client().add_supplement(
                number,
                tracker.sender_id,
                message_id,
                mask_text(text)[:SUPPLEMENT_MAX],
                channel_of(tracker.get_latest_input_channel()).value,
            )
        except WorkOrderError as exc:
            return self._refused(dispatcher, number, exc)
        dispatcher.utter_message(
            text=f"已将您的补充转给工单 {number} 的工作人员，会一并处理。",
            buttons=[NEW_REQUEST_BUTTON],
        )
        return forget

    @staticmethod
    def _refused(dispatcher, number: str, exc: WorkOrderError) -> list[EventType]:
        if exc.status == 409 and exc.code == "closed":
            dispatcher.utter_message(
                text=f"工单 {number} 已办结。如有新的问题，请点“新的问题”重新咨询。",
                buttons=[NEW_REQUEST_BUTTON],
            )
            return [SlotSet(Slot.SUPPLEMENT_ORDER, None)]
        if exc.status in (403, 404):
            dispatcher.utter_message(
                text="抱歉，没能把这条消息补充到原工单。请点“新的问题”重新咨询。",
                buttons=[NEW_REQUEST_BUTTON],
            )
            return [SlotSet(Slot.SUPPLEMENT_ORDER, None)]
        # the desk is down or busy: nothing was stored; the citizen is told so and has the hotline (the slot is
        # forgotten all the same: data/rules.yml ends the turn only on a forgotten slot)
        dispatcher.utter_message(
            text=f"抱歉，补充暂时没能转给工单 {number} 的工作人员，请稍后再试，或拨打 12368 热线。",
            buttons=[NEW_REQUEST_BUTTON],
        )
        return [SlotSet(Slot.SUPPLEMENT_ORDER, None)]
