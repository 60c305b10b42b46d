"""The per-day counters behind work-order numbers (their form: domain/numbering.py).

The sequence comes from a per-day counter row bumped inside the transaction that inserts the order, so two
orders never share a number and a rolled-back creation gives its number back: the row lock (PostgreSQL) or
the database write lock (SQLite) serialises concurrent creators until commit.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..domain.numbering import day_key, format_number
from .models import NumberCounter


def _ensure_counter(session: Session, key: str) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(NumberCounter).values(day=key, last=0).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(NumberCounter).values(day=key, last=0).on_conflict_do_nothing())
    elif session.get(NumberCounter, key) is None:
        session.execute(insert(NumberCounter).values(day=key, last=0))


def next_number(session: Session, prefix: str, day: date) -> str:
    """The next number of `day`; call inside the transaction that stores the order."""
    key = day_key(prefix, day)
    _ensure_counter(session, key)
    session.execute(update(NumberCounter).where(NumberCounter.day == key).values(last=NumberCounter.last + 1))
    last = session.execute(select(NumberCounter.last).where(NumberCounter.day == key)).scalar_one()
    return format_number(key, last)
