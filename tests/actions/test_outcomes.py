"""What the citizen is finally told: a work order's number only once it is stored, its status only with
the phone it was registered with, a debtor search's entries, a lapsed verification. Actions run
in-process on a tracker factory with fake clients; assertions are on messages and returned events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from actions.case_progress import ActionCaseProgress
from actions.debtor import ActionDebtorLookup
from actions.settings import ActionSettings, configure
from actions.stash import seal, stash
from actions.workorder import ActionStartWorkorder, ActionSubmitWorkorder, ActionWorkorderStatus
from kernel.clients.court import (
    DebtorEntry,
    DebtorSearchResult,
    Unavailable,
    VerificationRequired,
)
from kernel.clients.workorders import WorkOrderError
from kernel.contracts import client_key
from kernel.names import Action, Intent, Slot
from tests.actions.conftest import make_tracker, run, slots_of

CASE = "（2026）京0105民初8848号"
PHONE = "13912341001"
CONFIRMED = {
    Slot.WO_KIND: "联系法官",
    Slot.WO_CASE_NUMBER: CASE,
    Slot.WO_NAME: "陈思远",
    Slot.WO_PHONE: "139****1001",
    Slot.WO_SUMMARY: "想问开庭时间",
    Slot.WO_CONFIRM: "yes",
}


@dataclass
class FakeWorkOrders:
    """The work-order service: stores what it is given, numbers it, and can be down."""

    down: bool = False
    clerks_online: int = 0
    stored: list[dict[str, Any]] = field(default_factory=list)
    live: list[tuple[str, str, str]] = field(default_factory=list)
    views: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    async def create(self, payload: dict[str, Any]) -> dict[str, Any]:
        if self.down:
            raise WorkOrderError("工单系统暂时不可用，请稍后再试，或拨打 12368 热线。", 503)
        number = f"GD20261201-{len(self.stored) + 1:04d}"
        self.stored.append({**payload, "number": number})
        return {"number": number, "first_contact_due_label": "12月2日 17:00"}

    async def lookup(self, number: str, phone: str) -> dict[str, Any]:
        if (number, phone) not in self.views:
            raise WorkOrderError("没有查到这个工单，请核对工单编号和手机号。", 404)
        return self.views[(number, phone)]

    async def clerk_online(self) -> bool:
        return self.clerks_online > 0

    async def request_live(self, number: str, conversation_id: str, channel: str) -> dict[str, Any]:
        self.live.append((number, conversation_id, channel))
        return {"handoff_id": 1}


@pytest.fixture
def orders(monkeypatch) -> FakeWorkOrders:
    fake = FakeWorkOrders()
    monkeypatch.setattr("actions.workorder.workorder_client", lambda: fake)
    return fake


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def confirmed(kind: str = "联系法官", channel: str = "rest", sender: str = "conv-1"):
    stash(sender, "wo_phone", PHONE)
    stash(sender, "wo_key", "msg-7")
    return make_tracker(
        "确认", intent="affirm", slots={**CONFIRMED, Slot.WO_KIND: kind}, channel=channel, sender=sender
    )


def test_the_number_told_is_the_number_of_the_stored_order(orders, court):
    messages, events = run(ActionSubmitWorkorder(), confirmed())
    [order] = orders.stored
    assert order["callback_phone"] == PHONE and order["citizen_name"] == "陈思远"  # raw phone, name as typed
    assert order["message_id"] == "msg-7" and order["case_number"] == CASE and order["kind"] == "联系法官"
    assert order["number"] in texts(messages)
    assert slots_of(events)[Slot.WORKORDER_NUMBER] == order["number"]


def test_the_order_carries_the_case_judges_id_from_the_court_data(orders, court, monkeypatch):
    from kernel.clients.court import CaseRouting

    async def routing(case_number):
        return CaseRouting(case_number, "北京市朝阳区人民法院", "易泽俊", "民事审判第一庭", "J0105-01")

    monkeypatch.setattr(court, "case_routing", routing)
    run(ActionSubmitWorkorder(), confirmed())
    [order] = orders.stored
    # the desk routes by the id, the name is for people
    assert (order["case_judge"], order["case_judge_id"]) == ("易泽俊", "J0105-01")


def test_a_down_service_tells_no_number_and_keeps_what_was_filled_in(orders, court):
    orders.down = True
    messages, events = run(ActionSubmitWorkorder(), confirmed())
    assert orders.stored == [] and "GD" not in texts(messages)
    assert [b["title"] for b in messages[-1]["buttons"]] == ["重新提交"]
    assert slots_of(events) == {Slot.WO_RETRY: True}  # confirmed, name, phone, case and summary stay


def test_resubmitting_after_the_service_is_back_stores_the_order_and_tells_its_number(orders, court):
    from rasa_sdk.events import FollowupAction

    from actions.core import ActionAnythingElse
    from kernel.names import Action

    orders.down = True
    _, failed = run(ActionSubmitWorkorder(), confirmed())
    orders.down = False
    retry = make_tracker(
        "重新提交", intent="affirm", slots={**CONFIRMED, **slots_of(failed)}, sender="conv-1"
    )
    _, events = run(ActionAnythingElse(), retry)  # the 重新提交 button outside any form
    assert events == [FollowupAction(Action.SUBMIT_WORKORDER)]
    messages, events = run(ActionSubmitWorkorder(), retry)
    [order] = orders.stored
    assert order["message_id"] == "msg-7" and order["number"] in texts(messages)  # the key fixed at the start
    assert slots_of(events)[Slot.WO_RETRY] is None


def test_an_expired_phone_asks_to_register_again_and_stores_nothing(orders, court):
    tracker = make_tracker("确认", intent="affirm", slots=CONFIRMED)  # nothing stashed
    messages, events = run(ActionSubmitWorkorder(), tracker)
    assert orders.stored == [] and messages[-1]["buttons"] and slots_of(events)[Slot.WO_PHONE] is None


@pytest.mark.parametrize(
    ("channel", "expected"), [("webchat", "web"), ("wechat", "wechat"), ("rest", "rest")]
)
def test_the_order_remembers_its_channel(orders, court, channel, expected):
    run(ActionSubmitWorkorder(), confirmed(channel=channel))
    assert orders.stored[0]["channel"] == expected


def test_with_a_clerk_online_a_web_request_for_a_person_is_put_through(orders, court):
    orders.clerks_online = 1
    messages, events = run(ActionSubmitWorkorder(), confirmed(kind="人工咨询", channel="webchat"))
    assert orders.live == [(orders.stored[0]["number"], "conv-1", "web")]
    assert any(e.get("event") == "pause" for e in events)
    assert orders.stored[0]["number"] in texts(messages)


def test_rest_callers_are_never_paused_for_a_live_chat(orders, court):
    orders.clerks_online = 1
    _, events = run(ActionSubmitWorkorder(), confirmed(kind="人工咨询", channel="rest"))
    assert orders.live == [] and not any(e.get("event") == "pause" for e in events)


def test_the_status_needs_the_registered_phone(orders):
    orders.views[("GD20261201-0001", PHONE)] = {
        "number": "GD20261201-0001",
        "status": "处理中",
        "last_reply": "已转承办法官",
    }
    messages, events = run(ActionWorkorderStatus(), make_tracker("查一下工单 GD20261201-0001"))
    assert "手机号" in texts(messages) and slots_of(events) == {Slot.WORKORDER_NUMBER: "GD20261201-0001"}
    messages, _ = run(
        ActionWorkorderStatus(), make_tracker(PHONE, slots={Slot.WORKORDER_NUMBER: "GD20261201-0001"})
    )
    assert "处理中" in texts(messages) and "已转承办法官" in texts(messages)
    messages, _ = run(ActionWorkorderStatus(), make_tracker("GD20261201-0001 13800001111"))
    assert "没有查到" in texts(messages) and "处理中" not in texts(messages)


def _entry(on_list: bool = True) -> DebtorEntry:
    return DebtorEntry(
        entry_id="e1",
        kind="person",
        name="胡波刚",
        sex="男",
        age=41,
        id_number_masked="110105********1234",
        credit_code=None,
        legal_representative=None,
        court="北京市朝阳区人民法院",
        province="北京",
        case_number="（2025）京0105执1234号",
        basis_document_number="（2024）京0105民初99号",
        basis_issuer="本院",
        filing_date=date(2025, 3, 1),
        obligation="给付货款12万元",
        performance="全部未履行",
        performed_part="0元",
        unperformed_part="12万元",
        conduct="有履行能力而拒不履行",
        publish_date=date(2025, 6, 1),
        on_list=on_list,
        deleted_date=None if on_list else date(2026, 1, 5),
        deletion_reason=None if on_list else "已履行完毕",
    )


def _debtor_tracker(sender: str = "conv-d"):
    stash(sender, "debtor_identifier", "id_number:110105198506152453")
    return make_tracker("胡波刚", slots={Slot.DEBTOR_NAME: "胡波刚"}, sender=sender)


def test_an_entry_on_the_list_is_shown_masked_with_the_way_off_it(court, monkeypatch):
    async def found(name, client=None, **identifier):
        court.debtor_queries.append({"name": name, **identifier})
        return DebtorSearchResult(entries=(_entry(),))

    monkeypatch.setattr(court, "search_debtors", found)
    messages, events = run(ActionDebtorLookup(), _debtor_tracker())
    shown = texts(messages)
    assert court.debtor_queries == [{"name": "胡波刚", "id_number": "110105198506152453"}]
    assert "110105********1234" in shown and "110105198506152453" not in shown
    assert "（2025）京0105执1234号" in shown and "移出" in shown
    assert slots_of(events)[Slot.DEBTOR_NAME] is None


def test_contact_the_judge_under_the_one_entry_shown_files_it_on_that_case(court, monkeypatch):
    """钱我都还上了，想申请信用修复，帮我联系执行法官 under the entry: the order carries its execution case."""

    async def found(name, client=None, **identifier):
        return DebtorSearchResult(entries=(_entry(),))

    monkeypatch.setattr(court, "search_debtors", found)
    run(ActionDebtorLookup(), _debtor_tracker())
    lookup = [{"event": "action", "name": Action.DEBTOR_LOOKUP}, {"event": "bot", "text": "查询到 胡波刚 …"}]
    asked = make_tracker(
        "钱还上了，帮我联系执行法官", intent=Intent.CONTACT_JUDGE, events=lookup, sender="conv-d"
    )
    filled = slots_of(run(ActionStartWorkorder(), asked)[1])
    assert filled[Slot.WO_KIND] == "信用修复" and filled[Slot.WO_CASE_NUMBER] == "（2025）京0105执1234号"


def test_with_two_entries_shown_the_case_is_asked(court, monkeypatch):
    async def two(name, client=None, **identifier):
        return DebtorSearchResult(entries=(_entry(), _entry()))

    monkeypatch.setattr(court, "search_debtors", two)
    run(ActionDebtorLookup(), _debtor_tracker())
    lookup = [{"event": "action", "name": Action.DEBTOR_LOOKUP}]
    asked = make_tracker("联系执行法官", intent=Intent.CONTACT_JUDGE, events=lookup, sender="conv-d")
    assert slots_of(run(ActionStartWorkorder(), asked)[1]).get(Slot.WO_CASE_NUMBER) is None


def test_a_refused_lookup_leaves_no_earlier_entrys_case_for_the_order(court, monkeypatch):
    async def found(name, client=None, **identifier):
        return DebtorSearchResult(entries=(_entry(),))

    monkeypatch.setattr(court, "search_debtors", found)
    run(ActionDebtorLookup(), _debtor_tracker())
    configure(ActionSettings.from_env({"DEBTOR_LIMIT_PER_CONVERSATION": "1"}))
    assert "上限" in texts(run(ActionDebtorLookup(), _debtor_tracker())[0])
    lookup = [{"event": "action", "name": Action.DEBTOR_LOOKUP}]
    asked = make_tracker("联系执行法官", intent=Intent.CONTACT_JUDGE, events=lookup, sender="conv-d")
    assert slots_of(run(ActionStartWorkorder(), asked)[1]).get(Slot.WO_CASE_NUMBER) is None


def test_a_deleted_entry_says_not_on_the_list(court, monkeypatch):
    async def deleted(name, client=None, **identifier):
        return DebtorSearchResult(entries=(_entry(on_list=False),))

    monkeypatch.setattr(court, "search_debtors", deleted)
    shown = texts(run(ActionDebtorLookup(), _debtor_tracker())[0])
    assert "已于 2026-01-05 删除" in shown and "现在不在名单上" in shown


def test_lookups_stop_at_the_conversation_limit(court):
    configure(ActionSettings.from_env({"DEBTOR_LIMIT_PER_CONVERSATION": "2"}))
    for _ in range(2):
        run(ActionDebtorLookup(), _debtor_tracker())
    shown = texts(run(ActionDebtorLookup(), _debtor_tracker())[0])
    assert len(court.debtor_queries) == 2 and "上限" in shown


def test_a_lapsed_verification_asks_to_verify_again(court, monkeypatch):
    async def lapsed(case_number, token):
        raise VerificationRequired(code="verification_required")

    monkeypatch.setattr(court, "case_progress", lapsed, raising=False)
    tracker = make_tracker(
        "查进度", slots={Slot.CP_TOKEN: seal("conv-1", "grant", "grant-1"), Slot.VERIFIED_CASE: CASE}
    )
    messages, events = run(ActionCaseProgress(), tracker)
    assert "重新验证" in texts(messages)
    assert slots_of(events)[Slot.CP_TOKEN] is None and slots_of(events)[Slot.VERIFIED_CASE] is None


def test_the_court_system_down_offers_a_work_order_instead(court, monkeypatch):
    async def down(case_number, token):
        raise Unavailable(code="unavailable")

    monkeypatch.setattr(court, "case_progress", down, raising=False)
    messages, _ = run(
        ActionCaseProgress(),
        make_tracker("查进度", slots={Slot.CP_TOKEN: seal("conv-1", "grant", "g"), Slot.VERIFIED_CASE: CASE}),
    )
    assert messages[-1]["buttons"] and messages[-1]["text"]


def test_a_grant_copied_into_another_conversation_opens_nothing(court, monkeypatch):
    seen: list[str] = []

    async def progress(case_number, token):
        seen.append(token)
        raise Unavailable(code="unavailable")

    monkeypatch.setattr(court, "case_progress", progress, raising=False)
    reference = seal("conv-1", "grant", "grant-of-conv-1")
    stolen = make_tracker(
        "查进度", slots={Slot.CP_TOKEN: reference, Slot.VERIFIED_CASE: CASE}, sender="conv-2"
    )
    messages, events = run(ActionCaseProgress(), stolen)
    assert seen == [] and "重新验证" in texts(messages) and slots_of(events)[Slot.CP_TOKEN] is None
    run(
        ActionCaseProgress(),
        make_tracker("查进度", slots={Slot.CP_TOKEN: reference, Slot.VERIFIED_CASE: CASE}),
    )
    assert seen == ["grant-of-conv-1"]  # in its own conversation the grant is used


def _from_client(sender: str, client: str | None):
    stash(sender, "debtor_identifier", "id_number:110105198506152453")
    metadata = {"client": client} if client else {}
    return make_tracker("胡波刚", slots={Slot.DEBTOR_NAME: "胡波刚"}, sender=sender, metadata=metadata)


def test_a_new_conversation_for_every_lookup_does_not_lift_the_days_limit(court):
    configure(ActionSettings.from_env({"DEBTOR_LIMIT_PER_CONVERSATION": "5", "DEBTOR_LIMIT_PER_DAY": "3"}))
    for n in range(3):
        run(ActionDebtorLookup(), _from_client(f"fresh-{n}", "client-a"))
    refused = texts(run(ActionDebtorLookup(), _from_client("fresh-9", "client-a"))[0])
    allowed = texts(run(ActionDebtorLookup(), _from_client("other", "client-b"))[0])
    assert "上限" in refused and "上限" not in allowed and len(court.debtor_queries) == 4


def _lookup_of(sender: str, client: str | None, identifier: str = "110105198506152453", name: str = "胡波刚"):
    stash(sender, "debtor_identifier", f"id_number:{identifier}")
    metadata = {"client": client} if client else {}
    return make_tracker(name, slots={Slot.DEBTOR_NAME: name}, sender=sender, metadata=metadata)


def test_two_clients_rotating_sender_ids_are_limited_per_address(court):
    """Each address's lookups count together whatever sender id they come with, and apart from the
    other address's; the address's key is what the court-data service is told."""
    configure(ActionSettings.from_env({"DEBTOR_LIMIT_PER_DAY": "2", "DEBTOR_LIMIT_PER_IDENTITY": "100"}))
    first, second = client_key("198.51.100.7"), client_key("198.51.100.8")
    answers = {first: [], second: []}
    for n in range(3):
        for address in (first, second):
            shown = texts(run(ActionDebtorLookup(), _lookup_of(f"{address}-{n}", address))[0])
            answers[address].append("上限" in shown)
    assert answers == {first: [False, False, True], second: [False, False, True]}
    assert court.debtor_clients == [first, second, first, second]


def test_one_identity_is_looked_up_at_most_n_times_a_day_across_clients(court):
    configure(ActionSettings.from_env({"DEBTOR_LIMIT_PER_IDENTITY": "3"}))
    for n in range(3):
        run(ActionDebtorLookup(), _lookup_of(f"s{n}", client_key(f"203.0.113.{n}")))
    refused = texts(run(ActionDebtorLookup(), _lookup_of("s9", client_key("203.0.113.9")))[0])
    other = texts(
        run(ActionDebtorLookup(), _lookup_of("s10", client_key("203.0.113.9"), "11010519780315149X", "王伟"))[
            0
        ]
    )
    assert "该被执行人" in refused and "上限" not in other and len(court.debtor_queries) == 4


def test_a_client_over_its_own_limit_does_not_use_up_an_identity(court):
    configure(ActionSettings.from_env({"DEBTOR_LIMIT_PER_DAY": "1", "DEBTOR_LIMIT_PER_IDENTITY": "2"}))
    greedy = client_key("198.51.100.66")
    for n in range(5):
        run(ActionDebtorLookup(), _lookup_of(f"g{n}", greedy))
    shown = texts(run(ActionDebtorLookup(), _lookup_of("honest", client_key("198.51.100.1")))[0])
    assert "上限" not in shown and len(court.debtor_queries) == 2
