"""The turn queue on one SQLite table: the embedded default (see queue.py)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from bot.channels.wechat.queue import TOMBSTONE_SECONDS, Entry, Turn, new_consumer_name

_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    turn TEXT,
    owner TEXT NOT NULL,
    touched REAL NOT NULL,
    answer TEXT,
    sent INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 1,
    done INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL
)
"""
_COLUMNS = "id, turn, answer, sent, attempts"


class SqliteTurnQueue:
    """The queue as one SQLite table (the embedded default: one host, usually one Rasa process)."""

    def __init__(self, path: str | Path, consumer: str = "", clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        os.chmod(self.path, 0o600)  # the citizen's text lies here until it is answered
        self.consumer = consumer or new_consumer_name()
        self._clock = clock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA secure_delete=ON")  # an answered citizen's text is overwritten, not freed
        self._db.execute(_SCHEMA)
        self._purged_at = 0.0
        self._purge()

    def _purge(self) -> None:
        """Drop tombstones older than a day (at start and then hourly, from `reclaim`)."""
        self._purged_at = self._clock()
        self._run("DELETE FROM turns WHERE done = 1 AND created < ?", (self._purged_at - TOMBSTONE_SECONDS,))

    def _run(self, sql: str, params: tuple = ()) -> list[tuple]:
        """One statement in its own transaction (serialised: the connection is shared by threads)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                rows = self._db.execute(sql, params).fetchall()
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return rows

    @staticmethod
    def _entry(row: tuple) -> Entry:
        entry_id, turn, answer, sent, attempts = row
        return Entry(str(entry_id), Turn.loads(turn), json.loads(answer) if answer else None, sent, attempts)

    def put(self, turn: Turn) -> Entry | None:
        now = self._clock()
        rows = self._run(
            "INSERT INTO turns (key, turn, owner, touched, created) VALUES (?, ?, ?, ?, ?) "
            f"ON CONFLICT (key) DO NOTHING RETURNING {_COLUMNS}",
            (turn.key, turn.dumps(), self.consumer, now, now),
        )
        return self._entry(rows[0]) if rows else None

    def find(self, key: str) -> Entry | None:
        rows = self._run(f"SELECT {_COLUMNS} FROM turns WHERE key = ? AND done = 0", (key,))
        return self._entry(rows[0]) if rows else None

    def take(self, entry: Entry, min_idle: float) -> Entry | None:
        now = self._clock()
        rows = self._run(
            "UPDATE turns SET owner = ?, touched = ?, attempts = attempts + 1 "
            f"WHERE id = ? AND done = 0 AND touched <= ? RETURNING {_COLUMNS}",
            (self.consumer, now, int(entry.id), now - min_idle),
        )
        return self._entry(rows[0]) if rows else None

    def reclaim(self, min_idle: float, count: int = 10) -> list[Entry]:
        if self._clock() - self._purged_at > 3600:
            self._purge()
        if count <= 0:
            return []
        now = self._clock()
        rows = self._run(
            "UPDATE turns SET owner = ?, touched = ?, attempts = attempts + 1 WHERE id IN "
            "(SELECT id FROM turns WHERE done = 0 AND touched <= ? ORDER BY id LIMIT ?) "
            f"RETURNING {_COLUMNS}",
            (self.consumer, now, now - min_idle, count),
        )
        return sorted((self._entry(row) for row in rows), key=lambda e: int(e.id))

    def touch(self, entries: Iterable[Entry]) -> None:
        ids = [int(entry.id) for entry in entries]
        if ids:
            marks = ",".join("?" * len(ids))
            self._run(
                f"UPDATE turns SET touched = ? WHERE owner = ? AND done = 0 AND id IN ({marks})",
                (self._clock(), self.consumer, *ids),
            )

    def record_answer(self, entry: Entry, pieces: list[str]) -> Entry:
        self._run(
            "UPDATE turns SET answer = ? WHERE id = ?",
            (json.dumps(pieces, ensure_ascii=False), int(entry.id)),
        )
        return replace(entry, answer=list(pieces))

    def record_sent(self, entry: Entry, sent: int) -> None:
        self._run("UPDATE turns SET sent = ? WHERE id = ?", (sent, int(entry.id)))

    def ack(self, entry: Entry) -> None:
        self._run("UPDATE turns SET done = 1, turn = NULL, answer = NULL WHERE id = ?", (int(entry.id),))
        with self._lock:  # the old page, text and all, is still in the write-ahead log until this
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        with self._lock:
            self._db.close()
