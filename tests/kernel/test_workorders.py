"""The work-order client (kernel/clients/workorders.py) against the real desk process on loopback.

The desk is started the way the Procfile and tests/stack.py start it (`python -m services.desk`), so this
test depends only on its HTTP API, not on how the desk package is laid out inside.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kernel.clients.workorders import WorkOrderClient, WorkOrderError
from tests.stack import PY, Stack, free_port

TOKEN = "test-workorder-client-token"
CLOSED_URL = "http://127.0.0.1:9"  # nothing listens on the discard port


@pytest.fixture(scope="module")
def desk_url(tmp_path_factory) -> Iterator[str]:
    """The desk on a free port with a private SQLite database and outbox; stopped after the module."""
    workdir: Path = tmp_path_factory.mktemp("desk")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DESK_", "COURT_", "SMS_", "REDIS_"))}
    env.update(
        {
            "DESK_PORT": str(port),
            "DESK_HOST": "127.0.0.1",
            "DESK_API_TOKEN": TOKEN,
            "DESK_DATABASE_URL": f"sqlite:///{workdir / 'desk.db'}",
            "DESK_PHONE_KEY_FILE": str(workdir / "key"),
            "DESK_SECRET_KEY": "test-secret",
            "SMS_OUTBOX": str(workdir / "sms.jsonl"),
            "RASA_URL": CLOSED_URL,
            "COURT_API_URL": CLOSED_URL,
        }
    )
    stack = Stack(workdir, env)
    url = f"http://127.0.0.1:{port}"
    try:
        stack.start("desk", [PY, "-m", "services.desk"], url + "/health", timeout=90)
        yield url
    finally:
        stack.stop()


def _order(phone: str = "13812345678") -> dict:
    return {
        "kind": "人工咨询",
        "channel": "web",
        "citizen_name": "张三",
        "callback_phone": phone,
        "summary": "想咨询立案材料",
        "conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
        "message_id": "msg-1",
    }


def test_an_order_created_through_the_client_is_stored_and_found_by_its_phone(desk_url) -> None:
    client = WorkOrderClient(desk_url, TOKEN)
    payload = _order()
    created = asyncio.run(client.create(payload))
    assert created["created"] is True and created["number"].startswith("GD")
    again = asyncio.run(client.create(payload))  # idempotent by (conversation_id, message_id)
    assert again["number"] == created["number"] and again["created"] is False
    found = asyncio.run(client.lookup(created["number"], "138-1234-5678"))
    assert found["number"] == created["number"]


def test_a_wrong_phone_or_number_is_the_clients_not_found(desk_url) -> None:
    client = WorkOrderClient(desk_url, TOKEN)
    created = asyncio.run(client.create(_order()))
    with pytest.raises(WorkOrderError) as wrong_phone:
        asyncio.run(client.lookup(created["number"], "13900000000"))
    assert wrong_phone.value.status == 404 and "没有查到" in wrong_phone.value.citizen_message


def test_a_wrong_token_gives_the_clients_error(desk_url) -> None:
    client = WorkOrderClient(desk_url, "not-the-token")
    with pytest.raises(WorkOrderError) as refused:
        asyncio.run(client.create(_order()))
    assert refused.value.status == 401 and refused.value.citizen_message
    assert asyncio.run(client.clerk_online()) is False  # the same refusal reads as "nobody online"


def test_a_dead_port_is_unavailable_quickly() -> None:
    client = WorkOrderClient(f"http://127.0.0.1:{free_port()}", TOKEN)
    started = time.monotonic()
    with pytest.raises(WorkOrderError) as down:
        asyncio.run(client.create(_order()))  # three attempts on a refused connection
    assert time.monotonic() - started < 3
    assert down.value.status is None and "暂时不可用" in down.value.citizen_message
    assert asyncio.run(client.clerk_online()) is False
