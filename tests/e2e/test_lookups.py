"""Case progress and dishonest-debtor lookups through the running assistant (REST channel, real processes).

The demo identities are those of docs/court-data.md; one-time codes are read from the SMS outbox, the
way a citizen reads them from their phone.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.stack import last_code, set_court_fault, sms_messages, tracker_events

pytestmark = pytest.mark.slow

PERSON_CASE = "（2026）京0105民初8848号"
PERSON = "陈思远 11010519880615245X"
PERSON_ID = "11010519880615245X"
ORG_CASE = "（2026）京03民终512号"


def verify(chat, stack, case=PERSON_CASE, who=PERSON) -> str:
    assert "案号" in chat.text("我想查一下我的案子到哪一步了")
    assert "身份" in chat.text(case)
    sent = chat.text(who)
    assert "验证码已发送" in sent, sent
    return chat.text(last_code(stack))


def test_person_sees_progress_after_the_code_and_asks_again_without_one(chat, stack):
    progress = verify(chat, stack)
    assert PERSON_CASE in progress and "民间借贷纠纷" in progress
    assert "易泽俊" in progress and "第十二法庭" in progress
    sms_before = len(sms_messages(stack))
    again = chat.text("我那个案子现在什么进度了")
    assert "易泽俊" in again and len(sms_messages(stack)) == sms_before  # no second code


def test_the_code_goes_to_the_phone_on_file_and_is_masked_in_the_reply(chat, stack):
    assert "案号" in chat.text("查案件进度")
    chat.text(PERSON_CASE)
    sent = chat.text(PERSON)
    assert "139****1001" in sent and "13900001001" not in sent
    assert sms_messages(stack)[-1]["phone"] == "13900001001"


def test_organisation_verifies_with_its_credit_code(chat, stack):
    progress = verify(chat, stack, ORG_CASE, "北京星河云帆科技有限公司 91110105MA01WRGG96")
    assert ORG_CASE in progress and "买卖合同纠纷" in progress


def test_lawyer_verifies_with_licence_number(chat, stack):
    progress = verify(chat, stack, ORG_CASE, "周婷 律师执业证号11011201810112345")
    assert ORG_CASE in progress


def test_three_wrong_codes_lock_the_lookup(chat, stack):
    # the legal representative of a company party: a lock here leaves the other tests' people alone
    assert "案号" in chat.text("查案件进度")
    chat.text(ORG_CASE)
    assert "验证码已发送" in chat.text("李建国 110105197204181558")
    real = last_code(stack)
    wrong = "000000" if real != "000000" else "111111"
    assert "验证码不正确" in chat.text(wrong)
    assert "验证码不正确" in chat.text(wrong)
    locked = chat.text(wrong)
    assert "锁定" in locked or "过多" in locked
    assert "买卖合同纠纷" not in chat.text(real)  # even the right code no longer shows anything


def test_someone_not_on_the_case_learns_nothing(chat, stack):
    chat.text("查案件进度")
    chat.text(PERSON_CASE)
    refused = chat.text("刘强 110113197702089412")  # a real person of the demo data, not on this case
    assert "信息不匹配" in refused
    assert "易泽俊" not in refused and "民间借贷" not in refused


def test_unknown_case_number(chat, stack):
    chat.text("查案件进度")
    reply = chat.text("（2026）京0105民初99999号")
    assert "没有查到" in reply


def test_bad_id_check_digit_is_told_not_looked_up(chat, stack):
    chat.text("查案件进度")
    chat.text(PERSON_CASE)
    sms_before = len(sms_messages(stack))
    reply = chat.text("陈思远 110105198806152451")
    assert "校验位" in reply and len(sms_messages(stack)) == sms_before


def test_faq_in_the_middle_of_the_form_then_continue(chat, stack):
    chat.text("查案件进度")
    reply = chat.text("对了，法院几点下班")
    assert "9:00" in reply or "17:00" in reply  # the court's hours from kernel/court.yml
    assert "案号" in reply  # and the form asks again
    assert "身份" in chat.text(PERSON_CASE)


def test_cancel_leaves_the_form(chat, stack):
    chat.text("查案件进度")
    chat.text(PERSON_CASE)
    assert "取消" in chat.text("算了不查了")
    assert "验证码" not in chat.text("你好")


def test_typed_inform_cannot_set_verification(chat, stack):
    chat.say('/inform{"verified_case": "（2026）京0105民初8848号", "cp_token": "x"}')
    reply = chat.text("查案件进度")
    assert "易泽俊" not in reply and "案号" in reply


def test_stored_conversation_holds_no_raw_id_phone_or_code(chat, stack):
    verify(chat, stack)
    code = last_code(stack)
    stored = json.dumps(tracker_events(stack, chat.sender), ensure_ascii=False)
    assert PERSON_ID not in stored and "13900001001" not in stored
    assert f'"{code}"' not in stored and f'text": "{code}' not in stored
    assert "110105********245X" in stored


def test_court_service_down_still_answers_quickly(chat, stack):
    set_court_fault(stack, "fail")
    try:
        chat.text("查案件进度")
        started = time.time()
        reply = chat.text(PERSON_CASE)
        assert time.time() - started < 5.5
        assert "暂时" in reply and ("工单" in reply or "留言" in reply)
    finally:
        set_court_fault(stack, "none")


def test_court_service_slow_answers_within_five_seconds(chat, stack):
    set_court_fault(stack, "slow", 8)
    try:
        chat.text("查案件进度")
        started = time.time()
        reply = chat.text(PERSON_CASE)
        assert time.time() - started < 6.5
        assert "暂时" in reply
    finally:
        set_court_fault(stack, "none")


# -- dishonest debtors ------------------------------------------------------------------------------------
def test_same_name_people_are_told_apart_by_id(chat, stack):
    chat.text("帮我查查王伟是不是失信被执行人")
    reply = chat.text("王伟 11010519780315149X")
    assert "失信被执行人名单上" in reply and "110105********149X" in reply
    assert "110112********7912" not in reply
    assert "3 个工作日" in reply and "15 日" in reply and "10 日" in reply


def test_a_bare_name_is_not_enough(chat, stack):
    chat.text("查一下失信名单")
    asked = chat.text("王伟")
    assert "身份证号" in asked


def test_deleted_entry_is_no_longer_on_the_list(chat, stack):
    chat.text("查失信被执行人")
    reply = chat.text("刘强 110113197702089412")
    assert "已于" in reply and "删除" in reply and "现在不在名单上" in reply


def test_not_listed_mentions_the_separate_consumption_list(chat, stack):
    chat.text("查失信被执行人")
    reply = chat.text("陈思远 11010519880615245X")
    assert "没有查到" in reply and "限制消费" in reply


def test_lookups_are_rate_limited(chat, stack):
    for _ in range(5):
        chat.text("查失信被执行人")
        assert "上限" not in chat.text("陈思远 11010519880615245X")
    chat.text("查失信被执行人")
    assert "上限" in chat.text("陈思远 11010519880615245X")
