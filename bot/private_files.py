"""Files that hold conversations are readable by their owner only.

The embedded default keeps the masked tracker store in a SQLite file under `var/` (endpoints.yml). Masking
removes ID and phone numbers, but names, case numbers and what citizens wrote remain: personal data, so the
file is created 0600 before SQLite opens it (SQLite gives its journal and WAL files the same mode), and an
existing file with a wider mode is narrowed.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600


def private_file(path: str | Path) -> Path:
    """Create `path` (and its folder) if missing, owner read/write only; narrow an existing file's mode."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_CREAT | os.O_WRONLY, PRIVATE_MODE)  # creates; never truncates
    os.close(fd)
    if target.stat().st_mode & 0o777 != PRIVATE_MODE:
        target.chmod(PRIVATE_MODE)
    return target


def prepare_sql_store(inner_type: str, options: dict) -> None:
    """Before Rasa's SQL tracker store opens a SQLite file: make that file private (no-op otherwise)."""
    if inner_type != "sql" or options.get("dialect", "sqlite") != "sqlite":
        return
    db = options.get("db") or "rasa.db"  # Rasa's SQLTrackerStore default
    if db != ":memory:":
        private_file(db)
