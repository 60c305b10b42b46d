"""Debtor searches are limited per end client, also when one trusted caller searches for many citizens.

The action server calls from loopback for every citizen and forwards each citizen's key in
X-Client-Address; the service must count those keys apart, and must not believe the header from a caller
it does not trust (whoever could pick the key would never reach a limit).
"""

from __future__ import annotations

import pytest

from kernel.clients.court import RateLimited
from kernel.contracts import client_key

WANG = ("王伟", "11010519780315149X")  # on the demo list


def search(client, who: str | None = None):
    name, number = WANG
    return client.search_debtors(name, id_number=number, client=who)


def test_the_service_counts_per_forwarded_client(start_service):
    service = start_service(trusted_callers="127.0.0.1", debtor_daily_limit=3)
    first, second = client_key("198.51.100.7"), client_key("198.51.100.8")
    for _ in range(3):
        assert search(service.client, first).on_list
    with pytest.raises(RateLimited) as refused:
        search(service.client, first)
    assert "明天" in refused.value.message
    assert search(service.client, second).on_list  # another citizen behind the same caller is not refused


def test_a_forwarded_key_from_an_untrusted_caller_is_ignored(start_service):
    service = start_service(debtor_daily_limit=3)  # trusts nobody: counted on the caller's own address
    for n in range(3):
        search(service.client, client_key(f"203.0.113.{n}"))
    with pytest.raises(RateLimited):
        search(service.client, client_key("203.0.113.99"))


def test_every_search_is_audited_masked(start_service):
    service = start_service(trusted_callers="127.0.0.1", debtor_daily_limit=1)
    who = client_key("198.51.100.7")
    search(service.client, who)
    with pytest.raises(RateLimited):
        search(service.client, who)
    lines = [e for e in service.audit_lines() if e["event"] == "debtor_search"]
    assert [e["outcome"] for e in lines] == ["answered", "refused_daily_limit"]
    assert lines[0]["on_list"] >= 1 and lines[0]["client"] == "key:" + who
    text = service.audit.read_text(encoding="utf-8")
    assert WANG[1] not in text and "王伟" not in text and "110105********149X" in text


def test_failed_identity_matches_count_per_forwarded_client(start_service, demo):
    """The action server asks for every citizen from loopback: each citizen's failures count on their
    own key, so one guesser is cooled down and the next citizen is not."""
    from kernel.clients.court import Mismatch
    from tests.courtdata.test_oracle import PERSON_CASE, strangers

    service = start_service(trusted_callers="127.0.0.1", resend_seconds=0)
    guesser, citizen = client_key("198.51.100.7"), client_key("198.51.100.8")
    for person in strangers(demo, 5):
        with pytest.raises(Mismatch):
            service.client.start_verification(
                PERSON_CASE, person["name"], id_number=person["id_number"], client=guesser
            )
    chen = demo.party(PERSON_CASE, "陈思远")
    with pytest.raises(RateLimited):
        service.client.start_verification(PERSON_CASE, "陈思远", id_number=chen["id_number"], client=guesser)
    started = service.client.start_verification(
        PERSON_CASE, "陈思远", id_number=chen["id_number"], client=citizen
    )
    assert started.masked_phone
