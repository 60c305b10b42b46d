"""Killing the server between "stored" and "confirmed" never loses a work order or creates two.

A real server process (`python -m services.desk`) is started with a fault hook that stalls at a chosen point
of the creation request; the test SIGKILLs it there, starts a fresh process on the same database and retries
the same request, as the action server does after a failed call.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select, text

from services.desk.db.engine import make_engine
from services.desk.db.models import WorkOrder
from tests.desk.conftest import POSTGRES_URL
from tests.desk.helpers import order_payload

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
TOKEN = "kill-test-token"
START_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One `python -m services.desk` process on its own port."""

    def __init__(self, database_url: str, log: Path, fault: str = "") -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "DESK_DATABASE_URL": database_url,
            "DESK_API_TOKEN": TOKEN,
            "DESK_SECRET_KEY": "kill-test",
            "DESK_HOST": "127.0.0.1",
            "DESK_PORT": str(self.port),
            "DESK_FAULT_HOOK": fault,
            "DESK_OVERDUE_SWEEP_SECONDS": "3600",
            "DESK_THREADS": "2",
            "DESK_SEED_DEMO": "false",
        }
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.desk"],
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("desk server exited during start-up")
            try:
                if requests.get(f"{self.url}/health", timeout=(1, 2)).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("desk server did not start")

    def create(self, payload: dict) -> requests.Response:
        return requests.post(
            f"{self.url}/api/v1/workorders",
            json=payload,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=(2, 60),
        )

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'desk.db'}"
        return
    schema = f"desk_kill_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"local PostgreSQL not reachable: {exc}")
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _count(database_url: str, payload: dict) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                select(func.count(WorkOrder.id)).where(
                    WorkOrder.conversation_id == payload["conversation_id"],
                    WorkOrder.message_id == payload["message_id"],
                )
            ).scalar_one()
    finally:
        engine.dispose()


def _kill_in_flight(database_url: str, tmp_path: Path, point: str, payload: dict) -> str:
    """Send the request to a server that stalls at `point`, SIGKILL it there; returns the marked number."""
    marker = tmp_path / f"{point}.marker"
    server = Server(database_url, tmp_path / "server.log", fault=f"{point}:{marker}")
    outcome: list[object] = []
    caller = threading.Thread(target=lambda: outcome.append(_call(server, payload)))
    caller.start()
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the server never reached the fault point"
    server.kill()
    caller.join(timeout=30)
    assert isinstance(outcome[0], requests.ConnectionError), "the caller must not have been answered"
    return marker.read_text(encoding="utf-8")


def _call(server: Server, payload: dict) -> object:
    try:
        return server.create(payload)
    except requests.RequestException as exc:
        return exc


def _retry(database_url: str, tmp_path: Path, payload: dict) -> requests.Response:
    server = Server(database_url, tmp_path / "server.log")
    try:
        return server.create(payload)
    finally:
        server.stop()


def test_killed_after_commit_the_retry_gets_the_stored_order(database_url, tmp_path):
    payload = order_payload(conversation_id="conv-kill-after", message_id="m-1")
    number = _kill_in_flight(database_url, tmp_path, "after_commit", payload)
    assert _count(database_url, payload) == 1  # stored although nobody was told
    retry = _retry(database_url, tmp_path, payload)
    assert retry.status_code == 200
    assert retry.json()["number"] == number and retry.json()["created"] is False
    assert _count(database_url, payload) == 1


def test_killed_before_commit_the_retry_stores_it_exactly_once(database_url, tmp_path):
    payload = order_payload(conversation_id="conv-kill-before", message_id="m-1")
    number = _kill_in_flight(database_url, tmp_path, "before_commit", payload)
    assert _count(database_url, payload) == 0  # the half-done transaction left nothing behind
    retry = _retry(database_url, tmp_path, payload)
    assert retry.status_code == 201 and retry.json()["created"] is True
    assert retry.json()["number"] == number  # the number given back by the rollback is reused
    assert _count(database_url, payload) == 1
