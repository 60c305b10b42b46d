"""The backup and restore of docs/operations.md, done for real on the local PostgreSQL (issue 12, item 5).

A desk database with work orders is dumped with `pg_dump -Fc`, dropped, and restored with `pg_restore`
into a fresh database: the desk opens it, the orders are there with the citizen's name and the callback
phone (decrypted with the same DESK_PHONE_KEY), staff can log in, and the next order gets a new number.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import text

from services.desk.db.engine import make_engine
from services.desk.service.orders import DeskStore
from tests.desk.conftest import FAST_HASHER, PASSWORD, POSTGRES_URL
from tests.desk.helpers import new_order

pytestmark = pytest.mark.postgres
SERVER = POSTGRES_URL.rsplit("/", 1)[0]  # postgresql://postgres@127.0.0.1:5432


def _tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (Debian: apt-get install postgresql-client)")


def _admin(sql: str) -> None:
    engine = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def databases():
    """Two database names on the local server (the live one and the restore target), dropped afterwards."""
    _tools()
    names = [f"desk_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("live", "restored")]
    try:
        for name in names:
            _admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no PostgreSQL here"
        pytest.skip(f"local PostgreSQL not reachable or may not create databases: {exc}")
    yield names
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _open(settings, database: str) -> DeskStore:
    url = f"{SERVER}/{database}"
    return DeskStore.open(dataclasses.replace(settings, database_url=url), hasher=FAST_HASHER)


def _run(*args: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_dumped_desk_database_restores_into_a_fresh_one(settings, databases, tmp_path):
    live, restored = databases
    store = _open(settings, live)
    numbers = [
        new_order(store, citizen_name="欧阳娜娜", callback_phone="13812345678")["number"],
        new_order(store, citizen_name="司马光", callback_phone="13900001111")["number"],
    ]
    clerk = store.staff.authenticate("clerk", PASSWORD)
    store.claim(clerk, numbers[0])
    store.engine.dispose()

    dump = tmp_path / "desk.dump"
    _run("pg_dump", "-Fc", "--no-owner", "-d", f"{SERVER}/{live}", "-f", str(dump))  # docs/operations.md
    _admin(f'DROP DATABASE "{live}" WITH (FORCE)')  # the disaster
    _run("pg_restore", "--no-owner", "--exit-on-error", "-d", f"{SERVER}/{restored}", str(dump))

    back = _open(settings, restored)
    try:
        clerk = back.staff.authenticate("clerk", PASSWORD)
        assert clerk is not None
        first, second = (back.get_order(clerk, number) for number in numbers)
        assert (first["citizen_name"], first["status"]) == ("欧阳娜娜", "处理中")
        assert second["citizen_name"] == "司马光"
        assert back.reveal_phone(clerk, numbers[0]) == "13812345678"
        assert back.count_orders() == 2
        third = new_order(back, citizen_name="上官婉儿")["number"]  # sequences and counters came back too
        assert third not in numbers
    finally:
        back.engine.dispose()
