"""How many conversations the assistant had, for the containment figure (share that ended without a person).

The desk sees only conversations that reached it (a work order, a handoff). The total comes from Rasa's SQL
tracker store, the same database the retention job purges (`DeskSettings.tracker_db_url`: from
`RETENTION_TRACKER_DB_URL` or the endpoints file Rasa reads). A conversation counts in a range when the
citizen wrote in it then (a `user` event). Without a reachable store the figure is not made up: the caller
shows "—" and the reason this module gives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

SOURCE_TRACKER = "Rasa 对话存储（tracker store）"
_USER_CONVERSATIONS = text(
    "SELECT DISTINCT sender_id FROM events WHERE type_name = 'user' AND timestamp >= :begin AND timestamp < :end"
)


class ConversationsUnknown(Exception):
    """The number of conversations cannot be known; the message says why, for the figures page."""


@dataclass(frozen=True)
class Conversations:
    source: str
    ids: frozenset[str]


def _epoch(moment: datetime) -> float:
    return moment.replace(tzinfo=timezone.utc).timestamp()  # stored times are naive UTC


def tracker_conversations(url: str, begin: datetime, end: datetime) -> Conversations:
    """Ids of the conversations with a citizen message in [begin, end) in the tracker store at `url`."""
    if not url:
        raise ConversationsUnknown(
            "未配置 Rasa 的 SQL 对话存储（RETENTION_TRACKER_DB_URL 或 RASA_ENDPOINTS）"
        )
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConversationsUnknown("对话存储地址格式不正确") from exc
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or not Path(parsed.database).is_file():
            raise ConversationsUnknown("对话存储文件不存在（助手尚未运行或路径不同）")
        parsed = parsed.set(query={"mode": "ro", "uri": "true"}, database=f"file:{parsed.database}")
    engine = create_engine(parsed, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(_USER_CONVERSATIONS, {"begin": _epoch(begin), "end": _epoch(end)}).scalars()
            return Conversations(SOURCE_TRACKER, frozenset(rows))
    except SQLAlchemyError as exc:
        log.warning("figures: tracker store not readable: %s", type(exc).__name__)
        raise ConversationsUnknown("暂时无法读取 Rasa 对话存储") from exc
    finally:
        engine.dispose()
