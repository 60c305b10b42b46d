"""SMS gateway adapters: the outbox the demo reads, the HTTP adapter against a real local gateway stand-in."""

from __future__ import annotations

import threading

import pytest
from flask import Flask, jsonify, request

from kernel.kv import MemoryKV
from kernel.sms import (
    HttpGateway,
    OutboxGateway,
    SmsError,
    innermost,
    latest_messages,
    main,
    read_messages,
)
from kernel.sms_spool import SpoolingGateway
from services.courtdata import Settings, create_app
from tests.courtdata.conftest import API_KEY, Served


def test_outbox_keeps_full_number_but_display_masks_it(tmp_path):
    outbox = OutboxGateway(tmp_path / "var" / "outbox.jsonl")
    outbox.send("13900001001", "验证码123456")
    outbox.send("13800005678", "验证码654321")
    assert [m.phone for m in read_messages(outbox.path)] == ["13900001001", "13800005678"]
    shown = latest_messages(outbox.path, 1)
    assert shown == [{"sent_at": shown[0]["sent_at"], "phone": "138****5678", "text": "验证码654321"}]


def test_outbox_is_safe_with_concurrent_senders(tmp_path):
    outbox = OutboxGateway(tmp_path / "outbox.jsonl")
    threads = [
        threading.Thread(target=lambda i=i: [outbox.send("13900000000", f"m{i}-{k}") for k in range(20)])
        for i in range(5)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(read_messages(outbox.path, 1000)) == 100


def test_show_outbox_command_masks_phones(tmp_path, capsys):
    OutboxGateway(tmp_path / "o.jsonl").send("13900001001", "验证码123456")
    main(["--path", str(tmp_path / "o.jsonl")])
    out = capsys.readouterr().out
    assert "139****1001" in out and "验证码123456" in out and "13900001001" not in out


def test_missing_outbox_reads_as_empty(tmp_path):
    assert latest_messages(tmp_path / "none.jsonl") == []


@pytest.fixture
def gateway():
    """A local stand-in of an SMS operator's HTTP API: checks the key, records what it was asked to send."""
    app, received = Flask(__name__), []

    @app.post("/v1/sms/send")
    def send():
        if request.headers.get("Authorization") != "Bearer gw-key":
            return jsonify(error="unauthorized"), 401
        received.append(request.get_json())
        return jsonify(message_id=f"gw-{len(received)}", status="queued")

    served = Served(app)
    yield served.url + "/v1/sms/send", received
    served.stop()


def test_http_gateway_speaks_json_with_bearer_key(gateway):
    url, received = gateway
    assert HttpGateway(url, "gw-key").send("13900001001", "验证码123456") == "gw-1"
    assert received[0]["to"] == "+8613900001001" and received[0]["text"] == "验证码123456"
    assert received[0]["sign_name"] == "北京市第三中级人民法院"


def test_http_gateway_errors_become_sms_errors(gateway):
    url, _ = gateway
    with pytest.raises(SmsError, match="401"):
        HttpGateway(url, "wrong").send("13900001001", "x")
    with pytest.raises(SmsError, match="unreachable"):
        HttpGateway("http://127.0.0.1:9/v1/sms/send", "gw-key").send("13900001001", "x")


def test_backend_chosen_by_environment(tmp_path):
    outbox = innermost(Settings.from_env({"SMS_OUTBOX": str(tmp_path / "o.jsonl")}).sms_gateway())
    assert isinstance(outbox, OutboxGateway) and outbox.path == tmp_path / "o.jsonl"
    http = Settings.from_env({"SMS_BACKEND": "http", "SMS_HTTP_URL": "http://x/send", "SMS_HTTP_KEY": "k"})
    assert isinstance(innermost(http.sms_gateway()), HttpGateway)
    with pytest.raises(ValueError, match="SMS_BACKEND"):
        Settings.from_env({"SMS_BACKEND": "pigeon"}).sms_gateway()


def test_demo_data_never_goes_to_a_real_gateway(store, tmp_path):
    """Demo phone numbers are made up: texting them through a real operator must be impossible."""
    with pytest.raises(ValueError, match="demo data"):
        create_app(Settings(), store, kv=MemoryKV(), sms=HttpGateway("http://127.0.0.1:9/send", "k"))
    kept = SpoolingGateway(HttpGateway("http://127.0.0.1:9/send", "k"), tmp_path / "spool.jsonl")
    with pytest.raises(ValueError, match="demo data"):  # not through the spool either
        create_app(Settings(), store, kv=MemoryKV(), sms=kept)


class BrokenGateway:
    def send(self, phone, text, purpose="otp"):
        raise SmsError("down")


def test_gateway_failure_is_unavailable_not_silence(store, demo, tmp_path):
    from kernel.clients.court import HttpCourtClient, Unavailable

    store_copy = type(store)(**{**store.__dict__, "meta": {**store.meta, "demo": False}})
    served = Served(
        create_app(
            Settings(api_key=API_KEY, audit_log=tmp_path / "audit.jsonl"),
            store_copy,
            kv=MemoryKV(),
            sms=BrokenGateway(),
        )
    )
    try:
        chen = demo.party("（2026）京0105民初8848号", "陈思远")
        with pytest.raises(Unavailable, match="稍后"):
            HttpCourtClient(served.url, API_KEY).start_verification(
                "（2026）京0105民初8848号", "陈思远", id_number=chen["id_number"]
            )
    finally:
        served.stop()
