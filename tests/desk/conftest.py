"""Fixtures: the same store on SQLite and on the local PostgreSQL (private schema, dropped afterwards).

Each backend is migrated once per session with the real Alembic migrations; every test starts from empty
tables plus the demo staff (hashed with cheap argon2 parameters so the suite stays fast).
"""

from __future__ import annotations

import dataclasses
import os
import uuid

import pytest
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from sqlalchemy import text

from kernel.kv import MemoryKV
from services.desk.app import create_app
from services.desk.db.engine import make_engine, migrate
from services.desk.db.models import Base
from services.desk.domain.access import Actor
from services.desk.service.orders import DeskStore
from services.desk.service.wiring import Wiring
from services.desk.settings import DeskSettings
from tests.desk.fakes import PUSH_TOKEN, RASA_TOKEN, FakeRasa, Served
from tests.desk.helpers import FakeClock

POSTGRES_URL = os.environ.get("DESK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
API_TOKEN = "test-service-token"
PASSWORD = "demo-password-1"
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PHONE_KEY = (
    Fernet.generate_key().decode()
)  # one per test run: the session-wide databases keep their rows' key


def _postgres_engine():
    schema = f"desk_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - any connection problem means "no PostgreSQL here"
        admin.dispose()
        pytest.skip(f"local PostgreSQL not reachable at {POSTGRES_URL}: {exc}")
    engine = make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    return engine, admin, schema


@pytest.fixture(scope="session", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request, tmp_path_factory):
    """A migrated database engine of each kind."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('desk') / 'desk.db'}")
        migrate(engine)
        yield engine
        engine.dispose()
        return
    engine, admin, schema = _postgres_engine()
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_engine(request, tmp_path):
    """An empty, unmigrated database of each kind."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
        yield engine
        engine.dispose()
        return
    engine, admin, schema = _postgres_engine()
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


CLOSED_URL = "http://127.0.0.1:9"  # nothing listens on the discard port: "Rasa is down"


def make_settings(tmp_path, **overrides) -> DeskSettings:
    """Test settings: SMS into a private outbox in tmp_path, Rasa and the court-data service unreachable
    (each field can be overridden)."""
    fields = {
        "database_url": "(engine given)",
        "api_token": API_TOKEN,
        "secret_key": "test-secret",
        "demo_password": PASSWORD,
        "sms_outbox": str(tmp_path / "sms_outbox.jsonl"),
        "sms_spool": str(tmp_path / "sms_spool.jsonl"),
        "rasa_url": CLOSED_URL,
        "court_api_url": CLOSED_URL,
        "phone_key": PHONE_KEY,
    }
    return DeskSettings(**{**fields, **overrides})


@pytest.fixture
def settings(tmp_path) -> DeskSettings:
    return make_settings(tmp_path)


@pytest.fixture
def store(backend, settings) -> DeskStore:
    """An empty store with the demo staff."""
    with backend.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    desk = DeskStore(backend, settings, hasher=FAST_HASHER)
    desk.staff.seed_demo()
    return desk


@pytest.fixture
def actors(store) -> dict[str, Actor]:
    """The demo staff as actors, by username."""
    return {
        name: store.staff.authenticate(name, PASSWORD)
        for name in ("clerk", "judge_yi", "judge_zou", "supervisor", "admin")
    }


@pytest.fixture
def app(settings, store):
    return create_app(settings, store, wiring=Wiring.from_settings(settings, store, kv=MemoryKV()))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fake_rasa():
    """The Rasa process's HTTP API and the channels' push endpoints, served on loopback."""
    fake = FakeRasa()
    with Served(fake.app()) as served:
        fake.url = served.url
        yield fake


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def wired_settings(settings, fake_rasa) -> DeskSettings:
    """Settings pointing the desk at the fake Rasa process."""
    return dataclasses.replace(
        settings, rasa_url=fake_rasa.url, rasa_token=RASA_TOKEN, channel_push_token=PUSH_TOKEN
    )


@pytest.fixture
def wiring(wired_settings, store, clock) -> Wiring:
    return Wiring.from_settings(wired_settings, store, clock=clock, kv=MemoryKV())


@pytest.fixture
def desk_app(wired_settings, store, wiring):
    """The whole app (API and pages) wired to the fake Rasa process and the fake clock."""
    return create_app(wired_settings, store, wiring=wiring)


@pytest.fixture
def pages(desk_app):
    """A browser-like client of the desk pages (cookies kept)."""
    return desk_app.test_client()


@pytest.fixture(params=["desktop", "phone"])
def tab(request):
    """A Chromium tab at a desktop (1280×800) or a phone (390×844) size, recording console errors, beeps and
    desktop notifications (tests/desk/browser.py); `tab.size` says which."""
    from tests.desk.browser import RECORDERS, VIEWPORTS, chromium_tab  # Playwright only for browser tests

    with chromium_tab(VIEWPORTS[request.param], RECORDERS) as page:
        page.size = request.param
        yield page
