"""Form steps a citizen finishes by tapping: 取消 on every step, 重新发送验证码 on the code step, and the
progress answer as a card. The buttons' payloads are taken from what the bot sends (domain.yml and the
ask actions) and fed back to the form's validation, so a button that the bot would not understand fails."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from actions.case_progress import ActionAskCpCode, ActionCaseProgress, ValidateCaseProgressForm
from actions.debtor import ValidateDebtorForm
from actions.stash import seal
from actions.workorder import ValidateWorkorderForm
from kernel.clients.court import CaseProgress
from kernel.contracts import CARD_KEY
from kernel.names import Slot
from services.courtdata import CourtStore
from services.courtdata.settings import DEFAULT_FILE
from services.courtdata.views import progress
from tests.actions.conftest import make_tracker, run, slots_of

CASE = "（2026）京0105民初8848号"
PARTY = (CASE, "陈思远", "11010519880615245X")
RESPONSES = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text(encoding="utf-8"))[
    "responses"
]
STEPS = [
    (ValidateCaseProgressForm, Slot.CP_CASE_NUMBER, {}),
    (ValidateCaseProgressForm, Slot.CP_IDENTITY, {Slot.CP_CASE_NUMBER: CASE}),
    (ValidateDebtorForm, Slot.DEBTOR_NAME, {}),
    (ValidateDebtorForm, Slot.DEBTOR_IDENTITY, {Slot.DEBTOR_NAME: "王伟"}),
    (ValidateWorkorderForm, Slot.WO_CASE_NUMBER, {Slot.WO_KIND: "联系法官"}),
    (ValidateWorkorderForm, Slot.WO_NAME, {Slot.WO_KIND: "联系法官"}),
    (ValidateWorkorderForm, Slot.WO_PHONE, {Slot.WO_KIND: "联系法官", Slot.WO_NAME: "陈思远"}),
    (ValidateWorkorderForm, Slot.WO_SUMMARY, {Slot.WO_KIND: "投诉建议", Slot.WO_NAME: "陈思远"}),
]


def button(buttons: list[dict], title: str) -> str:
    payloads = [b["payload"] for b in buttons if b["title"] == title]
    assert payloads, f"no {title} button among {[b['title'] for b in buttons]}"
    return payloads[0]


def left_the_form(events: list[dict]) -> bool:
    return {"event": "active_loop", "name": None, "timestamp": None} in events


@pytest.mark.parametrize(("form", "slot", "slots"), STEPS, ids=[s for _, s, _ in STEPS])
def test_every_form_step_offers_a_cancel_button_that_leaves_the_form(court, form, slot, slots):
    prompt = RESPONSES[f"utter_ask_{slot}"][0]
    payload = button(prompt.get("buttons", []), "取消")
    tracker = make_tracker(payload, intent="inform", slots={**slots, Slot.REQUESTED: slot})
    messages, events = run(form(), tracker)
    assert left_the_form(events) and slots_of(events)[slot] is None
    assert messages  # told it was cancelled


def test_a_step_asked_again_in_the_validations_own_words_still_offers_cancel(court):
    messages, _ = run(
        ValidateCaseProgressForm(), make_tracker("我不知道", slots={Slot.REQUESTED: Slot.CP_CASE_NUMBER})
    )
    assert "没有识别到案号" in messages[-1]["text"]
    assert button(messages[-1]["buttons"], "取消") == "取消"


def code_step(court) -> dict:
    """Name and ID given: the code is sent and the form waits for it (the slots as Rasa would hold them)."""
    court.parties[PARTY] = "13900001001"
    start = {Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_IDENTITY}
    messages, events = run(ValidateCaseProgressForm(), make_tracker("陈思远 11010519880615245X", slots=start))
    assert "验证码已发送" in messages[-1]["text"] and not messages[-1].get("buttons")  # the prompt has them
    return {**slots_of(events), Slot.CP_CASE_NUMBER: CASE, Slot.REQUESTED: Slot.CP_CODE}


def test_the_resend_button_sends_a_second_code(court):
    slots = code_step(court)
    prompt, _ = run(ActionAskCpCode(), make_tracker("陈思远 11010519880615245X", slots=slots))
    payload = button(prompt[-1]["buttons"], "重新发送验证码")
    messages, events = run(ValidateCaseProgressForm(), make_tracker(payload, intent="inform", slots=slots))
    assert [s["phone"] for s in court.sent] == ["13900001001", "13900001001"]  # a second SMS
    assert "已重新发送验证码到 139****1001" in messages[-1]["text"] and not left_the_form(events)


def test_the_cancel_button_of_the_code_step_leaves_the_form(court):
    slots = code_step(court)
    prompt, _ = run(ActionAskCpCode(), make_tracker("陈思远 11010519880615245X", slots=slots))
    payload = button(prompt[-1]["buttons"], "取消")
    _, events = run(ValidateCaseProgressForm(), make_tracker(payload, intent="inform", slots=slots))
    assert left_the_form(events) and len(court.sent) == 1


def demo_progress(number: str) -> CaseProgress:
    store = CourtStore.from_file(DEFAULT_FILE)
    now = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    return CaseProgress.from_json(progress(store.case(number), store, now))


def test_the_progress_answer_leads_with_a_card_and_states_the_hearing_once(court, monkeypatch):
    async def case_progress(case_number, token):
        return demo_progress(case_number)

    monkeypatch.setattr(court, "case_progress", case_progress, raising=False)
    tracker = make_tracker(
        "查进度", slots={Slot.CP_TOKEN: seal("conv-1", "grant", "grant-1"), Slot.VERIFIED_CASE: CASE}
    )
    messages, _ = run(ActionCaseProgress(), tracker)
    card = messages[-1]["custom"][CARD_KEY]
    rows = {row["label"]: row["value"] for row in card["rows"]}
    assert list(rows)[:4] == ["当前阶段", "下次开庭", "承办法官", "联系电话"] and "审理期限" in rows
    assert rows["下次开庭"] == "2026年12月10日 09:30，第十二法庭"
    assert "易泽俊" in rows["承办法官"] and rows["联系电话"]
    assert "最近进展" in card["details"] and "开庭排期" in card["details"]
    text = messages[-1]["text"]  # REST and WeChat: the card as lines, then the details
    assert text.index("当前阶段") < text.index("最近进展")
    assert text.count("12月10日") == 1 and card["details"].count("12月10日") == 0


def test_wechat_shows_the_progress_once_as_plain_lines(court, monkeypatch):
    from bot.channels.wechat.text import render

    async def case_progress(case_number, token):
        return demo_progress(case_number)

    monkeypatch.setattr(court, "case_progress", case_progress, raising=False)
    tracker = make_tracker(
        "查进度", slots={Slot.CP_TOKEN: seal("conv-1", "grant", "grant-1"), Slot.VERIFIED_CASE: CASE}
    )
    messages, _ = run(ActionCaseProgress(), tracker)
    # Rasa hands a channel the text (with buttons) and the custom payload as two messages
    text, payloads = render(
        [
            {"text": messages[-1]["text"], "buttons": messages[-1]["buttons"]},
            {"custom": messages[-1]["custom"]},
        ]
    )
    assert text.count("当前阶段") == 1 and text.count("12月10日") == 1 and "最近进展" in text
    assert payloads == [b["payload"] for b in messages[-1]["buttons"]]
