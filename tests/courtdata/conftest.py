"""Fixtures: the reference court-data service really served by waitress on a free loopback port.

"Now" is pinned to the demo data's as_of date, so upcoming hearings and days-left stay what the data says
whenever the suite runs. Each test gets its own in-process KV and SMS outbox unless it asks otherwise.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from waitress.server import create_server

from kernel.clients.court import HttpCourtClient
from kernel.kv import MemoryKV
from kernel.sms import OutboxGateway, read_messages
from services.courtdata import CourtStore, Settings, create_app
from services.courtdata.settings import DEFAULT_FILE

API_KEY = "test-courtdata-key"
ADMIN_KEY = "test-courtdata-admin-key"  # the fault switch's own key
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@dataclass
class Running:
    """A served app: its URL, outbox and a client that speaks to it."""

    url: str
    outbox: Path
    kv: object
    server: object
    client: HttpCourtClient
    audit: Path

    @property
    def verifier(self):
        return self.server.app.extensions["courtdata"]["verifier"]

    def audit_lines(self) -> list[dict]:
        if not self.audit.exists():
            return []
        return [json.loads(line) for line in self.audit.read_text(encoding="utf-8").splitlines()]

    def as_client(self, address: str) -> HttpCourtClient:
        """A client whose calls carry X-Client-Address (believed when the service trusts 127.0.0.1)."""
        client = self.new_client()
        for session in (client._get, client._post):
            session.headers["X-Client-Address"] = address
        return client

    def last_code(self) -> str:
        """The one-time code of the latest code SMS, read from the outbox as the citizen reads their phone
        (alerts to a party, sent off the request thread, may arrive after it)."""
        codes = [m for m in read_messages(self.outbox, 100) if m.purpose == "otp"]
        return re.search(r"验证码(\d{6})", codes[-1].text).group(1)

    def messages(self) -> list:
        return read_messages(self.outbox, 100)

    def new_client(self, **kwargs) -> HttpCourtClient:
        return HttpCourtClient(self.url, kwargs.pop("api_key", API_KEY), **kwargs)


class Served:
    """A WSGI app served by waitress on a free port in a daemon thread; `stop()` ends it cleanly."""

    def __init__(self, app, threads: int = 4) -> None:
        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads)
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Empty the loop's map (so the loop ends), wake it, then close the sockets it no longer polls."""
        channels = list(self.server._map.values())
        self.server._map.clear()
        self.server.pull_trigger()
        self.thread.join(5)
        for channel in channels:
            channel.close()
        self.server.task_dispatcher.shutdown(timeout=5)


@pytest.fixture(scope="session")
def store() -> CourtStore:
    return CourtStore.from_file(DEFAULT_FILE)


@pytest.fixture(scope="session")
def demo(store):
    """Lookup helpers over the demo data for building requests."""
    return DemoData(store)


class DemoData:
    def __init__(self, store: CourtStore) -> None:
        self.store = store

    def case(self, number: str) -> dict:
        return self.store.cases[number]

    def party(self, number: str, name: str) -> dict:
        return next(p for p in self.case(number)["parties"] if p["name"] == name)

    def lawyer(self, number: str, name: str) -> dict:
        return next(r for r in self.case(number)["representatives"] if r["name"] == name)

    def debtors(self, name: str) -> list[dict]:
        return [e for e in self.store.debtors if e["name"] == name]


@pytest.fixture
def start_service(store, tmp_path) -> Iterator:
    """Factory: start_service(**settings_overrides, kv=..., clock=...) -> Running."""
    started = []

    def start(kv=None, clock=None, **overrides) -> Running:
        audit = tmp_path / f"audit_{len(started)}.jsonl"
        settings = replace(Settings(api_key=API_KEY, admin_key=ADMIN_KEY, audit_log=audit), **overrides)
        outbox = tmp_path / f"sms_outbox_{len(started)}.jsonl"
        kv = kv if kv is not None else MemoryKV()
        app = create_app(settings, store, kv=kv, sms=OutboxGateway(outbox), clock=clock or (lambda: NOW))
        served = Served(app)
        started.append(served)
        return Running(served.url, outbox, kv, served, HttpCourtClient(served.url, settings.api_key), audit)

    yield start
    for served in started:
        served.stop()


@pytest.fixture
def service(start_service) -> Running:
    return start_service()
