"""The actions' client against the reference service served for real: every outcome a citizen can meet."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import requests

from kernel.clients.court import (
    BadRequest,
    Locked,
    Mismatch,
    NotFound,
    RateLimited,
    Unavailable,
    VerificationRequired,
    WrongCode,
)

PERSON_CASE = "（2026）京0105民初8848号"
ORG_CASE = "（2026）京03民终512号"


def verify(service, case_number: str, name: str, **identifier):
    """Start verification, read the code from the outbox like the citizen reads their phone, check it."""
    started = service.client.start_verification(case_number, name, **identifier)
    return started, service.client.check_code(started.verification_id, service.last_code())


# -- public summary ---------------------------------------------------------------------------------------
def test_case_summary_is_public_and_minimal(service):
    summary = service.client.case_summary(PERSON_CASE)
    assert (summary.court, summary.case_type, summary.stage) == (
        "北京市朝阳区人民法院",
        "民事一审",
        "已排期，等待开庭",
    )
    assert summary.filing_date == date(2026, 10, 9)
    raw = requests.get(
        service.url + "/api/v1/cases/" + requests.utils.quote(PERSON_CASE, safe=""),
        headers={"Authorization": "Bearer test-courtdata-key"},
        timeout=5,
    ).json()
    assert not {"parties", "judge", "nodes", "cause"} & set(raw)


def test_case_number_written_with_ascii_brackets_is_the_same_case(service):
    assert service.client.case_summary("(2026)京0105民初8848").case_number == PERSON_CASE


def test_unknown_case(service):
    with pytest.raises(NotFound):
        service.client.case_summary("（2026）京0105民初99999号")


def test_malformed_and_future_case_numbers_say_why(service):
    with pytest.raises(BadRequest, match="格式不正确"):
        service.client.case_summary("京03民1234")
    with pytest.raises(BadRequest, match="年份不能晚于今年"):
        service.client.case_summary("（2031）京03民终1号")


# -- verification and progress ----------------------------------------------------------------------------
def test_person_party_sees_progress(service, demo):
    chen = demo.party(PERSON_CASE, "陈思远")
    started, grant = verify(service, PERSON_CASE, "陈思远", id_number=chen["id_number"])
    assert started.masked_phone == "139****1001"
    assert service.messages()[-1].phone == chen["phone"]  # the code went to the number on file
    progress = service.client.case_progress(PERSON_CASE, grant.access_token)
    assert progress.viewer_role == "原告"
    assert [n.name for n in progress.nodes] == ["立案", "分案", "送达", "开庭排期"]
    assert progress.next_hearing.time == datetime.fromisoformat("2026-12-10T09:30:00+08:00")
    assert progress.next_hearing.courtroom == "第十二法庭"
    assert progress.judge.office_phone.startswith("010-") and progress.judge.clerk.name
    assert progress.time_limit.limit == "3个月" and progress.time_limit.deadline == date(2027, 1, 9)
    assert progress.time_limit.days_left == 42
    assert {p.id_number_masked for p in progress.parties} == {"110105********245X", "110105********5694"}


def test_progress_never_contains_raw_ids_or_party_phones(service, demo):
    case = demo.case(ORG_CASE)
    lawyer = demo.lawyer(ORG_CASE, "周婷")
    _, grant = verify(service, ORG_CASE, "周婷", license_number=lawyer["license_number"])
    raw = requests.get(
        service.url + "/api/v1/cases/" + requests.utils.quote(ORG_CASE, safe="") + "/progress",
        headers={"Authorization": "Bearer test-courtdata-key", "X-Access-Token": grant.access_token},
        timeout=5,
    ).text
    secrets = [p["phone"] for p in case["parties"]] + [r["phone"] for r in case["representatives"]]
    secrets += [p["legal_representative"]["id_number"] for p in case["parties"]] + [lawyer["license_number"]]
    assert raw.startswith("{") and not [s for s in secrets if s in raw]


def test_organisation_party_verifies_with_credit_code(service, demo):
    org = demo.party(ORG_CASE, "北京星河云帆科技有限公司")
    started, grant = verify(service, ORG_CASE, org["name"], credit_code=org["credit_code"])
    assert started.masked_phone == "139****2001"
    progress = service.client.case_progress(ORG_CASE, grant.access_token)
    assert progress.viewer_role == "上诉人（原审被告）"
    assert progress.stage == "已开庭审理，等待宣判" and progress.next_hearing is None
    assert progress.origin_case_number == "（2026）京0113民初3107号"


def test_legal_representative_verifies_with_own_id(service, demo):
    rep = demo.party(ORG_CASE, "北京星河云帆科技有限公司")["legal_representative"]
    _, grant = verify(service, ORG_CASE, rep["name"], id_number=rep["id_number"])
    assert grant.role == "上诉人（原审被告）北京星河云帆科技有限公司的法定代表人"


def test_lawyer_verifies_with_licence_number(service, demo):
    lawyer = demo.lawyer(ORG_CASE, "周婷")
    started, grant = verify(service, ORG_CASE, "周婷", license_number=lawyer["license_number"])
    assert started.masked_phone == "139****3001" and grant.role == "委托诉讼代理人"
    progress = service.client.case_progress(ORG_CASE, grant.access_token)
    assert ("周婷", ("北京星河云帆科技有限公司",)) in {
        (r.name, r.represents) for r in progress.representatives
    }


@pytest.mark.parametrize("who", ["wrong_name", "wrong_id", "someone_elses_case", "licence_as_id_holder"])
def test_anyone_else_gets_one_generic_mismatch(service, demo, who):
    chen = demo.party(PERSON_CASE, "陈思远")
    zhao_on_other = demo.party(ORG_CASE, "北京恒通达商贸有限公司")["legal_representative"]
    attempts = {
        "wrong_name": (PERSON_CASE, "陈思源", {"id_number": chen["id_number"]}),
        "wrong_id": (PERSON_CASE, "陈思远", {"id_number": "11010519491231002X"}),
        "someone_elses_case": (PERSON_CASE, zhao_on_other["name"], {"id_number": zhao_on_other["id_number"]}),
        "licence_as_id_holder": (ORG_CASE, "周婷", {"license_number": "11011201810112346"}),
    }
    case_number, name, identifier = attempts[who]
    with pytest.raises(Mismatch) as caught:
        service.client.start_verification(case_number, name, **identifier)
    assert type(caught.value) is Mismatch
    assert caught.value.message.startswith("信息不匹配")
    assert service.messages() == []  # nobody was texted


def test_three_wrong_codes_lock_the_requester_not_the_party(start_service, demo):
    # Changed for issue 10: this used to assert that three wrong codes lock the case for this person for
    # everyone (and that a new attempt answers 423 锁定 even with a wrong name). That let anyone lock a real
    # party out and told a stranger that this ID belongs to a party. Now the lock is the requester's own:
    # its verification and its client address (for this case and person); a new attempt from it answers
    # exactly like a mismatch; another requester with the right name and ID still gets a code.
    service = start_service(resend_seconds=0, trusted_callers="127.0.0.1")
    chen = demo.party(PERSON_CASE, "陈思远")
    attacker = service.as_client("203.0.113.7")
    started = attacker.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    right = service.last_code()
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for left in (2, 1):
        with pytest.raises(WrongCode) as caught:
            attacker.check_code(started.verification_id, wrong)
        assert caught.value.attempts_left == left
    with pytest.raises(Locked) as locked:
        attacker.check_code(started.verification_id, wrong)
    assert 1700 < locked.value.retry_after <= 1800 and "锁定" in locked.value.message
    with pytest.raises(Locked):
        attacker.check_code(started.verification_id, right)  # too late even for the right code
    with pytest.raises(Mismatch) as again:  # the requester's lock, answered as a mismatch
        attacker.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    assert type(again.value) is Mismatch
    owner = service.as_client("198.51.100.20")  # the real party, elsewhere: not locked out
    _, grant = verify_with(service, owner, PERSON_CASE, "陈思远", id_number=chen["id_number"])
    assert owner.case_progress(PERSON_CASE, grant.access_token).viewer_role == "原告"
    zhao = demo.party(PERSON_CASE, "赵立新")  # the other party of the same case is not locked out either
    assert attacker.start_verification(PERSON_CASE, "赵立新", id_number=zhao["id_number"]).masked_phone


def verify_with(service, client, case_number: str, name: str, **identifier):
    started = client.start_verification(case_number, name, **identifier)
    return started, client.check_code(started.verification_id, service.last_code())


def test_asking_for_a_new_code_does_not_reset_the_count(start_service, demo):
    service = start_service(resend_seconds=0)
    chen = demo.party(PERSON_CASE, "陈思远")
    for _ in range(2):
        started = service.client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
        with pytest.raises(WrongCode):
            service.client.check_code(
                started.verification_id, f"{(int(service.last_code()) + 1) % 10**6:06d}"
            )
    started = service.client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    with pytest.raises(Locked):
        service.client.check_code(started.verification_id, f"{(int(service.last_code()) + 1) % 10**6:06d}")


def test_code_resend_is_throttled(service, demo):
    chen = demo.party(PERSON_CASE, "陈思远")
    service.client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    with pytest.raises(RateLimited) as caught:
        service.client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    assert 0 < caught.value.retry_after <= 60 and len(service.messages()) == 1


def test_a_code_works_once(service, demo):
    chen = demo.party(PERSON_CASE, "陈思远")
    started, _ = verify(service, PERSON_CASE, "陈思远", id_number=chen["id_number"])
    with pytest.raises(VerificationRequired):
        service.client.check_code(started.verification_id, service.last_code())


def test_progress_needs_a_grant_for_that_very_case(service, demo):
    with pytest.raises(VerificationRequired):
        service.client.case_progress(PERSON_CASE, "not-a-token")
    org = demo.party(ORG_CASE, "北京星河云帆科技有限公司")
    _, grant = verify(service, ORG_CASE, org["name"], credit_code=org["credit_code"])
    with pytest.raises(Mismatch):
        service.client.case_progress(PERSON_CASE, grant.access_token)


def test_grant_expires(start_service, demo):
    service = start_service(token_ttl=1)
    chen = demo.party(PERSON_CASE, "陈思远")
    _, grant = verify(service, PERSON_CASE, "陈思远", id_number=chen["id_number"])
    import time

    time.sleep(1.2)
    with pytest.raises(VerificationRequired):
        service.client.case_progress(PERSON_CASE, grant.access_token)


def test_invalid_identifiers_are_refused_with_a_reason(service):
    with pytest.raises(BadRequest, match="校验位"):
        service.client.start_verification(PERSON_CASE, "陈思远", id_number="110105198806152451")
    with pytest.raises(BadRequest, match="之一|中的一项"):
        service.client.start_verification(PERSON_CASE, "陈思远")
    with pytest.raises(NotFound):
        service.client.start_verification(
            "（2026）京0105民初99999号", "陈思远", id_number="11010519491231002X"
        )


def test_closed_enforcement_case_has_no_time_limit(service, demo):
    liu = demo.party("（2026）京0113执恢77号", "刘强")
    _, grant = verify(service, "（2026）京0113执恢77号", "刘强", id_number=liu["id_number"])
    progress = service.client.case_progress("（2026）京0113执恢77号", grant.access_token)
    assert progress.time_limit is None and progress.outcome == "执行完毕"
    assert [n.name for n in progress.nodes] == ["执行立案", "执行措施", "执行款发放", "结案"]


# -- dishonest-debtor list --------------------------------------------------------------------------------
def test_same_name_people_are_told_apart_by_id(service, demo):
    first, second = sorted(demo.debtors("王伟"), key=lambda e: e["entry_id"])
    assert first["id_number"] != second["id_number"]
    found = service.client.search_debtors("王伟", id_number=first["id_number"])
    assert [e.case_number for e in found.entries] == [first["case_number"]]
    assert found.entries[0].id_number_masked == first["id_number"][:6] + "********" + first["id_number"][-4:]
    other = service.client.search_debtors("王伟", id_number=second["id_number"])
    assert [e.case_number for e in other.entries] == [second["case_number"]]


def test_entry_has_every_published_field(service, demo):
    entry = demo.debtors("王伟")[0]
    found = service.client.search_debtors("王伟", id_number=entry["id_number"]).entries[0]
    assert found.on_list and found.sex == "男" and found.age == 45 and found.province == "北京"
    assert found.court == "北京市朝阳区人民法院" and found.basis_issuer == "北京市朝阳区人民法院"
    assert found.performance == "全部未履行" and found.unperformed_part.startswith("200000元")
    assert found.conduct and found.obligation and found.publish_date == date(2023, 5, 10)


def test_deleted_entry_is_reported_as_no_longer_listed(service, demo):
    liu = demo.debtors("刘强")[0]
    found = service.client.search_debtors("刘强", id_number=liu["id_number"])
    assert found.on_list == () and len(found.deleted) == 1
    assert found.deleted[0].deleted_date == date(2026, 6, 18) and "已履行" in found.deleted[0].deletion_reason


def test_organisation_found_by_credit_code(service, demo):
    entry = demo.debtors("北京鼎盛嘉业建筑工程有限公司")[0]
    found = service.client.search_debtors(entry["name"], credit_code=entry["credit_code"]).entries
    assert found[0].legal_representative == "高志勇" and found[0].id_number_masked is None
    assert found[0].performance == "部分未履行"


def test_person_not_on_the_list(service, demo):
    chen = demo.party(PERSON_CASE, "陈思远")
    assert service.client.search_debtors("陈思远", id_number=chen["id_number"]).entries == ()


@pytest.mark.parametrize(("name", "reason"), [("王伟", "仅凭姓名"), ("王", "仅凭姓氏")])
def test_bare_name_or_surname_is_refused(service, name, reason):
    with pytest.raises(BadRequest) as caught:
        service.client.search_debtors(name)
    assert reason in caught.value.reason and "身份证号码" in caught.value.reason


# -- failures ---------------------------------------------------------------------------------------------
def test_rate_limit_reaches_the_client(start_service):
    service = start_service(rate_limit=3)
    for _ in range(3):
        service.client.case_summary(PERSON_CASE)
    with pytest.raises(RateLimited) as caught:
        service.client.case_summary(PERSON_CASE)
    assert caught.value.retry_after > 0


def test_wrong_api_key_is_our_problem_not_the_citizens(service):
    with pytest.raises(Unavailable):
        service.new_client(api_key="wrong").case_summary(PERSON_CASE)


def test_errors_are_json_with_chinese_message(service):
    for response in (
        requests.get(service.url + "/api/v1/nothing", timeout=5),
        requests.post(
            service.url + "/api/v1/verifications",
            data="not json",
            timeout=5,
            headers={"Authorization": "Bearer test-courtdata-key"},
        ),
    ):
        body = response.json()
        assert (
            400 <= response.status_code < 500
            and body["error"]
            and any("\u4e00" <= c <= "\u9fff" for c in body["message"])
        )
        assert "Traceback" not in json.dumps(body)


def test_routing_names_the_judge_of_the_case(service):
    routing = service.client.case_routing(PERSON_CASE)
    assert routing.judge_name == "易泽俊"  # the demo desk account judge_yi handles this case
    assert routing.judge_id == "J0105-01"  # the id the desk routes by (the account is linked to it)
    assert routing.court.endswith("人民法院")


def test_routing_of_unknown_case(service):
    with pytest.raises(NotFound):
        service.client.case_routing("（2026）京0105民初99999号")
