"""Service down, slow or failing: the client gives up within its timeouts and says Unavailable.

These assert what a citizen notices (an answer instead of a hang), so each compares the time taken with
the delay the service would have needed, not with a speed target.
"""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
import requests
from flask import Flask, jsonify

from kernel.clients.court import AsyncCourtClient, CourtError, HttpCourtClient, Unavailable
from tests.courtdata.conftest import ADMIN_KEY, API_KEY, Served

CASE = "（2026）京0105民初8848号"
SLOW = 3.0


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def set_fault(service, mode: str, delay: float = 0) -> None:
    response = requests.put(
        service.url + "/api/v1/admin/fault",
        json={"mode": mode, "delay_seconds": delay},
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        timeout=5,
    )
    assert response.json()["mode"] == mode


def test_service_down_is_unavailable():
    client = HttpCourtClient(closed_port_url())
    with pytest.raises(Unavailable) as caught:
        client.case_summary(CASE)
    assert "工单" in caught.value.message  # the citizen is offered a way forward
    assert client.health() is False


def test_slow_service_read_timeout(service):
    set_fault(service, "slow", SLOW)
    client = service.new_client(read_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(Unavailable):
        client.case_summary(CASE)
    assert time.monotonic() - started < SLOW  # gave up instead of waiting for the answer
    set_fault(service, "none")
    assert client.case_summary(CASE).case_number == CASE


async def test_async_deadline_answers_and_never_blocks_the_loop(service):
    set_fault(service, "slow", SLOW)
    client = AsyncCourtClient(service.new_client(read_timeout=10), deadline=0.5)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.05)
            ticks += 1

    beat = asyncio.create_task(ticker())
    started = time.monotonic()
    with pytest.raises(Unavailable) as caught:
        await client.case_summary(CASE)
    beat.cancel()
    assert caught.value.code == "deadline" and time.monotonic() - started < SLOW
    assert ticks >= 5  # the event loop kept running while the call waited in its thread
    set_fault(service, "none")


def test_failing_service_is_unavailable(service):
    set_fault(service, "fail")
    with pytest.raises(Unavailable):
        service.client.search_debtors("王伟", id_number="11010519491231002X")
    assert requests.get(service.url + "/health", timeout=5).status_code == 503
    set_fault(service, "none")
    assert service.client.health()


def _put_fault(service, key: str | None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = requests.put(
        service.url + "/api/v1/admin/fault", json={"mode": "fail"}, headers=headers, timeout=5
    )
    return answer.status_code


def test_fault_switch_takes_its_own_key_not_the_data_key(service):
    assert _put_fault(service, None) == 401
    assert _put_fault(service, API_KEY) == 401  # whoever reads data cannot take the service down
    assert service.client.case_summary(CASE).case_number == CASE  # neither refusal switched anything
    admin_reads = service.new_client(api_key=ADMIN_KEY)
    with pytest.raises(CourtError):  # and the admin key is no data key
        admin_reads.case_summary(CASE)
    assert _put_fault(service, ADMIN_KEY) == 200
    with pytest.raises(Unavailable):
        service.client.case_summary(CASE)
    set_fault(service, "none")


def test_without_an_admin_key_the_switch_does_not_exist(start_service):
    no_admin = start_service(admin_key="")
    assert _put_fault(no_admin, API_KEY) == 404 and _put_fault(no_admin, "") == 404
    keyless = start_service(api_key="", admin_key="")
    assert _put_fault(keyless, None) == 404
    assert keyless.client.case_summary(CASE).case_number == CASE


def test_fault_from_environment(start_service):
    service = start_service(fault="fail")
    with pytest.raises(Unavailable):
        service.client.case_summary(CASE)


@pytest.fixture
def counting_503():
    """A server that always answers 503 and counts requests, to see which calls are retried."""
    app, hits = Flask(__name__), []

    @app.route("/<path:anything>", methods=["GET", "POST"])
    def always_busy(anything):
        hits.append(anything)
        return jsonify(error="unavailable", message="忙"), 503

    served = Served(app)
    yield served.url, hits
    served.stop()


def test_only_gets_are_retried(counting_503):
    url, hits = counting_503
    client = HttpCourtClient(url)
    with pytest.raises(Unavailable):
        client.case_summary(CASE)
    assert len(hits) == 2  # one retry of an idempotent GET
    hits.clear()
    with pytest.raises(Unavailable):
        client.start_verification(CASE, "陈思远", id_number="11010519491231002X")
    assert len(hits) == 1  # a POST is never repeated
