"""The identity steps of the forms: what the citizen wrote is what the court is asked about."""

from __future__ import annotations

import pytest

from actions.case_progress import ValidateCaseProgressForm
from actions.debtor import ActionDebtorLookup, ValidateDebtorForm
from actions.stash import unseal
from kernel.contracts import client_key
from kernel.names import Slot
from tests.actions.conftest import make_tracker, run, slots_of

CASE = "（2026）京0105民初8848号"
PARTY = (CASE, "陈思远", "11010519880615245X")


def opened(reference: str) -> str | None:
    """What a sealed slot value stands for in the test conversation (never the secret itself)."""
    assert reference != "v-1"
    return unseal("conv-1", "verification", reference)


@pytest.mark.parametrize(
    "text",
    [
        "陈思远 11010519880615245X",
        "姓名陈思远 证件号11010519880615245X",
        "11010519880615245X陈思远",
        "我叫陈思远，身份证号是11010519880615245X",
        "陳思遠，11010519880615245X",
    ],
)
def test_the_code_goes_to_the_party_named_as_written(court, text):
    court.parties[PARTY] = "13900001001"
    tracker = make_tracker(text, slots={Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY})
    messages, events = run(ValidateCaseProgressForm(), tracker)
    assert court.sent == [
        {"case": CASE, "name": "陈思远", "identifier": "11010519880615245X", "phone": "13900001001"}
    ]
    assert (
        opened(slots_of(events)[Slot.CP_VERIFICATION]) == "v-1"
    )  # kept server-side, a reference in the slot
    assert "139****1001" in messages[-1]["text"]


def test_a_mistyped_id_keeps_the_name_for_the_corrected_one(court):
    court.parties[PARTY] = "13900001001"
    first = make_tracker(
        "陈思远 110105198806152451", slots={Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY}
    )
    _, events = run(ValidateCaseProgressForm(), first)
    assert court.sent == [] and slots_of(events)[Slot.CP_NAME] == "陈思远"
    second = make_tracker(
        "不好意思打错了，是11010519880615245X",
        slots={Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY, Slot.CP_NAME: "陈思远"},
    )
    run(ValidateCaseProgressForm(), second)
    assert [s["name"] for s in court.sent] == ["陈思远"]


def test_debtor_lookup_searches_the_full_name(court):
    tracker = make_tracker(
        "司马相如 11010519880615245X", intent="inform", slots={Slot.REQUESTED: Slot.DEBTOR_NAME}
    )
    _, events = run(ValidateDebtorForm(), tracker)
    slots = slots_of(events)
    assert slots[Slot.DEBTOR_NAME] == "司马相如"
    lookup = make_tracker("司马相如 11010519880615245X", slots=slots)
    run(ActionDebtorLookup(), lookup)
    assert court.debtor_queries == [
        {"name": "司马相如", "id_number": "11010519880615245X", "credit_code": None}
    ]


def test_a_surname_alone_is_refused_without_a_lookup(court):
    messages, _ = run(ValidateDebtorForm(), make_tracker("姓王", slots={Slot.REQUESTED: Slot.DEBTOR_NAME}))
    assert court.debtor_queries == [] and "全名" in messages[-1]["text"]


def test_resend_sends_a_new_code_to_the_same_party(court):
    court.parties[PARTY] = "13900001001"
    _, events = run(
        ValidateCaseProgressForm(),
        make_tracker(
            "陈思远 11010519880615245X", slots={Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY}
        ),
    )
    slots = {**slots_of(events), Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_CODE}
    run(ValidateCaseProgressForm(), make_tracker("验证码还没收到", slots=slots))
    assert [s["phone"] for s in court.sent] == ["13900001001", "13900001001"]
    # an elderly citizen's words, which the classifier took for a wish for a person: still a resend
    asked = make_tracker("我没看见有短信啊，能不能再给我发一遍", intent="request_human", slots=slots)
    run(ValidateCaseProgressForm(), asked)
    assert [s["phone"] for s in court.sent] == ["13900001001"] * 3


def test_a_code_on_its_way_stays_usable_after_cancel(court):
    from kernel.clients.court import RateLimited

    court.parties[PARTY] = "13900001001"
    start = {Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY}
    run(ValidateCaseProgressForm(), make_tracker("陈思远 11010519880615245X", slots=start))

    async def limited(*args, **kwargs):
        raise RateLimited("请56秒后再重新获取。")

    court.start_verification = limited
    _, events = run(ValidateCaseProgressForm(), make_tracker("陈思远 11010519880615245X", slots=start))
    assert opened(slots_of(events)[Slot.CP_VERIFICATION]) == "v-1"  # the code already received still works


def test_a_mistyped_debtor_id_keeps_the_name(court):
    _, events = run(
        ValidateDebtorForm(),
        make_tracker("王伟 11010519780315148X", slots={Slot.REQUESTED: Slot.DEBTOR_NAME}),
    )
    assert slots_of(events)[Slot.DEBTOR_NAME] == "王伟"


def test_a_conversation_stops_after_three_identities_that_do_not_match(court):
    attempts = []
    original = court.start_verification

    async def counting(*args, **kwargs):
        attempts.append(args)
        return await original(*args, **kwargs)

    court.start_verification = counting
    slots = {Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY}
    for guess in ("陈思 11010519880615245X", "陈四远 11010519880615245X", "陈思源 11010519880615245X"):
        messages, events = run(ValidateCaseProgressForm(), make_tracker(guess, slots=slots))
    assert "暂停身份核验" in messages[-1]["text"] and slots_of(events)[Slot.REQUESTED] is None
    court.parties[PARTY] = "13900001001"  # even the right pair is no longer tried in this conversation
    messages, _ = run(ValidateCaseProgressForm(), make_tracker("陈思远 11010519880615245X", slots=slots))
    assert len(attempts) == 3 and court.sent == [] and "暂停身份核验" in messages[-1]["text"]
    run(ValidateCaseProgressForm(), make_tracker("陈思远 11010519880615245X", slots=slots, sender="conv-2"))
    assert len(court.sent) == 1  # another conversation is not affected


def test_the_verification_tells_the_service_which_client_asked(court):
    """Failed identity matches must count per end client at the court-data service as well (issue 10)."""
    court.parties[PARTY] = "13900001001"
    who = client_key("198.51.100.7")
    tracker = make_tracker(
        "陈思远 11010519880615245X",
        slots={Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY},
        metadata={"client": who},
    )
    run(ValidateCaseProgressForm(), tracker)
    assert court.verification_clients == [who]
