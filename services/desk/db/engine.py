"""Engine creation and schema migration.

SQLite (the default, a file under var/) gets WAL mode, foreign keys and a busy timeout so the desk's readers
and the API's writers do not trip over each other; PostgreSQL is used as given by its URL. The schema is
always brought to the newest Alembic revision before the service answers anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, create_engine, make_url

ALEMBIC_INI = Path(__file__).with_name("alembic.ini")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _private_file(path: Path) -> None:
    """Names, transcripts and phones live in this file: create it (and its folder) readable by its owner
    only, before SQLite opens it (its -wal and -shm files take the same mode); narrow a wider existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o777 != 0o600:
        path.chmod(0o600)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; for a SQLite file its folder and the file (0600) are created first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        connect_args = {"timeout": 30, "check_same_thread": False, **kwargs.pop("connect_args", {})}
        engine = create_engine(url, future=True, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True, **kwargs)


def alembic_config() -> Config:
    """The service's Alembic configuration (script location inside the package)."""
    return Config(str(ALEMBIC_INI))


def migrate(engine: Engine, revision: str = "head", phone_vault: Any = None) -> None:
    """Run `alembic upgrade <revision>` on `engine`'s database (`phone_vault`: for 0004, phones.py)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["phone_vault"] = phone_vault
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str, phone_vault: Any = None) -> None:
    """Run `alembic downgrade <revision>` (for operators rolling back, and the migration tests)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        config.attributes["phone_vault"] = phone_vault
        command.downgrade(config, revision)
