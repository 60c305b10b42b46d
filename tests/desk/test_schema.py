"""The Alembic migrations build exactly the models' schema, go down and up again, and seed demo staff once."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from services.desk.db.engine import downgrade, migrate
from services.desk.db.models import Base
from services.desk.service.orders import DeskStore
from services.desk.settings import DeskSettings
from tests.desk.conftest import FAST_HASHER, PHONE_KEY


def test_migrated_schema_matches_the_models(backend):
    with backend.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_downgrade_to_base_and_upgrade_again(fresh_engine):
    migrate(fresh_engine)
    downgrade(fresh_engine, "base")
    assert set(inspect(fresh_engine).get_table_names()) == {"alembic_version"}
    migrate(fresh_engine)
    assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(fresh_engine).get_table_names())


def test_first_start_migrates_and_seeds_the_demo_staff_once(fresh_engine):
    settings = DeskSettings(demo_password="from-the-env-1", phone_key=PHONE_KEY)
    store = DeskStore.open(settings, engine=fresh_engine, hasher=FAST_HASHER)
    assert store.staff.authenticate("judge_yi", "from-the-env-1").role == "法官"
    assert store.staff.authenticate("judge_yi", "demo12368") is None
    DeskStore.open(settings, engine=fresh_engine, hasher=FAST_HASHER)
    admin = store.staff.authenticate("admin", "from-the-env-1")
    assert [u["username"] for u in store.staff.list_users(admin)] == [
        "clerk",
        "judge_yi",
        "judge_zou",
        "supervisor",
        "admin",
    ]


def test_seeding_can_be_switched_off(fresh_engine):
    store = DeskStore.open(
        DeskSettings(seed_demo=False, phone_key=PHONE_KEY), engine=fresh_engine, hasher=FAST_HASHER
    )
    assert store.staff.authenticate("admin", "demo12368") is None


def test_settings_from_environment():
    settings = DeskSettings.from_env(
        {
            "DESK_DATABASE_URL": "postgresql://x@h/db",
            "DESK_ANSWER_DAYS": "3",
            "DESK_WORKDAY_END": "17:00",
            "DESK_SEED_DEMO": "false",
            "DESK_PORT": "9000",
        }
    )
    assert (
        settings.database_url,
        settings.answer_days,
        settings.workday_end.hour,
        settings.seed_demo,
        settings.port,
    ) == ("postgresql://x@h/db", 3, 17, False, 9000)
    assert DeskSettings.from_env({}).database_url == "sqlite:///var/desk.db"


def test_demo_judges_are_the_judges_of_the_walk_through_cases():
    """If the court demo data is regenerated, the desk's demo judges must follow (staff.DEMO_STAFF)."""
    import json
    from pathlib import Path

    from services.desk.service.staff import DEMO_STAFF

    data_file = Path(__file__).resolve().parents[2] / "services/courtdata/demo_data.json"
    data = json.loads(data_file.read_text(encoding="utf-8"))
    judges = {j["judge_id"]: j["name"] for j in data["judges"]}
    case_judge = {c["case_number"]: c["judge_id"] for c in data["cases"]}
    linked = {judge_id: name for _, name, role, judge_id in DEMO_STAFF if role == "法官"}
    # the demo accounts are linked to the walk-through cases' judges by id, and carry those judges' names
    assert set(linked) == {case_judge["（2026）京0105民初8848号"], case_judge["（2023）京0105执5678号"]}
    assert all(judges[judge_id] == name for judge_id, name in linked.items())
