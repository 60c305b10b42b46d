"""Retention of conversations: delete tracker-store events older than the policy (issue 12, item 5).

Rasa's SQL tracker store (SQLite in the embedded default, PostgreSQL in production) keeps one row per
event in the table `events` (sender_id, type_name, timestamp in epoch seconds, …). The retention job of the
desk process (services/desk/retention.py) calls `purge_tracker_events` with the cut-off of the policy.

What goes: every event of a conversation whose newest event is older than the cut-off, and, in conversations
still in use, the old events of sessions that have ended (before the newest `session_started`). Events of
a session still open are never cut in half: Rasa counts the stored events of the current session to know
which ones are new, so deleting some of them would make it store the rest twice.

The database is named by the same endpoints file Rasa reads (`tracker_db_url`), so the job purges the store
the assistant really writes to. This module reads no environment: the caller hands the variables in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
EVENTS_TABLE = "events"  # rasa.core.tracker_store.SQLTrackerStore.SQLEvent

_WHOLE_CONVERSATIONS = text(
    "DELETE FROM events WHERE sender_id IN "
    "(SELECT sender_id FROM events GROUP BY sender_id HAVING MAX(timestamp) < :cutoff)"
)
_ENDED_SESSIONS = text(
    "DELETE FROM events WHERE timestamp < :cutoff AND id < "
    "(SELECT MAX(s.id) FROM events s WHERE s.sender_id = events.sender_id AND s.type_name = 'session_started')"
)


class TrackerConfigError(ValueError):
    """The endpoints file's tracker store cannot be read as a database URL."""


def _expand(value: Any, environ: Mapping[str, str]) -> Any:
    if not isinstance(value, str):
        return value

    def variable(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise TrackerConfigError(f"the endpoints file needs {name}, which is not set")
        return environ[name]

    return _VARIABLE.sub(variable, value)


def tracker_db_url(endpoints_yaml: str, environ: Mapping[str, str]) -> str | None:
    """The SQLAlchemy URL of the SQL tracker store in an endpoints file (Rasa's `${VAR}`s expanded from
    `environ`), the way Rasa's SQLTrackerStore builds it; None when the store is not SQL (in memory)."""
    config = (yaml.safe_load(endpoints_yaml) or {}).get("tracker_store") or {}
    config = {key: _expand(value, environ) for key, value in config.items()}
    store_type = config.get("inner_type") if "MaskingTrackerStore" in str(config.get("type")) else None
    if (store_type or config.get("type")) != "sql":
        return None
    host = config.get("url") or None
    if host and "://" in host:
        return str(host)
    port = config.get("port")
    url = URL.create(
        drivername=config.get("dialect") or "sqlite",
        username=config.get("username") or None,
        password=config.get("password") or None,
        host=host,
        port=int(port) if port not in (None, "") else None,
        database=config.get("db") or "rasa.db",
    )
    return url.render_as_string(hide_password=False)


def purge_tracker_events(url: str, cutoff: datetime) -> int:
    """Delete the events past the policy (see the module's docstring); returns how many rows went."""
    seconds = (cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=timezone.utc)).timestamp()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        return 0  # no conversation stored yet; and do not create the file (with the wrong mode)
    engine = create_engine(parsed, future=True)
    try:
        if not inspect(engine).has_table(EVENTS_TABLE):
            return 0  # Rasa has not stored a conversation yet
        with engine.begin() as conn:
            whole = conn.execute(_WHOLE_CONVERSATIONS, {"cutoff": seconds}).rowcount
            ended = conn.execute(_ENDED_SESSIONS, {"cutoff": seconds}).rowcount
        return int(whole or 0) + int(ended or 0)
    finally:
        engine.dispose()
