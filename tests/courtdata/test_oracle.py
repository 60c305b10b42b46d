"""Issue 10 item 3: verification is no identity oracle and no way to lock a party out for everyone.

Every service here trusts 127.0.0.1 to forward X-Client-Address (as the action server will), so one test
process can speak as several end clients; `untrusted` services check that nobody else can.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
import requests

from kernel.clients.court import Locked, Mismatch, RateLimited, WrongCode
from kernel.kv import MemoryKV
from kernel.privacy import mask_id, mask_phone
from kernel.sms import read_messages
from services.courtdata import Settings
from services.courtdata.audit import AuditLog
from tests.courtdata.conftest import API_KEY
from tests.courtdata.test_client_http import PERSON_CASE, verify_with

TRUSTED = {"resend_seconds": 0, "trusted_callers": "127.0.0.1"}
URL = "/api/v1/verifications"


def wrong_of(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def strangers(demo, count: int) -> list[dict]:
    """Real demo people (valid ID numbers) who are not on PERSON_CASE."""
    on_case = {p["id_number"] for p in demo.case(PERSON_CASE)["parties"] if p["kind"] == "person"}
    found = []
    for number, case in demo.store.cases.items():
        for party in case["parties"]:
            if number != PERSON_CASE and party["kind"] == "person" and party["id_number"] not in on_case:
                found.append(party)
    return found[:count]


def post(service, body: dict, address: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    if address:
        headers["X-Client-Address"] = address
    return requests.post(service.url + URL, json=body, headers=headers, timeout=5)


def alerts(service) -> list:
    service.verifier.wait_for_alerts()
    return [m for m in read_messages(service.outbox, 100) if m.purpose == "alert"]


def lock_out(service, client, chen) -> None:
    started = client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    wrong = wrong_of(service.last_code())
    for _ in range(2):
        with pytest.raises(WrongCode):
            client.check_code(started.verification_id, wrong)
    with pytest.raises(Locked):
        client.check_code(started.verification_id, wrong)


# -- failed identity matches -------------------------------------------------------------------------------
def test_five_failures_for_one_case_and_id_cool_it_down_for_any_address(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    for i in range(5):  # five wrong names for a real ID, each from a different address
        with pytest.raises(Mismatch):
            service.as_client(f"203.0.113.{i + 1}").start_verification(
                PERSON_CASE, f"陈思{'甲乙丙丁戊'[i]}", id_number=chen["id_number"]
            )
    answer = post(
        service,
        {"case_number": PERSON_CASE, "name": "陈思远", "id_number": chen["id_number"]},
        "198.51.100.9",
    )  # even the right name, from a fresh address: the match is not checked
    body = answer.json()
    assert answer.status_code == 429 and body["reason"] == "identity_cooldown"
    assert 3500 < body["retry_after"] <= 3600 and answer.headers["Retry-After"] == str(body["retry_after"])
    assert "次数过多" in body["message"] and "60分钟后再试" in body["message"]
    with pytest.raises(RateLimited):  # what the action server's client makes of it: a message to show
        service.as_client("198.51.100.9").start_verification(
            PERSON_CASE, "陈思远", id_number=chen["id_number"]
        )
    assert [m for m in service.messages() if m.purpose == "otp"] == []  # no code went out
    sent = alerts(service)  # the person behind the ID is told someone tried
    assert [m.phone for m in sent] == [chen["phone"]] and PERSON_CASE in sent[0].text
    assert "验证码" not in sent[0].text


def test_five_failures_from_one_address_cool_that_address_down(start_service, demo):
    service = start_service(**TRUSTED)
    prober = service.as_client("203.0.113.50")
    for person in strangers(demo, 5):  # five different real people tried against one case
        with pytest.raises(Mismatch):
            prober.start_verification(PERSON_CASE, person["name"], id_number=person["id_number"])
    chen = demo.party(PERSON_CASE, "陈思远")
    with pytest.raises(RateLimited) as cooled:
        prober.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    assert 3500 < cooled.value.retry_after <= 3600 and "分钟后再试" in cooled.value.message
    # anyone else is untouched, and no alert went to a stranger whose ID was merely tried once
    assert (
        service.as_client("198.51.100.1")
        .start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
        .masked_phone
        == "139****1001"
    )
    assert alerts(service) == []


def test_four_failures_are_still_answered_with_a_mismatch(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    client = service.as_client("203.0.113.60")
    for _ in range(4):
        with pytest.raises(Mismatch):
            client.start_verification(PERSON_CASE, "陈思源", id_number=chen["id_number"])
    assert client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"]).masked_phone


def test_cool_down_ends_after_the_window(start_service, demo):
    now = [0.0]
    service = start_service(kv=MemoryKV(clock=lambda: now[0]), identity_window=60, **TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    client = service.as_client("203.0.113.61")
    for _ in range(5):
        with pytest.raises(Mismatch):
            client.start_verification(PERSON_CASE, "陈思源", id_number=chen["id_number"])
    with pytest.raises(RateLimited) as cooled:
        client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    assert cooled.value.retry_after <= 60 and "1分钟" in cooled.value.message
    now[0] += 61
    assert client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"]).masked_phone


def test_an_untrusted_caller_cannot_choose_the_address_it_is_counted_on(start_service, demo):
    service = start_service(resend_seconds=0)  # trusts nobody's X-Client-Address
    chen = demo.party(PERSON_CASE, "陈思远")
    for person, i in zip(strangers(demo, 5), range(5)):
        assert (
            post(
                service,
                {"case_number": PERSON_CASE, "name": person["name"], "id_number": person["id_number"]},
                f"203.0.113.{100 + i}",
            ).status_code
            == 403
        )
    answer = post(
        service,
        {"case_number": PERSON_CASE, "name": "陈思远", "id_number": chen["id_number"]},
        "198.51.100.77",
    )
    assert answer.status_code == 429  # all five were counted on the caller's own address


def test_a_trusted_caller_must_forward_one_ip_address(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    answer = post(
        service,
        {"case_number": PERSON_CASE, "name": "陈思远", "id_number": chen["id_number"]},
        "1.2.3.4, 5.6.7.8",
    )
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_client_address"


# -- wrong codes ------------------------------------------------------------------------------------------
def test_a_locked_identity_answers_exactly_like_a_mismatch(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    lock_out(service, service.as_client("203.0.113.70"), chen)
    locked_right = post(
        service,
        {"case_number": PERSON_CASE, "name": "陈思远", "id_number": chen["id_number"]},
        "203.0.113.70",
    )
    locked_wrong = post(
        service,
        {"case_number": PERSON_CASE, "name": "陈思源", "id_number": chen["id_number"]},
        "203.0.113.70",
    )
    stranger = strangers(demo, 1)[0]
    not_a_party = post(
        service,
        {"case_number": PERSON_CASE, "name": stranger["name"], "id_number": stranger["id_number"]},
        "198.51.100.70",
    )
    answers = [
        (r.status_code, r.content, r.headers.get("Retry-After"))
        for r in (locked_right, locked_wrong, not_a_party)
    ]
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 403
    assert json.loads(answers[0][1])["error"] == "mismatch" and "锁定" not in locked_right.text


def test_a_locked_requester_stays_locked_through_a_new_code(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    client = service.as_client("203.0.113.71")
    first = client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    lock_out(service, client, chen)  # a second verification, three wrong codes
    with pytest.raises(Locked):  # the requester's earlier verification is locked as well
        client.check_code(first.verification_id, "000000")


def test_the_party_is_alerted_once_after_repeated_wrong_codes(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    lock_out(service, service.as_client("203.0.113.80"), chen)
    lock_out(service, service.as_client("203.0.113.81"), chen)
    sent = alerts(service)
    assert [m.phone for m in sent] == [chen["phone"]]  # one alert a day, not one per attacker
    assert "有人多次尝试查询" in sent[0].text and PERSON_CASE in sent[0].text
    _, grant = verify_with(
        service, service.as_client("198.51.100.80"), PERSON_CASE, "陈思远", id_number=chen["id_number"]
    )
    assert grant.role == "原告"  # and can still look at the case themselves


# -- audit ------------------------------------------------------------------------------------------------
def test_every_attempt_failure_code_failure_and_lock_is_audited_masked(start_service, demo):
    service = start_service(**TRUSTED)
    chen = demo.party(PERSON_CASE, "陈思远")
    client = service.as_client("203.0.113.90")
    with pytest.raises(Mismatch):
        client.start_verification(PERSON_CASE, "陈思源", id_number=chen["id_number"])
    started = client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    code = service.last_code()
    lock_out(service, client, chen)
    with pytest.raises(Mismatch):
        client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"])
    alerts(service)
    lines = service.audit_lines()
    events = [(line["event"], line.get("outcome")) for line in lines]
    assert events[:2] == [("verification_attempt", "mismatch"), ("verification_attempt", "code_sent")]
    assert ("code_check", "wrong_code") in events and ("requester_lock", None) in events
    assert ("verification_attempt", "requester_locked") in events and ("party_alert", "sent") in events
    assert all(line["client"] == "203.0.113.90" for line in lines if "client" in line)
    assert lines[0]["identifier"] == mask_id(chen["id_number"]) and lines[0]["name"] == "陈**"
    assert lines[1]["phone"] == mask_phone(chen["phone"]) == "139****1001"
    raw = service.audit.read_text(encoding="utf-8")
    assert chen["id_number"] not in raw and chen["phone"] not in raw and "陈思远" not in raw
    assert started.verification_id not in raw and code not in raw
    assert stat.S_IMODE(os.stat(service.audit).st_mode) == 0o600


def test_audit_log_is_created_0600_and_only_appended(tmp_path):
    path = tmp_path / "var" / "audit.jsonl"
    log = AuditLog(path)
    log.open_check()
    assert path.exists() and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    log.write("a", x=1)
    AuditLog(path).write("b", y=None)
    assert [json.loads(line)["event"] for line in path.read_text().splitlines()] == ["a", "b"]
    assert "y" not in path.read_text()


def test_settings_for_the_new_rules_come_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "COURTDATA_TRUSTED_CALLERS": "127.0.0.1, 10.0.0.5",
            "COURTDATA_AUDIT_LOG": str(tmp_path / "a.jsonl"),
            "COURTDATA_IDENTITY_MAX_FAILURES": "3",
        }
    )
    assert settings.trusted == {"127.0.0.1", "10.0.0.5"} and settings.audit_log == tmp_path / "a.jsonl"
    assert settings.identity_max_failures == 3
    defaults = Settings.from_env({})
    assert (defaults.trusted, str(defaults.audit_log), defaults.identity_window) == (
        frozenset(),
        "var/courtdata_audit.jsonl",
        3600,
    )
    assert defaults.client_address_header == "X-Client-Address"


def test_the_service_does_not_start_without_a_writable_audit_log(monkeypatch, tmp_path, capsys):
    from kernel import logmask
    from services.courtdata.__main__ import main

    monkeypatch.setattr(logmask, "install", lambda: None)  # keep the test process's logging as it is
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("COURTDATA_AUDIT_LOG", str(blocker / "audit.jsonl"))  # a file, not a directory
    monkeypatch.setenv("SMS_BACKEND", "outbox")
    monkeypatch.setenv("SMS_OUTBOX", str(tmp_path / "outbox.jsonl"))
    assert main() == 2 and "cannot start" in capsys.readouterr().err


def test_the_bots_conversation_stays_locked_after_three_wrong_codes(start_service, demo):
    """What tests/e2e/test_lookups.py::test_three_wrong_codes_lock_the_lookup does through the bot, as the
    service sees it today (the action server forwards no address): 3 wrong codes, then the right one."""
    service = start_service(resend_seconds=0)
    rep = demo.party("（2026）京03民终512号", "北京星河云帆科技有限公司")[
        "legal_representative"
    ]  # 李建国, as there
    started = service.client.start_verification(
        "（2026）京03民终512号", rep["name"], id_number=rep["id_number"]
    )
    right = service.last_code()
    for _ in range(2):
        with pytest.raises(WrongCode):
            service.client.check_code(started.verification_id, wrong_of(right))
    with pytest.raises(Locked) as locked:
        service.client.check_code(started.verification_id, wrong_of(right))
    assert "锁定" in locked.value.message and "过多" in locked.value.message
    with pytest.raises(Locked):
        service.client.check_code(started.verification_id, right)  # nothing to see in this conversation
    with pytest.raises(Mismatch):
        service.client.start_verification("（2026）京03民终512号", rep["name"], id_number=rep["id_number"])


def test_the_assistant_without_an_address_cannot_cool_down_everyone(start_service, demo):
    """Citizens behind the assistant share its address: strangers' failures through it cool down only the
    case+ID they tried, never every other citizen's verification."""
    service = start_service(**TRUSTED)
    for person in strangers(demo, 6):  # six different strangers, each once, no forwarded address
        answer = post(
            service, {"case_number": PERSON_CASE, "name": person["name"], "id_number": person["id_number"]}
        )
        assert answer.status_code == 403
    chen = demo.party(PERSON_CASE, "陈思远")
    answer = post(service, {"case_number": PERSON_CASE, "name": "陈思远", "id_number": chen["id_number"]})
    assert answer.status_code == 201


@pytest.mark.parametrize(
    ("listed", "caller", "trusted"),
    [
        ("127.0.0.1", "127.0.0.1", True),
        ("127.0.0.1", "127.0.0.2", False),
        ("10.244.0.0/16", "10.244.3.17", True),  # a cluster's pod network (deploy/k8s)
        ("10.244.0.0/16", "10.245.0.1", False),
        ("::1, 10.0.0.5", "::1", True),
        ("10.244.0.0/16", "-", False),  # no remote address at all
        ("", "127.0.0.1", False),
    ],
)
def test_trusted_callers_are_addresses_or_networks(listed, caller, trusted):
    assert Settings.from_env({"COURTDATA_TRUSTED_CALLERS": listed}).is_trusted(caller) is trusted


def test_a_malformed_trusted_caller_stops_the_start():
    with pytest.raises(ValueError, match="10.0.0.300"):
        Settings.from_env({"COURTDATA_TRUSTED_CALLERS": "127.0.0.1, 10.0.0.300"})


def test_a_caller_inside_a_trusted_network_forwards_the_citizens_address(start_service, demo):
    service = start_service(resend_seconds=0, trusted_callers="127.0.0.0/8")
    chen = demo.party(PERSON_CASE, "陈思远")
    for person in strangers(demo, 5):  # five failures counted on one citizen's address, not the caller's
        body = {"case_number": PERSON_CASE, "name": person["name"], "id_number": person["id_number"]}
        assert post(service, body, "203.0.113.9").status_code == 403
    right = {"case_number": PERSON_CASE, "name": "陈思远", "id_number": chen["id_number"]}
    assert post(service, right, "203.0.113.9").status_code == 429
    assert post(service, right, "203.0.113.10").status_code == 201  # another citizen: a code is sent
