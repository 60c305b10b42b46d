"""Helpers shared by the desk tests."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.desk.domain.clock import to_stored, utcnow
from services.desk.domain.validation import parse_new_order
from services.desk.service.orders import DeskStore


def local(text_value: str) -> datetime:
    """'2026-09-30 10:00' in Beijing time, as the stored naive UTC."""
    return to_stored(datetime.fromisoformat(text_value).replace(tzinfo=ZoneInfo("Asia/Shanghai")))


def order_payload(**overrides) -> dict:
    """A valid creation request; override any field."""
    payload = {
        "kind": "人工咨询",
        "channel": "web",
        "citizen_name": "张三",
        "callback_phone": "13812345678",
        "summary": "想咨询立案材料",
        "conversation_id": f"conv-{uuid.uuid4().hex[:8]}",
        "message_id": "msg-1",
    }
    payload.update(overrides)
    return payload


def new_order(store: DeskStore, now: datetime | None = None, **overrides) -> dict:
    """Create an order through the store and return its creation view."""
    return store.create_work_order(parse_new_order(order_payload(**overrides)), now=now).view


class FakeClock:
    """Naive-UTC 'now' that tests move forward by hand (the desk's Wiring takes any callable)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


CSRF_PATTERN = r'name="csrf-token" content="([^"]+)"'


def csrf_of(client) -> str:
    """The CSRF token of the client's session, as a page hands it to its scripts."""
    page = client.get("/desk/login")
    return re.search(CSRF_PATTERN, page.get_data(as_text=True)).group(1)


def login(client, username: str, password: str) -> str:
    """Log in through the form; returns the new session's CSRF token."""
    token = csrf_of(client)
    answer = client.post(
        "/desk/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    page = client.get("/desk/")
    return re.search(CSRF_PATTERN, page.get_data(as_text=True)).group(1)
