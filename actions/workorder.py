"""Escalation to a work order (工单): start, collect, read back, confirm, store, then tell the number.

Model: the 12368 联系法官 practice. Anything about a specific case, a complaint or a wish for a human
becomes a work order that staff answer within set working days. The order is stored (and committed)
by the work-order service before the citizen is told its number; the same form submission retried
gives the same order, because the idempotency key is fixed when the form starts.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import (
    REASK,
    AskSlot,
    CourtAction,
    FormValidation,
    exit_or_move,
    identity_of,
    just_asked,
    latest_entity_value,
    latest_intent,
    latest_text,
)
from actions.debtor import LISTED_CASE
from actions.settings import shared_client, workorder_client
from actions.stash import drop, stash, unstash
from kernel.clients.court import CourtError
from kernel.clients.workorders import WorkOrderError
from kernel.contracts import CASE_OPTIONAL_KINDS, LIVE_CHANNELS, WAITING_KEY, channel_of
from kernel.contracts import WorkOrderKind as Kind
from kernel.names import ACTION_LISTEN, Action, Entity, Intent, Response, Slot
from kernel.nlu.extract import find_problems
from kernel.nlu.identity import read_identity
from kernel.privacy import ORDER_NUMBER, mask_phone, mask_text
from kernel.transcript import transcript as conversation_lines

KIND_BY_INTENT = {
    Intent.CONTACT_JUDGE: Kind.CONTACT_JUDGE,
    Intent.FILE_COMPLAINT: Kind.COMPLAINT,
    Intent.REQUEST_HUMAN: Kind.HUMAN,
}
NO_CASE = "无"
# what the citizen is told when an order of each kind starts (人工咨询: the default)
INTROS: dict[str, str] = {
    Kind.CONTACT_JUDGE: "好的，我帮您给承办法官留言，由法官或法官助理在工作日内回电。",
    Kind.COMPLAINT: "好的，我帮您登记投诉举报，由法院督查部门受理并回复（不会转给被投诉的人）。",
    Kind.CREDIT_REPAIR: "好的，我帮您联系执行法官，咨询履行义务和移出失信名单的事宜。",
    Kind.SYSTEM_FAULT: "抱歉刚才系统出了问题，我帮您登记，由工作人员回电处理。",
}
# The citizen does not want to describe it: the order is stored without, the callback asks.
SKIP_SUMMARY = re.compile(
    r"(?:跳过|没有|没了|没啥|没什么|不用了?|不用说了|不想说|确认|就这样|无)[。.!！~～]*"
)
NO_SUMMARY = "（未填写，回电时询问）"
# A name given before it was asked for counts only when the citizen says it is theirs ("我叫…"), so that
# "我要投诉江帆伟法官" never files the complaint under the judge's name.
OWN_NAME = re.compile(r"我叫|我是|本人|姓名|名字")
# What is left of a message once its name, phone and their label words are gone: the request itself
# when long enough ("我想咨询执行款退费的问题，我叫马建华，电话…"), nothing for "我叫林秀兰，手机158…".
LABEL_WORDS = re.compile(r"我叫|我是|本人|姓名|名字|叫|手机号?码?|电话号?码?|联系方式|号码|是")
WO_FORM_SLOTS = (
    Slot.WO_KIND,
    Slot.WO_CASE_NUMBER,
    Slot.WO_NAME,
    Slot.WO_PHONE,
    Slot.WO_SUMMARY,
    Slot.WO_CONFIRM,
    Slot.WO_RETRY,
)


def previous_bot_events(tracker: Tracker) -> list[dict[str, Any]]:
    """Bot-side events since the user's previous message, newest first."""
    found, seen_user = [], 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_user += 1
            if seen_user == 2:
                break
            continue
        if seen_user == 1:
            found.append(event)
    return found


def kind_for(tracker: Tracker) -> str:
    """The kind of order, from the intent and what the bot had just said."""
    before = previous_bot_events(tracker)
    templates = {(e.get("metadata") or {}).get("utter_action") for e in before if e.get("event") == "bot"}
    actions = {e.get("name") for e in before if e.get("event") == "action"}
    if "utter_service_error" in templates:
        return Kind.SYSTEM_FAULT.value
    if Action.DEBTOR_LOOKUP in actions and latest_intent(tracker) == Intent.CONTACT_JUDGE:
        return Kind.CREDIT_REPAIR.value
    return KIND_BY_INTENT.get(latest_intent(tracker), Kind.HUMAN).value


class ActionStartWorkorder(CourtAction):
    """Sets the kind, fixes the idempotency key and pre-fills what the conversation already told us."""

    def name(self) -> str:
        return Action.START_WORKORDER

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        kind = kind_for(tracker)
        live = await live_first(dispatcher, tracker, kind)
        if live is not None:
            return live
        stash(tracker.sender_id, "wo_key", str(tracker.latest_message.get("message_id") or tracker.sender_id))
        events: list[EventType] = [SlotSet(s, None) for s in WO_FORM_SLOTS[1:]] + [
            SlotSet(Slot.WO_KIND, kind),
            SlotSet(Slot.SUPPLEMENT_ORDER, None),  # a new order: nothing more goes to an earlier one
        ]
        case_number = latest_entity_value(tracker, Entity.CASE_NUMBER)
        if not case_number and kind == Kind.CREDIT_REPAIR:
            # "联系执行法官" right under the one list entry just shown: that entry's execution case
            # (the read-back shows it, 修改 is one tap away)
            case_number = unstash(tracker.sender_id, LISTED_CASE)
        earlier = None
        if case_number:
            events.append(SlotSet(Slot.WO_CASE_NUMBER, case_number))
        else:  # a case from earlier in the conversation is offered for confirmation, never attached silently
            earlier = tracker.get_slot(Slot.VERIFIED_CASE) or tracker.get_slot(Slot.CP_CASE_NUMBER)
            if earlier:
                stash(tracker.sender_id, "wo_case_offer", earlier)
            else:
                drop(tracker.sender_id, "wo_case_offer")
        text = latest_text(tracker)
        # the first message says what it is about ("找不到承办法官"); a complaint needs more than "我要投诉"
        if len(text.strip()) >= (12 if kind == Kind.COMPLAINT else 6) and not text.startswith("/"):
            events.append(SlotSet(Slot.WO_SUMMARY, mask_text(text.strip()[:500])))
        elif kind == Kind.HUMAN:
            events.append(SlotSet(Slot.WO_SUMMARY, NO_SUMMARY))
        if kind == Kind.HUMAN and not case_number and not earlier:
            # 转人工: the person who calls back asks what it is about; name and phone, then the read-back
            # (案号 and 内容 are one 修改 tap away, and anything typed there is added)
            events.append(SlotSet(Slot.WO_CASE_NUMBER, NO_CASE))
        intro = INTROS.get(kind, "好的，我帮您转人工。先登记一下联系方式，工作人员会尽快联系您。")
        dispatcher.utter_message(text=intro)
        return events


async def live_first(dispatcher: CollectingDispatcher, tracker: Tracker, kind: str) -> list[EventType] | None:
    """转人工 on a live channel with a clerk online: straight into the desk's queue, no form.

    The desk stores a 人工咨询 order from the conversation (the clerk fills in name and phone) before it
    answers, so the citizen is told the order, the place in the queue and the expected wait, and the
    conversation is paused for the clerk. None (the form as before) when nobody is online, on REST, when
    the desk is unreachable or refuses (this conversation's live request went unanswered within the hour:
    the citizen now leaves a phone for a callback).
    """
    channel = channel_of(tracker.get_latest_input_channel())
    if kind != Kind.HUMAN or latest_intent(tracker) != Intent.REQUEST_HUMAN or channel not in LIVE_CHANNELS:
        return None
    client = workorder_client()
    if not await client.clerk_online():
        return None
    try:
        view = await client.open_live(
            tracker.sender_id,
            channel.value,
            first_words(tracker),
            str(tracker.latest_message.get("message_id") or tracker.sender_id),
            transcript(tracker),
        )
    except WorkOrderError:
        return None
    dispatcher.utter_message(text=queue_notice(view), json_message={WAITING_KEY: waiting(view)})
    # as after the form: the pause stops Rasa's loop before it listens, so the listen is recorded here
    return [
        SlotSet(Slot.WORKORDER_NUMBER, view["number"]),
        ConversationPaused(),
        ActionExecuted("action_listen"),
    ]


def first_words(tracker: Tracker) -> str:
    """The citizen's first typed words in this conversation (masked), the summary of a live order."""
    for event in tracker.events:
        text = (event.get("text") or "").strip() if event.get("event") == "user" else ""
        if text and not text.startswith("/"):
            return mask_text(text[:500])
    return "群众在线申请转人工"


def waiting(view: dict[str, Any]) -> dict[str, int]:
    """The place in the queue and the desk's expected wait in whole minutes (at least one)."""
    minutes = max(1, -(-int(view.get("expected_wait_seconds") or 0) // 60))
    return {"position": int(view.get("position") or 1), "minutes": minutes}


def queue_notice(view: dict[str, Any]) -> str:
    """Place in the queue, expected wait and the order that keeps the request if nobody comes."""
    minutes, position = waiting(view)["minutes"], waiting(view)["position"]
    place = "您是下一位" if position <= 1 else f"您前面还有 {position - 1} 位"
    return (
        f"现在有工作人员在线，正在为您转接人工服务。{place}，预计等待约 {minutes} 分钟，"
        "工作人员会在这里直接回复您。\n"
        f"您的咨询已登记为工单 {view['number']}，如暂时无人接入，工作人员会在这里答复您。"
    )


class ValidateWorkorderForm(FormValidation):
    """Reads each answer; a wrong one is explained and asked again, “取消” leaves the form."""

    def name(self) -> str:
        return Action.VALIDATE_WORKORDER

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        text = latest_text(tracker)
        requested = tracker.get_slot(Slot.REQUESTED)
        intent = latest_intent(tracker)
        own = next(
            (i for i, k in KIND_BY_INTENT.items() if k == tracker.get_slot(Slot.WO_KIND)),
            Intent.REQUEST_HUMAN,
        )
        leaving = exit_or_move(dispatcher, tracker, own, WO_FORM_SLOTS)
        if leaving is not None:
            return leaving
        if requested == Slot.WO_CONFIRM:
            return self._confirm(dispatcher, tracker, text, intent)
        earlier = self._earlier_fixed(dispatcher, tracker, text, requested)
        if earlier:
            return earlier
        problems = find_problems(text)
        if problems:
            for problem in problems:
                dispatcher.utter_message(text=problem.message)
            kept = self._kept_name(tracker, requested)
            return kept or ([SlotSet(requested, None)] if requested else [])
        carries_data = any(latest_entity_value(tracker, e) for e in (Entity.CASE_NUMBER, Entity.PHONE))
        if intent in (Intent.FAQ, Intent.LEGAL_ADVICE) and requested != Slot.WO_SUMMARY and not carries_data:
            return []  # a question of its own: the rules answer it and the form asks again
        handler = {
            Slot.WO_CASE_NUMBER: self._case_number,
            Slot.WO_NAME: self._name,
            Slot.WO_PHONE: self._phone,
            Slot.WO_SUMMARY: self._summary,
            Slot.WO_CONFIRM: self._confirm,
        }.get(requested)
        events = self._opportunistic(tracker, requested)
        if handler is not None:
            events += handler(dispatcher, tracker, text, intent)
        return events

    @staticmethod
    def _earlier_fixed(dispatcher, tracker: Tracker, text: str, requested: str | None) -> list[EventType]:
        """ "等一下，名字写错了，是谭倩琳" at the phone step: the name is corrected, the phone asked again."""
        if requested in (None, Slot.WO_CONFIRM) or not EDIT_WORDS.search(text):
            return []
        fixed = [
            e for e in corrections(tracker, text) if e["name"] != requested and tracker.get_slot(e["name"])
        ]
        if fixed:
            dispatcher.utter_message(text="好的，已改正。" + REASK.get(requested, ""))
        return fixed

    @staticmethod
    def _kept_name(tracker: Tracker, requested: str | None) -> list[EventType]:
        """ "我叫郑丽华，电话1390123456": the phone is asked again, the name given with it stays."""
        if requested != Slot.WO_NAME:
            return []
        who = identity_of(tracker)
        return [SlotSet(Slot.WO_NAME, who.name)] if who.name and not who.is_org else []

    def _opportunistic(self, tracker: Tracker, requested: str | None) -> list[EventType]:
        """Values given before they were asked for (a phone number in the first message)."""
        events: list[EventType] = []
        phone = latest_entity_value(tracker, Entity.PHONE)
        if phone and requested != Slot.WO_PHONE and not tracker.get_slot(Slot.WO_PHONE):
            stash(tracker.sender_id, "wo_phone", phone)
            events.append(SlotSet(Slot.WO_PHONE, mask_phone(phone)))
        text = latest_text(tracker)
        who = read_identity(text)
        # "王淑珍 13641190275": a name beside the callback phone is the citizen's own, like "我叫…"
        own = OWN_NAME.search(text) or (phone and requested != Slot.WO_SUMMARY)
        name = who.name if own and not who.is_org else None
        if name and requested != Slot.WO_NAME and not tracker.get_slot(Slot.WO_NAME):
            events.append(SlotSet(Slot.WO_NAME, name))
        if (
            requested in (Slot.WO_CASE_NUMBER, Slot.WO_NAME)
            and tracker.get_slot(Slot.WO_SUMMARY) in (None, NO_SUMMARY)
            and request_words(text, who.name)
        ):
            # "我想咨询执行款退费的问题，我叫马建华，电话…": the request itself, not to be asked for again
            events.append(SlotSet(Slot.WO_SUMMARY, mask_text(text.strip()[:500])))
        return events

    def _case_number(self, dispatcher, tracker, text, intent) -> list[EventType]:
        case_number = latest_entity_value(tracker, Entity.CASE_NUMBER)
        if case_number:
            return [SlotSet(Slot.WO_CASE_NUMBER, case_number)]
        offered = unstash(tracker.sender_id, "wo_case_offer")
        if offered and (
            intent == Intent.AFFIRM or re.fullmatch(r"\W*(?:是|是的|对|对的|就是这个|嗯|好)\W*", text)
        ):
            return [SlotSet(Slot.WO_CASE_NUMBER, offered)]
        if intent == Intent.DENY or re.search(r"没有|不知道|不涉及|忘了|无|不清楚|记不得|还没", text):
            return [SlotSet(Slot.WO_CASE_NUMBER, NO_CASE)]
        if tracker.get_slot(Slot.WO_KIND) in CASE_OPTIONAL_KINDS:
            # a complaint or a wish for a person need no case: an answer that is not one means "none"
            # (the read-back shows 案号：无, and 修改案号 is one tap away)
            return [SlotSet(Slot.WO_CASE_NUMBER, NO_CASE)]
        dispatcher.utter_message(
            text="还需要案号才能转给承办法官，形如（2024）京03民终1234号；没有的话请点“没有案号”。",
            buttons=[{"title": "没有案号", "payload": "没有案号"}],
        )
        return [SlotSet(Slot.WO_CASE_NUMBER, None)]

    def _name(self, dispatcher, tracker, text, intent) -> list[EventType]:
        who = identity_of(tracker)
        name = who.name if not who.is_org else None
        if name:
            return [SlotSet(Slot.WO_NAME, name)]
        dispatcher.utter_message(text="请只输入您的姓名，例如：张明。")
        return [SlotSet(Slot.WO_NAME, None)]

    def _phone(self, dispatcher, tracker, text, intent) -> list[EventType]:
        phone = latest_entity_value(tracker, Entity.PHONE)
        if phone:
            stash(tracker.sender_id, "wo_phone", phone)
            return [SlotSet(Slot.WO_PHONE, mask_phone(phone))]
        dispatcher.utter_message(text="手机号需要是11位数字，以1开头，例如 13812345678。请重新输入。")
        return [SlotSet(Slot.WO_PHONE, None)]

    def _summary(self, dispatcher, tracker, text, intent) -> list[EventType]:
        if SKIP_SUMMARY.fullmatch(
            text.strip()
        ):  # 跳过 (the button), 没有, 确认: a person calls back and asks
            return [SlotSet(Slot.WO_SUMMARY, NO_SUMMARY)]
        if len(text.strip()) >= 4 and not text.startswith("/"):
            return [SlotSet(Slot.WO_SUMMARY, mask_text(text.strip()[:500]))]
        dispatcher.utter_message(text="请用一两句话说明情况，例如：想问开庭时间是否有变化。")
        return [SlotSet(Slot.WO_SUMMARY, None)]

    def _confirm(self, dispatcher, tracker, text, intent) -> list[EventType]:
        """Confirm, or correct any field in free text ("名字不对，是陈思远", "手机号换成158…"), keeping the rest."""
        corrected = corrections(tracker, text)
        if corrected:
            return corrected + [SlotSet(Slot.WO_CONFIRM, None)]  # the read-back is shown again, updated
        field = next((slot for slot, words in FIELD_WORDS if re.search(words, text)), None)
        if field and EDIT_WORDS.search(text):
            return [SlotSet(field, None), SlotSet(Slot.WO_CONFIRM, None)]  # the form asks that field again
        if intent == Intent.DENY or EDIT_WORDS.search(text):
            dispatcher.utter_message(text="请问要修改哪一项？", buttons=EDIT_BUTTONS)
            return [SlotSet(Slot.WO_CONFIRM, None)]
        if intent == Intent.AFFIRM or re.search(r"确认|对的|没问题|提交|是的|可以", text):
            return [SlotSet(Slot.WO_CONFIRM, "yes")]
        if tracker.get_slot(Slot.WO_SUMMARY) in (None, NO_SUMMARY) and request_words(text, None):
            # what the citizen adds at the read-back is what it is about: kept, and read back again
            return [SlotSet(Slot.WO_SUMMARY, mask_text(text.strip()[:500])), SlotSet(Slot.WO_CONFIRM, None)]
        dispatcher.utter_message(
            text="信息无误请点“确认提交”，要改请点对应的修改按钮。", buttons=[CONFIRM_BUTTON] + EDIT_BUTTONS
        )
        return [SlotSet(Slot.WO_CONFIRM, None)]


# Which field a correction names, and the words that ask for a change.
FIELD_WORDS = (
    (Slot.WO_NAME, r"名字|姓名|名$|叫"),
    (Slot.WO_PHONE, r"手机|电话|号码"),
    (Slot.WO_CASE_NUMBER, r"案号|案件号|案子号"),
    (Slot.WO_SUMMARY, r"内容|情况|描述|事由|说明|问题"),
)
EDIT_WORDS = re.compile(r"修改|改一下|改成|改为|换成|换一下|不对|错了|有误|写错|打错|不是")
CONFIRM_BUTTON = {"title": "确认提交", "payload": f"/{Intent.AFFIRM}"}
EDIT_BUTTONS = [
    {"title": "修改姓名", "payload": "修改姓名"},
    {"title": "修改手机号", "payload": "修改手机号"},
    {"title": "修改案号", "payload": "修改案号"},
    {"title": "修改内容", "payload": "修改内容"},
    {"title": "取消", "payload": "取消"},
]


def request_words(text: str, name: str | None) -> bool:
    """Whether a message says what it is about, beyond a name, a phone and their label words."""
    if text.startswith("/"):
        return False
    rest = text.replace(name, "") if name else text
    return len(re.findall(r"[\u4e00-\u9fa5]", LABEL_WORDS.sub("", rest))) >= 6


def corrections(tracker: Tracker, text: str) -> list[EventType]:
    """New values written in a correction at the read-back; nothing else is touched."""
    events: list[EventType] = []
    phone = latest_entity_value(tracker, Entity.PHONE)
    if phone:
        stash(tracker.sender_id, "wo_phone", phone)
        events.append(SlotSet(Slot.WO_PHONE, mask_phone(phone)))
    case_number = latest_entity_value(tracker, Entity.CASE_NUMBER)
    if case_number:
        events.append(SlotSet(Slot.WO_CASE_NUMBER, case_number))
    if re.search(r"名字|姓名|叫|我是", text):
        name = read_identity(re.sub(r"(?:名字|姓名)?(?:不对|错了|有误|写错了?|打错了?)", "，", text)).name
        if name:
            events.append(SlotSet(Slot.WO_NAME, name))
    return events


class ActionAskWoName(AskSlot):
    slot = Slot.WO_NAME


class ActionAskWoPhone(AskSlot):
    slot = Slot.WO_PHONE


class ActionAskWoSummary(AskSlot):
    slot = Slot.WO_SUMMARY


class ActionAskWoCaseNumber(CourtAction):
    """Asks for the case; a case from earlier in the conversation is offered as a question (是这个案件吗？)."""

    def name(self) -> str:
        return Action.ASK_WO_CASE_NUMBER

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        if just_asked(tracker):
            return []  # the validation has just asked again, in one line
        offered = unstash(tracker.sender_id, "wo_case_offer")
        if offered:
            dispatcher.utter_message(
                text=f"是这个案件吗？{offered}",
                buttons=[
                    {"title": "是这个案件", "payload": f"/{Intent.AFFIRM}"},
                    {"title": "不是，没有案号", "payload": "没有案号"},
                ],
            )
        else:
            dispatcher.utter_message(response=Response.ASK_WO_CASE_NUMBER)
        return []


class ActionAskWoConfirm(CourtAction):
    """Reads the collected details back (phone masked) before anything is stored."""

    def name(self) -> str:
        return Action.ASK_WO_CONFIRM

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        if just_asked(tracker):
            return []  # the validation has just asked which field to change: no second read-back
        case = tracker.get_slot(Slot.WO_CASE_NUMBER) or NO_CASE
        dispatcher.utter_message(
            text=(
                "请确认以下信息：\n"
                f"事项：{tracker.get_slot(Slot.WO_KIND)}\n"
                f"案号：{case}\n"
                f"姓名：{tracker.get_slot(Slot.WO_NAME)}\n"
                f"回电手机：{tracker.get_slot(Slot.WO_PHONE)}\n"
                f"内容：{tracker.get_slot(Slot.WO_SUMMARY)}\n"
                "信息无误吗？"
            ),
            buttons=[CONFIRM_BUTTON] + EDIT_BUTTONS,
        )
        return []


def transcript(tracker: Tracker, limit: int = 30) -> list[dict[str, str]]:
    """The order's own turns, masked, for the staff who take it over: from the message that started the
    order on, so another case or another party from earlier in the conversation never shows."""
    turns = [
        {"sender": line.sender, "text": mask_text(line.text)}
        for line in conversation_lines(own_turns(tracker.events))
        if line.text
    ]
    return turns[-limit:]


def own_turns(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events from the user message before the latest action_start_workorder."""
    start = next(
        (
            i
            for i in range(len(events) - 1, -1, -1)
            if events[i].get("event") == "action" and events[i].get("name") == Action.START_WORKORDER
        ),
        None,
    )
    if start is None:
        return events
    while start > 0 and events[start].get("event") != "user":
        start -= 1
    return events[start:]


class ActionSubmitWorkorder(CourtAction):
    """Stores the order (idempotently) and only then tells the number and the promised deadline."""

    def name(self) -> str:
        return Action.SUBMIT_WORKORDER

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        """Always ends the turn: run as 重新提交's follow-up no rule follows it, and the policies would
        otherwise fall back to 没太明白 until the prediction limit."""
        events = await self._submit(dispatcher, tracker)
        return [*events, FollowupAction(ACTION_LISTEN)]

    async def _submit(self, dispatcher, tracker) -> list[EventType]:
        if tracker.get_slot(Slot.WO_CONFIRM) != "yes":
            return []
        phone = unstash(tracker.sender_id, "wo_phone")
        if not phone:
            dispatcher.utter_message(
                text="抱歉，回电手机号已过期，请重新登记。",
                buttons=[{"title": "重新登记", "payload": f"/{Intent.REQUEST_HUMAN}"}],
            )
            return [SlotSet(s, None) for s in WO_FORM_SLOTS]
        case = tracker.get_slot(Slot.WO_CASE_NUMBER)
        case = None if case in (None, NO_CASE) else case
        payload = {
            "kind": tracker.get_slot(Slot.WO_KIND) or Kind.HUMAN.value,
            "channel": channel_of(tracker.get_latest_input_channel()).value,
            "citizen_name": tracker.get_slot(Slot.WO_NAME),
            "callback_phone": phone,
            "summary": tracker.get_slot(Slot.WO_SUMMARY) or "（未填写）",
            "conversation_id": tracker.sender_id,
            "message_id": unstash(tracker.sender_id, "wo_key")
            or str(tracker.latest_message.get("message_id")),
            "case_number": case,
            "transcript": transcript(tracker),
        }
        if case:
            payload.update(await case_routing(case))
        client = workorder_client()
        try:
            order = await client.create(payload)
        except WorkOrderError:
            dispatcher.utter_message(
                text="抱歉，工单暂时没能登记成功，您填写的信息还在。请稍后点“重新提交”，或拨打 12368 热线。",
                buttons=[{"title": "重新提交", "payload": f"/{Intent.AFFIRM}"}],
            )
            return [SlotSet(Slot.WO_RETRY, True)]  # confirmed and kept: 重新提交 submits the same order
        dispatcher.utter_message(text=confirmation(order))
        events: list[EventType] = [SlotSet(s, None) for s in WO_FORM_SLOTS]
        events.append(SlotSet(Slot.WORKORDER_NUMBER, order["number"]))
        if (
            payload["kind"] == Kind.HUMAN
            and payload["channel"] in LIVE_CHANNELS
            and await client.clerk_online()
        ):
            try:
                await client.request_live(order["number"], tracker.sender_id, payload["channel"])
            except WorkOrderError:
                return events  # the order stands; staff call back as promised
            dispatcher.utter_message(
                text="现在有工作人员在线，正在为您转接，请稍候，工作人员会在这里直接回复您。"
            )
            # the pause stops Rasa's prediction loop before it listens: record the listen, so that after the
            # clerk hands back, the next message is predicted from a normal turn boundary
            events += [ConversationPaused(), ActionExecuted("action_listen")]
        return events


async def case_routing(case_number: str) -> dict[str, str]:
    """Court and 承办法官 of the case, so the order reaches the judge; without them it goes to the clerks."""
    try:
        routing = await shared_client().case_routing(case_number)
    except CourtError:
        return {}
    found = {"court": routing.court, "case_judge": routing.judge_name}
    if routing.judge_id:
        found["case_judge_id"] = routing.judge_id  # the desk routes by the id; the name is for people
    return found


def confirmation(order: dict[str, Any]) -> str:
    """The promise the citizen keeps: number, who handles it, by when."""
    lines = [f"已为您登记工单，编号 {order['number']}。"]
    if order.get("assignee_label"):
        lines.append(f"受理：{order['assignee_label']}")
    if order.get("first_contact_due_label") or order.get("first_contact_due"):
        lines.append(
            f"工作人员将在 {order.get('first_contact_due_label') or order['first_contact_due']} 前与您联系。"
        )
    if order.get("answer_due_label") or order.get("answer_due"):
        lines.append(f"答复期限：{order.get('answer_due_label') or order['answer_due']}。")
    lines.append("请记下工单编号，之后发送“工单编号＋手机号”即可查询进度。")
    return "\n".join(lines)


WORKORDER_NUMBER = ORDER_NUMBER


class ActionWorkorderStatus(CourtAction):
    """How a work order stands, by number plus the callback phone (nothing shown without both)."""

    def name(self) -> str:
        return Action.WORKORDER_STATUS

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        return await answer_workorder_status(dispatcher, tracker)


async def answer_workorder_status(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    text = latest_text(tracker)
    found = WORKORDER_NUMBER.search(text)
    number = found.group(0).upper() if found else tracker.get_slot(Slot.WORKORDER_NUMBER)
    phone = latest_entity_value(tracker, Entity.PHONE)
    if not number:
        dispatcher.utter_message(text="请提供工单编号（形如 GD20261128-0001）和登记时留的手机号。")
        return []
    if not phone:
        dispatcher.utter_message(text=f"请再发一下登记工单 {number} 时留的手机号，以便核对。")
        return [SlotSet(Slot.WORKORDER_NUMBER, number)]
    try:
        view = await workorder_client().lookup(number, phone)
    except WorkOrderError as exc:
        dispatcher.utter_message(text=exc.citizen_message)
        return []
    lines = [f"工单 {view.get('number', number)}：{view.get('status', '')}"]
    if view.get("first_contact_due_label"):
        lines.append(f"约定联系时间：{view['first_contact_due_label']} 前")
    if view.get("last_reply"):
        lines.append(f"最新答复：{view['last_reply']}")
    dispatcher.utter_message(text="\n".join(lines))
    return [SlotSet(Slot.WORKORDER_NUMBER, None)]
