"""Dishonest-debtor (失信被执行人) lookup: a name plus an ID number or credit code, never a bare name.

People share names, so the identifier is required to tell them apart, and it also keeps the bot from
being used to browse the list. Lookups are limited per conversation and per day (the KV store
counts them, shared by all action-server processes). Results show the published fields, the ID masked.
"""

from __future__ import annotations

import hashlib
import logging
import re

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
    latest_intent,
    latest_text,
)
from actions.settings import debtor_limits, kv, shared_client
from actions.stash import drop, stash, unstash
from kernel.clients.court import CourtError, DebtorEntry
from kernel.names import Action, Intent, Slot
from kernel.nlu.extract import CASE_NUMBER, find_problems
from kernel.nlu.identity import CREDIT_KIND, ID_KIND
from kernel.privacy import mask_credit_code, mask_id

log = logging.getLogger(__name__)
SURNAME_ONLY = re.compile(r"^(?:姓)?[\u4e00-\u9fa5](?:某|先生|女士|总|老板)?$|^(?:姓)[\u4e00-\u9fa5]")
DIGRESSIONS = BASE_DIGRESSIONS - {Intent.QUERY_DISHONEST_DEBTOR}
FORM_SLOTS = (Slot.DEBTOR_NAME, Slot.DEBTOR_IDENTITY)
HOW_TO_LEAVE = (
    "如何移出名单：\n"
    "· 履行完生效法律文书确定的义务（或与申请执行人达成和解并履行完毕），执行法院应在 3 个工作日内删除失信信息；\n"
    "· 认为被错误纳入的，可以向执行法院书面申请纠正，法院自收到申请之日起 15 日内审查；\n"
    "· 对纠正决定不服的，可以自决定书送达之日起 10 日内向上一级人民法院申请复议。\n"
    "（依据：最高人民法院《关于公布失信被执行人名单信息的若干规定》第十条至第十二条）"
)
CONSEQUENCES = (
    "被列入名单后，会受到乘坐飞机和高铁软卧、一等座等高消费限制，以及任职、招投标、融资信贷等方面的信用惩戒。"
)


CLIENT_LIMITED = (
    "查询次数已达上限（为防止名单信息被批量获取，每个对话和每天的查询次数有限）。"
    "请明天再试，或到“信用中国”、中国执行信息公开网查询。"
)
IDENTITY_LIMITED = (
    "今天对该被执行人的查询次数已达上限（为防止名单信息被批量获取）。"
    "请明天再试，或到“信用中国”、中国执行信息公开网查询。"
)
DAY = 24 * 3600
#: stash key of the execution case of the one entry a lookup found
LISTED_CASE = "debtor_listed_case"


def limits() -> tuple[int, int, int]:
    """(per conversation, per client a day, per searched identity a day), from DEBTOR_LIMIT_PER_*."""
    return debtor_limits()


def identity_key(name: str, identifier: str) -> str:
    """The KV key of one searched person or organisation: hashed, so no ID number sits in the store."""
    digest = hashlib.sha256(f"debtor-identity:{name}:{identifier}".encode()).hexdigest()[:24]
    return f"debtor:who:{digest}"


def refusal(tracker: Tracker, name: str, identifier: str) -> str | None:
    """Counts this lookup; the citizen's message when a limit is reached, None when it may run.

    The requester's limits come first: per conversation, and per client a day (the client is the socket's
    address on the web chat, the OpenID on WeChat, so a new conversation or sender id for every lookup
    does not lift it; where a channel knows no client, the conversation). Only a lookup they allow counts
    towards the searched identity's daily limit, so one client cannot use up another's lookups of a name."""
    per_conversation, per_day, per_identity = limits()
    store = kv()
    in_conversation = store.incr(f"debtor:conv:{tracker.sender_id}", ttl=DAY)
    today = store.incr(f"debtor:day:{client_of(tracker) or tracker.sender_id}", ttl=DAY)
    if in_conversation > per_conversation or today > per_day:
        return CLIENT_LIMITED
    if store.incr(identity_key(name, identifier), ttl=DAY) > per_identity:
        return IDENTITY_LIMITED
    return None


class ValidateDebtorForm(FormValidation):
    """Name first or identifier first, in one message or two; a surname alone is not enough."""

    def name(self) -> str:
        return Action.VALIDATE_DEBTOR

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        text, intent = latest_text(tracker).strip(), latest_intent(tracker)
        requested = tracker.get_slot(Slot.REQUESTED)
        leaving = exit_or_move(dispatcher, tracker, Intent.QUERY_DISHONEST_DEBTOR, FORM_SLOTS)
        if leaving is not None:
            return leaving
        for problem in find_problems(text):
            if (
                problem.entity != CASE_NUMBER
            ):  # a mistyped ID: the name given with it stays for the corrected one
                dispatcher.utter_message(text=problem.message)
                who = identity_of(tracker)
                kept = [SlotSet(Slot.DEBTOR_NAME, who.name)] if who.name else []
                return kept + [SlotSet(Slot.DEBTOR_IDENTITY, None)]
        events: list[EventType] = []
        who = identity_of(tracker)
        name = who.name
        identifier = who.value if who.kind in (ID_KIND, CREDIT_KIND) else None
        if not name and not identifier and requested == Slot.DEBTOR_NAME and SURNAME_ONLY.search(text):
            dispatcher.utter_message(text="只有姓氏无法查询。请提供被执行人的全名（单位请提供全称）。")
            return [SlotSet(Slot.DEBTOR_NAME, None)]
        if name and (not tracker.get_slot(Slot.DEBTOR_NAME) or identifier):  # a new pair replaces the old one
            events.append(SlotSet(Slot.DEBTOR_NAME, name))
        if identifier and (not tracker.get_slot(Slot.DEBTOR_IDENTITY) or name):
            kind = who.kind
            stash(tracker.sender_id, "debtor_identifier", f"{kind}:{identifier}")
            shown = mask_id(identifier) if kind == "id_number" else mask_credit_code(identifier)
            events.append(SlotSet(Slot.DEBTOR_IDENTITY, shown))
        if events or intent in DIGRESSIONS:
            return events
        if requested == Slot.DEBTOR_NAME:
            dispatcher.utter_message(
                text="请只输入被执行人的姓名或单位全称，例如：张明，或 北京某某科技有限公司。"
            )
        elif requested == Slot.DEBTOR_IDENTITY:
            dispatcher.utter_message(
                text="需要完整的18位身份证号（单位为18位统一社会信用代码）才能准确查询。"
            )
        return [SlotSet(requested, None)] if requested else []


class ActionDebtorLookup(CourtAction):
    """Looks up, shows published fields (ID masked), explains the way off the list, offers the judge."""

    def name(self) -> str:
        return Action.DEBTOR_LOOKUP

    async def act(self, dispatcher, tracker, domain) -> list[EventType]:
        reset = [SlotSet(s, None) for s in FORM_SLOTS]
        # a refused or failed lookup leaves no earlier entry's case behind for a credit-repair order
        drop(tracker.sender_id, LISTED_CASE)
        name = tracker.get_slot(Slot.DEBTOR_NAME)
        stashed = unstash(tracker.sender_id, "debtor_identifier")
        if not name or not stashed:
            return reset
        kind, _, identifier = stashed.partition(":")
        refused = refusal(tracker, name, identifier)
        if refused is not None:
            shown = mask_id(identifier) if kind == "id_number" else mask_credit_code(identifier)
            log.info("DEBTOR_REFUSED %s client=%s", shown, client_of(tracker) or "-")
            dispatcher.utter_message(text=refused)
            return reset
        try:
            result = await shared_client().search_debtors(
                name, **{kind: identifier}, client=client_of(tracker)
            )
        except CourtError as exc:
            dispatcher.utter_message(
                text=exc.message, buttons=[{"title": "留言给工作人员", "payload": f"/{Intent.REQUEST_HUMAN}"}]
            )
            return reset
        render_result(dispatcher, name, result.on_list, result.deleted)
        # the one entry just shown is the case a credit-repair order is about (actions/workorder.py)
        if len(result.on_list) == 1:
            stash(tracker.sender_id, LISTED_CASE, result.on_list[0].case_number)
        return reset


def render_result(
    dispatcher: CollectingDispatcher,
    name: str,
    on_list: tuple[DebtorEntry, ...],
    deleted: tuple[DebtorEntry, ...],
) -> None:
    if on_list:
        dispatcher.utter_message(text=f"查询到 {name} 在失信被执行人名单上，共 {len(on_list)} 条：")
        for entry in on_list:
            dispatcher.utter_message(text=render_entry(entry))
        dispatcher.utter_message(
            text=CONSEQUENCES + "\n" + HOW_TO_LEAVE,
            buttons=[
                {"title": "联系执行法官", "payload": f"/{Intent.CONTACT_JUDGE}"},
                {"title": "怎么移出失信名单", "payload": "怎么移出失信名单"},
            ],
        )
    for entry in deleted:
        dispatcher.utter_message(
            text=f"{name} 曾因 {entry.case_number} 被列入失信名单，已于 "
            f"{entry.deleted_date or '—'} 删除（{entry.deletion_reason or '已删除'}），现在不在名单上。"
        )
    if not on_list:
        if not deleted:
            dispatcher.utter_message(text=f"没有查到 {name} 在失信被执行人名单上的记录。")
        dispatcher.utter_message(
            text="提示：限制消费（限高）是另一份名单，不在失信名单上不代表没有被限制消费，可到中国执行信息公开网查询。",
            buttons=[{"title": "查询其他人", "payload": f"/{Intent.QUERY_DISHONEST_DEBTOR}"}],
        )


def render_entry(e: DebtorEntry) -> str:
    """Every field the SPC publishes, in the order the public list shows them."""
    who = (
        f"{e.name}，{e.sex or ''}，{e.age or ''}岁，身份证号 {e.id_number_masked}"
        if e.kind == "person"
        else f"{e.name}，统一社会信用代码 {e.credit_code}，法定代表人 {e.legal_representative}"
    )
    return "\n".join(
        [
            f"被执行人：{who}",
            f"执行法院：{e.court}（{e.province}）",
            f"执行案号：{e.case_number}",
            f"执行依据：{e.basis_document_number}（{e.basis_issuer}）",
            f"立案时间：{e.filing_date}",
            f"生效文书确定的义务：{e.obligation}",
            f"履行情况：{e.performance}；已履行：{e.performed_part}；未履行：{e.unperformed_part}",
            f"失信行为：{e.conduct}",
            f"发布时间：{e.publish_date}",
        ]
    )


class ActionAskDebtorName(AskSlot):
    slot = Slot.DEBTOR_NAME


class ActionAskDebtorIdentity(AskSlot):
    slot = Slot.DEBTOR_IDENTITY
