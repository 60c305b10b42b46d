"""The kernel's clients and stores are built from explicit values: each process's settings object reads
the environment, the kernel never does."""

from __future__ import annotations

import sys
import types

import pytest

import kernel.kv
from kernel.clients.court import HttpCourtClient, make_client
from kernel.court import DEFAULT_COURT_FILE, load_court_settings
from kernel.kv import MemoryKV, kv_from_url, shared_kv
from kernel.sms import HttpGateway, OutboxGateway, make_gateway


def test_court_client_from_values() -> None:
    client = make_client("http://court:1", "key", 1.0, 2.0)
    assert isinstance(client, HttpCourtClient)


def test_a_court_system_adapter_gets_its_mapping(monkeypatch) -> None:
    adapter = types.ModuleType("court_adapter_for_test")
    adapter.create_client = lambda env: ("adapter", env)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "court_adapter_for_test", adapter)
    assert make_client(adapter="court_adapter_for_test", adapter_env={"X": "1"}) == ("adapter", {"X": "1"})


def test_sms_gateway_from_values(tmp_path) -> None:
    outbox = make_gateway("outbox", outbox=tmp_path / "o.jsonl")
    assert isinstance(outbox, OutboxGateway) and outbox.path == tmp_path / "o.jsonl"
    assert isinstance(make_gateway(" HTTP ", http_url="http://sms/send", http_key="k"), HttpGateway)
    with pytest.raises(ValueError, match="SMS_BACKEND"):
        make_gateway("pigeon")


def test_kv_from_url_and_one_shared_store(monkeypatch) -> None:
    assert isinstance(kv_from_url("  "), MemoryKV)
    monkeypatch.setattr(kernel.kv, "_default", None)
    first = shared_kv("")
    assert shared_kv("") is first and shared_kv("redis://elsewhere:6379/0") is first  # one per process


def test_court_settings_from_a_named_file(tmp_path) -> None:
    other = tmp_path / "court.yml"
    other.write_text("court_phone: '010-1'\n", encoding="utf-8")
    assert load_court_settings(other) == {"court_phone": "010-1"}
    assert load_court_settings("") == load_court_settings(DEFAULT_COURT_FILE)
