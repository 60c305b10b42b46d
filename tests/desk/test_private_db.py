"""The desk's SQLite file holds names, transcripts and (encrypted) phones: only its owner may read it."""

from __future__ import annotations

import os
import stat

from services.desk.db.engine import make_engine, migrate


def test_the_sqlite_file_and_its_wal_are_created_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual umask: SQLite alone would make the file world-readable
    try:
        db = tmp_path / "var" / "desk.db"
        engine = make_engine(f"sqlite:///{db}")
        migrate(engine)
        with engine.connect():  # WAL mode: the -wal and -shm files exist while a connection is open
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in db.parent.iterdir()}
        engine.dispose()
    finally:
        os.umask(old)
    assert modes["desk.db"] == 0o600
    assert all(mode == 0o600 for name, mode in modes.items() if name.startswith("desk.db"))


def test_an_existing_wider_file_is_narrowed(tmp_path):
    db = tmp_path / "desk.db"
    db.touch(mode=0o644)
    db.chmod(0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
