"""Helpers shared by the desk tests."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from services.desk.clock import to_stored
from services.desk.store import DeskStore
from services.desk.validation import parse_new_order


def local(text_value: str) -> datetime:
    """'2026-09-30 10:00' in Beijing time, as the stored naive UTC."""
    return to_stored(datetime.fromisoformat(text_value).replace(tzinfo=ZoneInfo("Asia/Shanghai")))


def order_payload(**overrides) -> dict:
    """A valid creation request; override any field."""
    payload = {
        "kind": "人工咨询", "channel": "web", "citizen_name": "张三", "callback_phone": "13812345678",
        "summary": "想咨询立案材料", "conversation_id": f"conv-{uuid.uuid4().hex[:8]}", "message_id": "msg-1",
    }
    payload.update(overrides)
    return payload


def new_order(store: DeskStore, now: datetime | None = None, **overrides) -> dict:
    """Create an order through the store and return its creation view."""
    return store.create_work_order(parse_new_order(order_payload(**overrides)), now=now).view

