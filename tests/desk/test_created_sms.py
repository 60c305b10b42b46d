"""The citizen's SMS when a work order is opened: once, after the commit, and never at the order's expense."""

from __future__ import annotations

import logging
import threading

import pytest

from kernel.kv import MemoryKV
from kernel.sms import HttpGateway, OutboxGateway, SmsError, read_messages
from services.desk.app import create_app
from services.desk.service.wiring import Wiring
from tests.desk.conftest import API_TOKEN, CLOSED_URL
from tests.desk.helpers import order_payload

SERVICE = {"Authorization": f"Bearer {API_TOKEN}"}


def _app(settings, store, sms=None):
    return create_app(settings, store, wiring=Wiring.from_settings(settings, store, sms=sms, kv=MemoryKV()))


def _create(app, **overrides):
    return app.test_client().post("/api/v1/workorders", json=order_payload(**overrides), headers=SERVICE)


def _flush(app) -> None:
    app.config["DESK_WIRING"].created_sms.flush()


def test_a_new_order_sends_its_number_and_first_contact_promise_to_the_callback_phone(settings, store):
    app = _app(settings, store)
    answer = _create(app, callback_phone="+86 138-1234-5678")
    assert answer.status_code == 201
    _flush(app)
    [sms] = read_messages(settings.sms_outbox)
    assert sms.phone == "13812345678"  # the outbox is the operator's network: the full number
    assert answer.json["number"] in sms.text
    assert answer.json["first_contact_due_label"] in sms.text
    assert sms.purpose == "workorder"


def test_an_idempotent_retry_sends_no_second_sms(settings, store):
    app = _app(settings, store)
    payload = {"conversation_id": "conv-sms", "message_id": "m-1"}
    first = _create(app, **payload)
    again = _create(app, **payload, summary="重复提交")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["number"] == first.json["number"]
    _flush(app)
    assert len(read_messages(settings.sms_outbox)) == 1


def test_another_message_of_the_conversation_is_another_order_and_another_sms(settings, store):
    app = _app(settings, store)
    a = _create(app, conversation_id="conv-two", message_id="m-1").json["number"]
    b = _create(app, conversation_id="conv-two", message_id="m-2").json["number"]
    _flush(app)
    texts = [m.text for m in read_messages(settings.sms_outbox)]
    assert len(texts) == 2 and a in texts[0] and b in texts[1]


class _Broken:
    def send(self, phone, text, purpose="otp"):
        raise RuntimeError(f"gateway exploded while sending to {phone}")


@pytest.mark.parametrize("breakage", ["outbox_unwritable", "http_gateway_down", "unexpected_error"])
def test_an_sms_failure_still_returns_and_keeps_the_created_order(
    settings, store, tmp_path, caplog, breakage
):
    if breakage == "outbox_unwritable":
        (tmp_path / "blocked").mkdir()
        sms = OutboxGateway(tmp_path / "blocked")  # a directory: the real adapter raises SmsError
    elif breakage == "http_gateway_down":
        sms = HttpGateway(CLOSED_URL + "/sms", "key", timeout=(0.5, 0.5))
    else:
        sms = _Broken()
    app = _app(settings, store, sms)
    with caplog.at_level(logging.WARNING, logger="services.desk.service.notify"):
        answer = _create(app, callback_phone="13900001111")
        _flush(app)
    assert answer.status_code == 201 and answer.json["created"] is True
    assert store.count_orders() == 1
    assert store.lookup(answer.json["number"], "13900001111")["number"] == answer.json["number"]
    warnings = [r.getMessage() for r in caplog.records if r.name == "services.desk.service.notify"]
    assert len(warnings) == 1 and answer.json["number"] in warnings[0]
    assert "139****1111" in warnings[0] and "13900001111" not in warnings[0]


class _Slow:
    """A gateway that holds every send until released (a slow HTTP gateway)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.sent: list[tuple[str, str]] = []

    def send(self, phone, text, purpose="otp"):
        if not self.release.wait(10):
            raise SmsError("timeout")
        self.sent.append((phone, text))
        return "id"


def test_a_slow_gateway_does_not_hold_up_the_creation_answer(settings, store):
    slow = _Slow()
    app = _app(settings, store, slow)
    answer = _create(app, callback_phone="13700002222")
    assert answer.status_code == 201 and slow.sent == []  # answered while the SMS is still on its way
    slow.release.set()
    _flush(app)
    assert slow.sent == [("13700002222", slow.sent[0][1])] and answer.json["number"] in slow.sent[0][1]


def test_orders_created_without_the_api_send_nothing(settings, store):
    from tests.desk.helpers import new_order

    new_order(store)  # the store alone is the database; the SMS belongs to the creation endpoint
    assert read_messages(settings.sms_outbox) == []
