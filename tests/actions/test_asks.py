"""A form step says one thing: when the validation has asked again in its own words, the form's plain
question is not added under it; in the next turn the plain question is back."""

from __future__ import annotations

from actions.case_progress import ActionAskCpCaseNumber, ActionAskCpIdentity, ValidateCaseProgressForm
from actions.debtor import ActionAskDebtorName, ValidateDebtorForm
from actions.workorder import ActionAskWoPhone, ValidateWorkorderForm
from kernel.names import Slot
from tests.actions.conftest import make_tracker, run

CASE = "（2026）京0105民初8848号"
EARLIER = [{"event": "user", "text": "我想查案件进度"}, {"event": "bot", "text": "请告诉我您的案号"}]


def _responses(messages: list[dict]) -> list[str]:
    return [m.get("response") for m in messages if m.get("response")]


def test_a_case_number_not_understood_is_asked_for_once(court):
    tracker = make_tracker("我也不知道号码", events=EARLIER, slots={Slot.REQUESTED: Slot.CP_CASE_NUMBER})
    said, _ = run(ValidateCaseProgressForm(), tracker)
    asked, _ = run(ActionAskCpCaseNumber(), tracker)
    assert len(said) == 1 and "案号" in said[0]["text"] and asked == []


def test_the_plain_question_comes_back_in_the_next_turn(court):
    tracker = make_tracker("我也不知道号码", events=EARLIER, slots={Slot.REQUESTED: Slot.CP_CASE_NUMBER})
    run(ValidateCaseProgressForm(), tracker)
    later = make_tracker("好", events=EARLIER + [{"event": "user", "text": "我也不知道号码"}])
    asked, _ = run(ActionAskCpCaseNumber(), later)
    assert _responses(asked) == ["utter_ask_cp_case_number"]


def test_a_name_alone_gets_one_question_for_the_id(court):
    slots = {Slot.REQUESTED: Slot.CP_IDENTITY, Slot.CP_CASE_NUMBER: CASE}
    tracker = make_tracker("陈思远", events=EARLIER, slots=slots)
    said, _ = run(ValidateCaseProgressForm(), tracker)
    asked, _ = run(ActionAskCpIdentity(), tracker)
    assert len(said) == 1 and "陈思远" in said[0]["text"] and asked == []


def test_a_surname_alone_in_the_debtor_form(court):
    tracker = make_tracker("王", events=EARLIER, slots={Slot.REQUESTED: Slot.DEBTOR_NAME})
    said, _ = run(ValidateDebtorForm(), tracker)
    asked, _ = run(ActionAskDebtorName(), tracker)
    assert len(said) == 1 and asked == []


def test_a_bad_phone_in_the_work_order_form(court):
    slots = {
        Slot.REQUESTED: Slot.WO_PHONE,
        Slot.WO_KIND: "联系法官",
        Slot.WO_CASE_NUMBER: CASE,
        Slot.WO_NAME: "陈思远",
    }
    tracker = make_tracker("1391234", events=EARLIER, slots=slots)
    said, _ = run(ValidateWorkorderForm(), tracker)
    asked, _ = run(ActionAskWoPhone(), tracker)
    assert len(said) == 1 and asked == []


def test_leaving_the_form_does_not_silence_what_comes_next(court):
    tracker = make_tracker(
        "不查了", intent="deny", events=EARLIER, slots={Slot.REQUESTED: Slot.CP_CASE_NUMBER}
    )
    said, _ = run(ValidateCaseProgressForm(), tracker)
    asked, _ = run(ActionAskCpCaseNumber(), tracker)
    assert said and _responses(asked) == ["utter_ask_cp_case_number"]
