"""Leaving a form, changing one's mind, correcting the read-back, a case offered rather than attached."""

from __future__ import annotations

import pytest

from actions.case_progress import ValidateCaseProgressForm
from actions.core import ActionGreet
from actions.workorder import (
    ActionAskWoCaseNumber,
    ActionAskWoConfirm,
    ActionStartWorkorder,
    ValidateWorkorderForm,
)
from kernel.names import Intent, Slot
from tests.actions.conftest import make_tracker, run, slots_of

CASE = "（2026）京0105民初8848号"
READ_BACK = {
    Slot.WO_KIND: "联系法官",
    Slot.WO_CASE_NUMBER: CASE,
    Slot.WO_NAME: "陈思",
    Slot.WO_PHONE: "139****1001",
    Slot.WO_SUMMARY: "想问开庭时间",
    Slot.REQUESTED: Slot.WO_CONFIRM,
}


def active(event_list):
    return [e for e in event_list if e.get("event") == "active_loop"]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("不查了", "deny"),
        ("退出", "faq"),
        ("算了算了", "out_of_scope"),
        ("不要了", "inform"),
        ("我不找法官了", "contact_judge"),
        ("谢谢你啊，再见", "thank"),  # "thanks, bye" in the middle of a form (a blind conversation)
        ("算了不查了，等法院通知吧", "query_dishonest_debtor"),  # a wrong guess names no other flow
    ],
)
def test_plain_words_end_the_form_whatever_the_intent(text, intent):
    tracker = make_tracker(
        text, intent=intent, slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER, Slot.WO_KIND: "联系法官"}
    )
    messages, events = run(ValidateWorkorderForm(), tracker)
    assert active(events) == [{"event": "active_loop", "name": None, "timestamp": None}]
    assert slots_of(events)[Slot.WO_CASE_NUMBER] is None and messages  # told, with the menu


@pytest.mark.parametrize(
    ("text", "summary"),
    [("跳过", "（未填写，回电时询问）"), ("没有", "（未填写，回电时询问）"), ("确认", "（未填写，回电时询问）"),
     ("想问开庭时间有没有变", "想问开庭时间有没有变")],
)  # fmt: skip
def test_the_summary_can_be_skipped_and_a_person_asks_at_the_callback(text, summary):
    slots = {Slot.REQUESTED: Slot.WO_SUMMARY, Slot.WO_KIND: "转人工", Slot.WO_NAME: "邓颖颖"}
    messages, events = run(ValidateWorkorderForm(), make_tracker(text, intent="affirm", slots=slots))
    assert slots_of(events)[Slot.WO_SUMMARY] == summary and messages == []


def test_a_change_of_mind_is_declined_so_the_new_flow_starts():
    tracker = make_tracker(
        "我不查进度了，我要投诉法官",
        intent=Intent.FILE_COMPLAINT,
        slots={Slot.REQUESTED: Slot.CP_IDENTITY, Slot.CP_CASE_NUMBER: CASE},
    )
    messages, events = run(ValidateCaseProgressForm(), tracker)
    assert events == [] and messages == []


def test_a_name_correction_at_the_read_back_keeps_everything_else():
    _, events = run(
        ValidateWorkorderForm(), make_tracker("名字不对，是陈思远", intent="inform", slots=READ_BACK)
    )
    assert slots_of(events) == {Slot.WO_NAME: "陈思远", Slot.WO_CONFIRM: None}


def test_a_phone_correction_at_the_read_back():
    _, events = run(
        ValidateWorkorderForm(), make_tracker("等下，手机号不对，换成15874188663", slots=READ_BACK)
    )
    assert slots_of(events) == {Slot.WO_PHONE: "158****8663", Slot.WO_CONFIRM: None}


def test_no_at_the_read_back_asks_what_to_change_instead_of_cancelling():
    messages, events = run(ValidateWorkorderForm(), make_tracker("不对", intent=Intent.DENY, slots=READ_BACK))
    assert not active(events) and slots_of(events) == {Slot.WO_CONFIRM: None}
    assert {b["title"] for b in messages[-1]["buttons"]} >= {"修改姓名", "修改手机号", "修改案号", "取消"}
    again, _ = run(ActionAskWoConfirm(), make_tracker("不对", slots=READ_BACK))
    assert again == []  # no second read-back under the question


def test_edit_button_clears_that_field_only():
    _, events = run(ValidateWorkorderForm(), make_tracker("修改姓名", slots=READ_BACK))
    assert slots_of(events) == {Slot.WO_NAME: None, Slot.WO_CONFIRM: None}


def test_confirm_submits():
    _, events = run(ValidateWorkorderForm(), make_tracker("确认提交", intent=Intent.AFFIRM, slots=READ_BACK))
    assert slots_of(events) == {Slot.WO_CONFIRM: "yes"}


def test_an_earlier_case_is_offered_not_attached():
    tracker = make_tracker("我要找人工", intent=Intent.REQUEST_HUMAN, slots={Slot.VERIFIED_CASE: CASE})
    _, events = run(ActionStartWorkorder(), tracker)
    assert slots_of(events).get(Slot.WO_CASE_NUMBER) is None
    asked, _ = run(ActionAskWoCaseNumber(), make_tracker("我要找人工"))
    assert CASE in asked[-1]["text"] and "是这个案件吗" in asked[-1]["text"]
    _, events = run(
        ValidateWorkorderForm(),
        make_tracker("是的", intent=Intent.AFFIRM, slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER}),
    )
    assert slots_of(events)[Slot.WO_CASE_NUMBER] == CASE


def test_a_faq_inside_the_work_order_is_left_to_the_rules():
    tracker = make_tracker("法律援助怎么申请", intent=Intent.FAQ, slots={Slot.REQUESTED: Slot.WO_NAME})
    assert run(ValidateWorkorderForm(), tracker) == ([], [])


def test_a_complaint_never_takes_the_judges_name_as_the_citizens():
    tracker = make_tracker(
        "我要投诉江帆伟法官！开庭的时候态度极其恶劣",
        intent=Intent.FILE_COMPLAINT,
        slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER},
        entities=[{"entity": "person_name", "value": "江帆伟", "start": 4, "end": 7}],
    )
    _, events = run(ValidateWorkorderForm(), tracker)
    assert Slot.WO_NAME not in slots_of(events)


def test_one_greeting_per_new_conversation():
    welcome = {"event": "bot", "text": "您好，我是…", "metadata": {"utter_action": "utter_welcome"}}
    assert run(ActionGreet(), make_tracker("你好", intent="greet", events=[welcome]))[0] == []
    later = [welcome, {"event": "user", "text": "查案件"}, {"event": "bot", "text": "请告诉我您的案号"}]
    assert len(run(ActionGreet(), make_tracker("你好", intent="greet", events=later))[0]) == 1


def test_the_transcript_holds_only_the_orders_own_turns():
    from actions.workorder import transcript

    events = [
        {"event": "user", "text": "查案件进度"},
        {"event": "bot", "text": "案件 （2026）京03民终512号 当前阶段：审理"},
        {"event": "user", "text": "我要找法官"},
        {"event": "action", "name": "action_start_workorder"},
        {"event": "bot", "text": "好的，我帮您给承办法官留言"},
    ]
    tracker = make_tracker("13900001001", events=events)
    texts = [t["text"] for t in transcript(tracker)]
    assert texts[0] == "我要找法官" and not any("512" in t for t in texts)
    assert texts[-1] == "139****1001"


@pytest.mark.parametrize("text", ["你们到底管不管", "打了一个月电话都没人理，你们效率太低了"])
def test_frustration_gets_an_apology_and_a_person(text):
    from actions.core import ActionAnythingElse

    messages, _ = run(ActionAnythingElse(), make_tracker(text, intent="deny"))
    payloads = {b["payload"] for m in messages for b in m.get("buttons", [])}
    assert "/request_human" in payloads and "抱歉" in messages[0]["text"]


def test_a_plain_no_outside_a_form_gets_the_menu():
    from actions.core import ActionAnythingElse

    messages, _ = run(ActionAnythingElse(), make_tracker("不用", intent="deny"))
    assert messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {},
            "template": "utter_anything_else",
            "response": "utter_anything_else",
            "image": None,
            "attachment": None,
        }
    ]


def test_the_message_that_starts_the_order_is_no_exit():
    events = [
        {"event": "user", "text": "x"},
        {"event": "bot", "text": "y"},
        {"event": "user", "text": "算了，你直接帮我联系执行法官吧"},
        {"event": "action", "name": "action_start_workorder"},
    ]
    tracker = make_tracker(
        "算了，你直接帮我联系执行法官吧",
        intent=Intent.CONTACT_JUDGE,
        events=events[:2],
        slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER, Slot.WO_KIND: "联系法官"},
    )
    tracker.events.append(events[3])
    _, got = run(ValidateWorkorderForm(), tracker)
    assert not active(got)


@pytest.mark.parametrize(("kind", "case"), [("投诉举报", "无"), ("人工咨询", "无"), ("联系法官", None)])
def test_a_case_is_needed_only_to_reach_the_judge(kind, case):
    tracker = make_tracker(
        "我叫王淑珍，电话13641190275", slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER, Slot.WO_KIND: kind}
    )
    messages, events = run(ValidateWorkorderForm(), tracker)
    slots = slots_of(events)
    assert slots[Slot.WO_CASE_NUMBER] == case
    assert slots[Slot.WO_NAME] == "王淑珍" and slots[Slot.WO_PHONE] == "136****0275"  # kept, not asked again


def test_the_order_is_in_the_persons_name_not_the_company():
    tracker = make_tracker("我是北京安泰正方物流股份有限公司的会计王慧", slots={Slot.REQUESTED: Slot.WO_NAME})
    _, events = run(ValidateWorkorderForm(), tracker)
    assert slots_of(events).get(Slot.WO_NAME) in (None, "王慧")


@pytest.mark.parametrize(
    "text", ["先不提交了，我自己再打打法庭的电话试试", "法人手机不在我这儿，收不到验证码，下次再查吧"]
)
def test_putting_it_off_leaves_the_form(text):
    for requested in (Slot.WO_CONFIRM, Slot.CP_CODE):
        tracker = make_tracker(text, intent="inform", slots={**READ_BACK, Slot.REQUESTED: requested})
        form = ValidateWorkorderForm() if requested == Slot.WO_CONFIRM else ValidateCaseProgressForm()
        _, events = run(form, tracker)
        assert active(events), (text, requested)


def test_a_request_with_the_details_needs_no_second_description():
    text = "我想咨询执行款退费的问题，我叫马建华，电话13520147789"
    tracker = make_tracker(text, slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER, Slot.WO_KIND: "人工咨询"})
    _, events = run(ValidateWorkorderForm(), tracker)
    slots = slots_of(events)
    assert slots[Slot.WO_NAME] == "马建华" and slots[Slot.WO_SUMMARY].startswith("我想咨询执行款退费")


def test_a_wish_for_a_person_asks_name_and_phone_then_reads_back():
    """Three blind writers expected 转人工 → name → phone → 确认: the caller-back asks what it is about."""
    _, events = run(ActionStartWorkorder(), make_tracker("转人工", intent=Intent.REQUEST_HUMAN))
    filled = slots_of(events)
    assert filled[Slot.WO_CASE_NUMBER] == "无" and filled[Slot.WO_SUMMARY] == "（未填写，回电时询问）"
    judge, _ = run(ActionStartWorkorder(), make_tracker("找法官", intent=Intent.CONTACT_JUDGE))
    assert slots_of(judge).get(Slot.WO_CASE_NUMBER) is None  # a judge's callback still needs its case


@pytest.mark.parametrize(
    ("text", "summary"),
    [
        ("我想咨询执行款退费的问题，我叫马建华，电话13520147789", "我想咨询执行款退费的问题，我叫马建华，电话135****7789"),
        ("我叫林秀兰，手机15801357924", "（未填写，回电时询问）"),
        ("name: 林嘉怡, phone: 186-1234-0098", "（未填写，回电时询问）"),
    ],
)  # fmt: skip
def test_a_request_given_with_the_name_becomes_the_summary_and_a_bare_identity_does_not(text, summary):
    slots = {
        Slot.REQUESTED: Slot.WO_NAME,
        Slot.WO_KIND: "人工咨询",
        Slot.WO_SUMMARY: "（未填写，回电时询问）",
    }
    _, events = run(ValidateWorkorderForm(), make_tracker(text, intent="inform", slots=slots))
    assert slots_of(events).get(Slot.WO_SUMMARY, "（未填写，回电时询问）") == summary


def test_a_mistyped_phone_keeps_the_name_given_with_it():
    slots = {Slot.REQUESTED: Slot.WO_NAME, Slot.WO_KIND: "人工咨询"}
    _, events = run(ValidateWorkorderForm(), make_tracker("我叫郑丽华，电话1390123456", slots=slots))
    assert slots_of(events) == {Slot.WO_NAME: "郑丽华"}  # the phone step comes next and reads 少打了一位，是…
    checked = "我叫郑丽华，身份证110105198806152451"  # a check digit that fails: told, the name still kept
    messages, events = run(ValidateWorkorderForm(), make_tracker(checked, slots=slots))
    assert slots_of(events)[Slot.WO_NAME] == "郑丽华" and messages


def test_words_added_at_the_read_back_become_the_summary():
    slots = {**READ_BACK, Slot.WO_SUMMARY: "（未填写，回电时询问）"}
    _, events = run(ValidateWorkorderForm(), make_tracker("想问一下执行款什么时候能到账", slots=slots))
    assert slots_of(events) == {Slot.WO_SUMMARY: "想问一下执行款什么时候能到账", Slot.WO_CONFIRM: None}
    _, kept = run(ValidateWorkorderForm(), make_tracker("想问一下执行款什么时候能到账", slots=READ_BACK))
    assert Slot.WO_SUMMARY not in slots_of(kept)  # a summary already given is not overwritten


def test_a_name_corrected_at_the_phone_step_is_changed_and_the_phone_asked_again():
    slots = {
        Slot.REQUESTED: Slot.WO_PHONE,
        Slot.WO_KIND: "联系法官",
        Slot.WO_NAME: "谭倩玲",
        Slot.WO_CASE_NUMBER: CASE,
    }
    messages, events = run(ValidateWorkorderForm(), make_tracker("等一下，名字写错了，是谭倩琳", slots=slots))
    assert slots_of(events) == {Slot.WO_NAME: "谭倩琳"} and "手机号" in messages[-1]["text"]


@pytest.mark.parametrize("text", ["哦不用查了😂我想起来上个月已经解除了", "不用麻烦了"])
def test_no_need_any_more_ends_the_debtor_form(text):
    from actions.debtor import ValidateDebtorForm

    tracker = make_tracker(text, intent="query_case_progress", slots={Slot.REQUESTED: Slot.DEBTOR_NAME})
    _, events = run(ValidateDebtorForm(), tracker)
    assert active(events) == [{"event": "active_loop", "name": None, "timestamp": None}]


def test_actually_i_want_the_progress_moves_out_of_the_judge_form():
    tracker = make_tracker(
        "哦不对，我其实就是想知道开庭日子定了没有，你能直接帮我查吗",
        intent=Intent.QUERY_CASE_PROGRESS,
        slots={Slot.REQUESTED: Slot.WO_CASE_NUMBER, Slot.WO_KIND: "联系法官"},
    )
    assert run(ValidateWorkorderForm(), tracker) == ([], [])
    stay = make_tracker("其实是想问下开庭的事", intent=Intent.INFORM, slots={Slot.REQUESTED: Slot.WO_SUMMARY})
    _, events = run(ValidateWorkorderForm(), stay)
    assert not active(events)  # an answer to the form, not an exit


def test_giving_up_a_complaint_for_fear_for_ones_case_is_an_exit_not_a_progress_query():
    tracker = make_tracker(
        "哎算了，不投诉了，怕影响我的案子",
        intent=Intent.QUERY_CASE_PROGRESS,
        slots={Slot.REQUESTED: Slot.WO_NAME, Slot.WO_KIND: "投诉举报"},
    )
    _, events = run(ValidateWorkorderForm(), tracker)
    assert active(events) == [{"event": "active_loop", "name": None, "timestamp": None}]


@pytest.mark.parametrize(
    ("text", "intent", "moves"),
    [
        ("不查了，投诉他", Intent.FILE_COMPLAINT, True),
        ("算了，直接转人工吧", Intent.REQUEST_HUMAN, True),
        ("算了，先帮我查下王伟是不是老赖，身份证110112198511207912", Intent.QUERY_DISHONEST_DEBTOR, True),
        ("算了不查了，怕影响我的案子", Intent.QUERY_CASE_PROGRESS, False),
    ],
)
def test_a_cancel_moves_only_when_it_asks_for_the_other_flow(text, intent, moves):
    tracker = make_tracker(
        text, intent=intent, slots={Slot.REQUESTED: Slot.CP_IDENTITY, Slot.CP_CASE_NUMBER: CASE}
    )
    if intent == Intent.QUERY_CASE_PROGRESS:  # from the debtor form, so the progress flow is another one
        from actions.debtor import ValidateDebtorForm

        tracker = make_tracker(text, intent=intent, slots={Slot.REQUESTED: Slot.DEBTOR_NAME})
        _, events = run(ValidateDebtorForm(), tracker)
    else:
        _, events = run(ValidateCaseProgressForm(), tracker)
    assert (events == []) == moves
