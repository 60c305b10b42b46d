"""Case progress for verified parties only (法释〔2018〕7号): case number → who is asking → SMS code → progress.

The court-data service does the matching and sends the code to the mobile number on file, so the
assistant never learns a party's phone number. Verification slots are set here and only here (their
slot mappings are `custom`, so no message, typed `/inform{...}` included, can fill them). A verified
citizen asks again in the same session without a new code; a new session starts unverified.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import DIGRESSIONS as BASE_DIGRESSIONS
from actions.base import (
    AskSlot,
    CourtAction,
    FormValidation,
    client_of,
    exit_or_move,
    identity_of,
    latest_entity_value,
    latest_intent,
    latest_text,
)
from actions.settings import kv, shared_client
from actions.stash import drop, seal, stash, unseal, unstash
from actions.workorder import WORKORDER_NUMBER, answer_workorder_status
from kernel.clients.court import (
    CaseProgress,
    CourtError,
    Locked,
    Mismatch,
    NotFound,
    ProgressNode,
    RateLimited,
    VerificationRequired,
    WrongCode,
)
from kernel.contracts import CARD_KEY
from kernel.names import Action, Entity, Intent, Slot
from kernel.nlu.extract import CASE_NUMBER, find_problems
from kernel.privacy import mask_credit_code, mask_id

VERIFIED = "verified"
CODE = re.compile(r"(?<!\d)(\d{4,8})(?!\d)")
CARRIERS = (Entity.CASE_NUMBER, Entity.ID_NUMBER, Entity.CREDIT_CODE, Entity.PERSON_NAME, Entity.ORG_NAME)
DIGRESSIONS = BASE_DIGRESSIONS - {Intent.QUERY_CASE_PROGRESS}
FORM_SLOTS = (Slot.CP_CASE_NUMBER, Slot.CP_IDENTITY, Slot.CP_CODE, Slot.CP_NAME, Slot.CP_VERIFICATION)
WORKORDER_BUTTON = {"title": "留言给工作人员", "payload": f"/{Intent.CONTACT_JUDGE}"}


# Failed identity matches one conversation may make in an hour before the bot stops trying (the court-data
# service has its own cool-downs per case and identifier; this one stops a conversation walking through many)
MAX_MISMATCHES = 3
TOO_MANY_MISMATCHES = (
    "多次核对未通过。为保护当事人信息，本次对话暂停身份核验。"
    "如需帮助，可以留言，由工作人员与您联系，或拨打 12368 诉讼服务热线。"
)


def mismatches(sender_id: str) -> int:
    return int(kv().get(f"cp:mismatch:{sender_id}") or 0)


def count_mismatch(sender_id: str) -> int:
    return kv().incr(f"cp:mismatch:{sender_id}", ttl=3600)


def stop_form(
    dispatcher: CollectingDispatcher, message: str, offer_workorder: bool = True
) -> list[EventType]:
    """Leave the form with a message; the form's slots are emptied so a new attempt starts clean."""
    dispatcher.utter_message(text=message, buttons=[WORKORDER_BUTTON] if offer_workorder else [])
    return [SlotSet(Slot.REQUESTED, None)] + [SlotSet(s, None) for s in FORM_SLOTS]


def shown_identifier(kind: str, value: str) -> str:
    return (
        mask_id(value)
        if kind == "id_number"
        else mask_credit_code(value)
        if kind == "credit_code"
        else value[:4] + "*" * 9 + value[-4:]
    )


class ValidateCaseProgressForm(FormValidation):
    """Fills the three steps from what the citizen writes, talking to the court-data service."""

    def name(self) -> str:
        return Action.VALIDATE_CASE_PROGRESS

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        text, intent = latest_text(tracker), latest_intent(tracker)
        requested = tracker.get_slot(Slot.REQUESTED)
        if WORKORDER_NUMBER.search(text):
            answered = await answer_workorder_status(dispatcher, tracker)
            return answered + [SlotSet(Slot.REQUESTED, None)] + [SlotSet(s, None) for s in FORM_SLOTS]
        leaving = exit_or_move(dispatcher, tracker, Intent.QUERY_CASE_PROGRESS, FORM_SLOTS)
        if leaving is not None:
            return leaving
        carries_data = (
            any(latest_entity_value(tracker, e) for e in CARRIERS)
            or bool(requested == Slot.CP_CODE and (CODE.search(text) or RESEND.search(text)))
        )  # "我没看见有短信啊，能不能再给我发一遍" is the code step's own business, whatever the model guessed
        if intent in DIGRESSIONS and not carries_data:
            return []  # a question of its own (FAQ, a wish for a human…): the rules answer it
        followup = self._already_verified(tracker)
        if followup is not None:
            return followup
        slots = {s: tracker.get_slot(s) for s in FORM_SLOTS}
        events: list[EventType] = []
        if not slots[Slot.CP_CASE_NUMBER]:
            events, stop = await self._case_number(dispatcher, tracker, text, requested)
            if stop:
                return events
            slots[Slot.CP_CASE_NUMBER] = next(
                (e["value"] for e in events if e.get("name") == Slot.CP_CASE_NUMBER and e.get("value")), None
            )
            if slots[Slot.CP_CASE_NUMBER]:  # name and ID may come in the same message
                events += await self._identity(dispatcher, tracker, text, None, slots)
        elif not slots[Slot.CP_IDENTITY]:
            events += await self._identity(dispatcher, tracker, text, requested, slots)
        elif requested == Slot.CP_CODE:
            events += await self._code(dispatcher, tracker, text, slots)
        if not events and intent in DIGRESSIONS:
            return []  # nothing for the form: let the rules answer the digression
        return events

    def step_buttons(self, tracker: Tracker, events: list[EventType]) -> list[dict[str, str]]:
        """No 取消 under "验证码已发送…" or "验证码不正确": the code prompt follows with 重新发送 and 取消."""
        set_now = {e.get("name"): e.get("value") for e in events if e.get("event") == "slot"}
        verification = set_now.get(Slot.CP_VERIFICATION, tracker.get_slot(Slot.CP_VERIFICATION))
        identity = set_now.get(Slot.CP_IDENTITY, tracker.get_slot(Slot.CP_IDENTITY))
        return [] if verification and identity else super().step_buttons(tracker, events)

    def _already_verified(self, tracker: Tracker) -> list[EventType] | None:
        """Same session, same case (or no case named): no new code needed."""
        verified = tracker.get_slot(Slot.VERIFIED_CASE)
        token = unseal(tracker.sender_id, "grant", tracker.get_slot(Slot.CP_TOKEN))
        if not verified or not token or tracker.get_slot(Slot.CP_CASE_NUMBER):
            return None
        named = latest_entity_value(tracker, Entity.CASE_NUMBER)
        if named and named != verified:
            return None
        return [
            SlotSet(Slot.CP_CASE_NUMBER, verified),
            SlotSet(Slot.CP_IDENTITY, VERIFIED),
            SlotSet(Slot.CP_CODE, VERIFIED),
        ]

    async def _case_number(self, dispatcher, tracker, text, requested) -> tuple[list[EventType], bool]:
        """(events, stop): stop is True when the form must end (service down, rate limit)."""
        for problem in find_problems(text):
            if problem.entity == CASE_NUMBER:
                dispatcher.utter_message(text=problem.message)
                return [SlotSet(Slot.CP_CASE_NUMBER, None)], False
        case_number = latest_entity_value(tracker, Entity.CASE_NUMBER)
        if not case_number and requested is None:
            case_number = tracker.get_slot(Slot.CASE_NUMBER)
        if not case_number:
            if requested == Slot.CP_CASE_NUMBER and latest_intent(tracker) not in DIGRESSIONS:
                dispatcher.utter_message(
                    text="没有识别到案号。案号形如（2024）京03民终1234号，在受理通知书或传票上。"
                )
                return [SlotSet(Slot.CP_CASE_NUMBER, None)], False
            return [], False
        try:
            await shared_client().case_summary(case_number)
        except NotFound:
            dispatcher.utter_message(
                text=f"没有查到案号 {case_number}，请核对后重新输入（注意年份、法院代字和编号）。"
            )
            return [SlotSet(Slot.CP_CASE_NUMBER, None)], False
        except CourtError as exc:
            return stop_form(dispatcher, exc.message), True
        return [
            SlotSet(Slot.CP_CASE_NUMBER, case_number),
            SlotSet(Slot.VERIFIED_CASE, None),
            SlotSet(Slot.CP_TOKEN, None),
        ], False

    async def _identity(self, dispatcher, tracker, text, requested, slots) -> list[EventType]:
        who = identity_of(tracker)
        name, kind, value = who.name, who.kind, who.value
        for problem in find_problems(text):
            if problem.entity != CASE_NUMBER:
                dispatcher.utter_message(text=problem.message)
                # a mistyped ID: the name given with it stays for the corrected one
                keep = name or slots.get(Slot.CP_NAME) or tracker.get_slot(Slot.CP_NAME)
                return [SlotSet(Slot.CP_IDENTITY, None), SlotSet(Slot.CP_NAME, keep)]
        name = name or slots.get(Slot.CP_NAME) or tracker.get_slot(Slot.CP_NAME)
        if kind and value:
            stash(tracker.sender_id, "cp_identifier", f"{kind}:{value}")
        elif name:
            stashed = unstash(tracker.sender_id, "cp_identifier")
            if stashed:
                kind, _, value = stashed.partition(":")
        if name and kind and value:
            return await self._send_code(dispatcher, tracker, slots[Slot.CP_CASE_NUMBER], name, kind, value)
        if name:
            dispatcher.utter_message(
                text=f"好的，{name}。请再提供您的身份证号（单位提供统一社会信用代码，律师提供执业证号）。"
            )
            return [SlotSet(Slot.CP_NAME, name), SlotSet(Slot.CP_IDENTITY, None)]
        if kind:
            dispatcher.utter_message(text="收到证件号码。请再告诉我您的姓名（单位请告诉我单位全称）。")
            return [SlotSet(Slot.CP_IDENTITY, None)]
        if requested == Slot.CP_IDENTITY and latest_intent(tracker) not in DIGRESSIONS:
            dispatcher.utter_message(text="请提供姓名和身份证号，例如：张明 110105199001011234。")
            return [SlotSet(Slot.CP_IDENTITY, None)]
        return []

    async def _send_code(self, dispatcher, tracker, case_number, name, kind, value) -> list[EventType]:
        if mismatches(tracker.sender_id) >= MAX_MISMATCHES:
            return stop_form(dispatcher, TOO_MANY_MISMATCHES)
        try:
            started = await shared_client().start_verification(
                case_number, name, **{kind: value}, client=client_of(tracker)
            )
        except Mismatch:
            drop(tracker.sender_id, "cp_identifier")
            if count_mismatch(tracker.sender_id) >= MAX_MISMATCHES:
                return stop_form(dispatcher, TOO_MANY_MISMATCHES)
            dispatcher.utter_message(
                text="信息不匹配，无法验证您的身份。只有本案当事人、法定代理人和诉讼代理人可以查询案件进度。"
                "请核对姓名和证件号码后重试；也可以留言，由工作人员与您联系。",
                buttons=[WORKORDER_BUTTON],
            )
            return [SlotSet(Slot.CP_IDENTITY, None), SlotSet(Slot.CP_NAME, None)]
        except RateLimited as exc:  # e.g. a code was sent a minute ago
            pending = pending_for(tracker.sender_id, case_number, kind, value)
            if pending:  # the code already on the phone is still valid: use it, no new one needed
                dispatcher.utter_message(text="刚才发到您手机上的验证码仍然有效。")
                return [
                    SlotSet(Slot.CP_NAME, name),
                    SlotSet(Slot.CP_IDENTITY, f"{name} {shown_identifier(kind, value)}"),
                    SlotSet(Slot.CP_VERIFICATION, seal(tracker.sender_id, "verification", pending, CODE_TTL)),
                ]
            dispatcher.utter_message(text=exc.message)
            return [SlotSet(Slot.CP_IDENTITY, None)]
        except CourtError as exc:
            return stop_form(dispatcher, exc.message)
        drop(tracker.sender_id, "cp_identifier")
        remember_pending(tracker.sender_id, case_number, name, kind, value, started)
        dispatcher.utter_message(
            text=f"验证码已发送到您在法院登记的手机号 {started.masked_phone}，"
            f"{max(1, started.expires_in // 60)} 分钟内有效。"
        )
        return [
            SlotSet(Slot.CP_NAME, name),
            SlotSet(Slot.CP_IDENTITY, f"{name} {shown_identifier(kind, value)}"),
            SlotSet(
                Slot.CP_VERIFICATION,
                seal(tracker.sender_id, "verification", started.verification_id, CODE_TTL),
            ),
        ]

    async def _code(self, dispatcher, tracker, text, slots) -> list[EventType]:
        found = CODE.search(text)
        if not found and RESEND.search(text):
            return await self._resend(dispatcher, tracker, slots)
        if not found:
            if latest_intent(tracker) in DIGRESSIONS:
                return []
            dispatcher.utter_message(text="请输入短信中的数字验证码。")
            return [SlotSet(Slot.CP_CODE, None)]
        try:
            verification = unseal(tracker.sender_id, "verification", slots[Slot.CP_VERIFICATION])
            if verification is None:
                raise VerificationRequired(code="verification_required")
            grant = await shared_client().check_code(verification, found.group(1), client=client_of(tracker))
        except WrongCode as exc:
            left = f"还可以再试 {exc.attempts_left} 次。" if exc.attempts_left else ""
            dispatcher.utter_message(text=f"验证码不正确。{left}")
            return [SlotSet(Slot.CP_CODE, None)]
        except VerificationRequired:
            dispatcher.utter_message(text="验证码已过期。请重新提供姓名和证件号码，我再发一次。")
            return [SlotSet(Slot.CP_CODE, None), SlotSet(Slot.CP_IDENTITY, None)]
        except Locked as exc:
            return stop_form(dispatcher, exc.message)
        except CourtError as exc:
            return stop_form(dispatcher, exc.message)
        return [
            SlotSet(Slot.CP_CODE, VERIFIED),
            SlotSet(
                Slot.CP_TOKEN, seal(tracker.sender_id, "grant", grant.access_token, max(60, grant.expires_in))
            ),
            SlotSet(Slot.VERIFIED_CASE, grant.case_number),
            SlotSet(Slot.VERIFIED_PARTY, slots[Slot.CP_IDENTITY]),
        ]

    async def _resend(self, dispatcher, tracker, slots) -> list[EventType]:
        """重新发送验证码 / 没收到: a new code for the same person, or the wait stated once."""
        pending = unstash(tracker.sender_id, "cp_pending")
        if not pending:
            dispatcher.utter_message(text="请重新提供姓名和证件号码，我再发一次验证码。")
            return [SlotSet(Slot.CP_CODE, None), SlotSet(Slot.CP_IDENTITY, None)]
        case_number, name, kind, value, _ = pending.split("|")
        try:
            started = await shared_client().start_verification(
                case_number, name, **{kind: value}, client=client_of(tracker)
            )
        except RateLimited as exc:
            dispatcher.utter_message(text=f"{exc.message}短信偶尔会晚到一两分钟，收到后直接输入即可。")
            return [SlotSet(Slot.CP_CODE, None)]
        except CourtError as exc:
            return stop_form(dispatcher, exc.message)
        remember_pending(tracker.sender_id, case_number, name, kind, value, started)
        dispatcher.utter_message(text=f"已重新发送验证码到 {started.masked_phone}。")
        sealed = seal(tracker.sender_id, "verification", started.verification_id, CODE_TTL)
        return [SlotSet(Slot.CP_CODE, None), SlotSet(Slot.CP_VERIFICATION, sealed)]


RESEND = re.compile(
    r"重新发送|重发|再发|再给我发|重新发|没收到|收不到|没有收到|没(?:看见|看到|见到?)(?:有)?短信|没有?短信|短信.{0,4}没(?:来|到)"
)
# how long a sealed verification id stays usable: the code's lifetime with a resend or two
CODE_TTL = 30 * 60
CODE_BUTTONS = [
    {"title": "重新发送验证码", "payload": "重新发送验证码"},
    {"title": "取消", "payload": "取消"},
]


def remember_pending(sender_id: str, case_number: str, name: str, kind: str, value: str, started) -> None:
    """The code on its way stays usable for its lifetime, also after 取消 (no second SMS needed)."""
    stash(
        sender_id,
        "cp_pending",
        f"{case_number}|{name}|{kind}|{value}|{started.verification_id}",
        ttl=max(60, started.expires_in),
    )


def pending_for(sender_id: str, case_number: str, kind: str, value: str) -> str | None:
    pending = unstash(sender_id, "cp_pending")
    if not pending:
        return None
    case, _, pkind, pvalue, verification_id = pending.split("|")
    return verification_id if (case, pkind, pvalue) == (case_number, kind, value) else None


class ActionAskCpCode(CourtAction):
    def name(self) -> str:
        return Action.ASK_CP_CODE

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(text="请输入短信中的 6 位验证码。", buttons=CODE_BUTTONS)
        return []


class ActionCaseProgress(CourtAction):
    """Shows the progress to the verified party, in plain Chinese, with the way to reach the judge."""

    def name(self) -> str:
        return Action.CASE_PROGRESS

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        case_number = tracker.get_slot(Slot.VERIFIED_CASE)
        token = unseal(tracker.sender_id, "grant", tracker.get_slot(Slot.CP_TOKEN))
        reset = [SlotSet(s, None) for s in FORM_SLOTS]
        if not case_number:
            return reset  # the form stopped early and already said why
        if not token:  # lapsed, or a grant from another conversation: verify again
            dispatcher.utter_message(
                text="身份验证已过期，请重新验证。",
                buttons=[{"title": "重新查询", "payload": f"/{Intent.QUERY_CASE_PROGRESS}"}],
            )
            return reset + [SlotSet(Slot.VERIFIED_CASE, None), SlotSet(Slot.CP_TOKEN, None)]
        try:
            progress = await shared_client().case_progress(case_number, token)
        except VerificationRequired:
            dispatcher.utter_message(
                text="身份验证已过期，请重新验证。",
                buttons=[{"title": "重新查询", "payload": f"/{Intent.QUERY_CASE_PROGRESS}"}],
            )
            return reset + [SlotSet(Slot.VERIFIED_CASE, None), SlotSet(Slot.CP_TOKEN, None)]
        except CourtError as exc:
            dispatcher.utter_message(text=exc.message, buttons=[WORKORDER_BUTTON])
            return reset
        card = progress_card(progress)
        dispatcher.utter_message(
            text=card_text(card),  # REST and WeChat: the card's lines, then the details
            buttons=[
                {"title": "给法官留言", "payload": f"/{Intent.CONTACT_JUDGE}"},
                {"title": "查询其他案件", "payload": f"/{Intent.QUERY_CASE_PROGRESS}"},
            ],
            json_message={CARD_KEY: card},  # the web chat shows the card, then the details
        )
        return reset


def progress_card(p: CaseProgress, latest: int = 4) -> dict[str, Any]:
    """What a citizen looks for first (stage, next date, judge and phone, time limit) as a short card,
    the rest (latest steps, the judge's team, the legal basis) as details under it. The next hearing is
    stated once: a step that only announces it keeps its name and date, not the repeated time."""
    s, j = p.summary, p.judge
    rows = [{"label": "当前阶段", "value": s.stage}]
    if p.next_hearing:
        h = p.next_hearing
        rows.append({"label": f"下次{h.kind}", "value": f"{h.time:%Y年%m月%d日 %H:%M}，{h.courtroom}"})
    rows.append({"label": "承办法官", "value": f"{j.name}（{j.division}）"})
    rows.append({"label": "联系电话", "value": j.office_phone})
    if p.time_limit:
        t = p.time_limit
        until = t.extended_to or t.deadline
        rows.append({"label": "审理期限", "value": f"至 {until:%Y-%m-%d}（还剩 {t.days_left} 天）"})
    if p.outcome:
        rows.append({"label": "结案方式", "value": p.outcome})
    details = ["最近进展："]
    details += [f"· {n.date:%Y-%m-%d} {n.name}{_node_detail(n, p)}" for n in p.nodes[-latest:]]
    details.append(f"法官助理 {j.assistant.name}，书记员 {j.clerk.name}。")
    if p.time_limit:
        details.append(f"审理期限依据：{p.time_limit.limit}（{p.time_limit.basis}）。")
    details.append("如需联系法官，可以点“给法官留言”，工作人员会在 1 个工作日内回电。")
    return {
        "title": f"案件 {s.case_number}",
        "subtitle": f"{s.case_type}，{p.cause}",
        "rows": rows,
        "details": "\n".join(details),
    }


def _node_detail(node: ProgressNode, p: CaseProgress) -> str:
    """A step's detail, unless it only repeats the next hearing's date shown on the card."""
    if not node.detail:
        return ""
    if p.next_hearing:
        t = p.next_hearing.time
        if f"{t.year}年{t.month}月{t.day}日" in node.detail or f"{t:%Y年%m月%d日}" in node.detail:
            return ""
    return "：" + node.detail


def card_text(card: dict[str, Any]) -> str:
    """The card as plain lines (channels without cards), title first, details after."""
    lines = [f"{card['title']}（{card['subtitle']}）"]
    lines += [f"{row['label']}：{row['value']}" for row in card["rows"]]
    return "\n".join(lines) + "\n" + card["details"]


class ActionAskCpCaseNumber(AskSlot):
    slot = Slot.CP_CASE_NUMBER


class ActionAskCpIdentity(AskSlot):
    slot = Slot.CP_IDENTITY
