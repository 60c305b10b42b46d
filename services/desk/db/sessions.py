"""Server-side staff sessions (table `staff_sessions`): the desk cookie and the API's bearer tokens.

A login creates a row and hands out a random id (`secrets.token_urlsafe(32)`); the row is keyed by the
id's SHA-256, so a copy of the database holds no usable session. Every request looks the row up:
- none (logged out, password reset, deactivated, never existed): refused;
- desk pages: ended DESK_SESSION_MINUTES after login or DESK_SESSION_IDLE_MINUTES (default 30) after the
  last request;
- API tokens: ended DESK_STAFF_TOKEN_MINUTES (default 60) after login.
Limits are read from the settings at check time, so lowering one takes effect on running sessions.
Logging out deletes the row: a cookie or token saved before logout no longer works.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import sessionmaker

from ..settings import DeskSettings
from .models import SESSION_API, SESSION_DESK, StaffSession

TOUCH_SECONDS = 15  # `seen_at` is written at most this often (the desk heartbeat runs every 10 s)
EXPIRED = "登录已过期，请重新登录"
UNKNOWN = "请先登录"


class SessionEnded(PermissionError):
    """No live session for this id; the message says why (shown as is)."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


class SessionBook:
    def __init__(self, sessions: sessionmaker, settings: DeskSettings) -> None:
        self._sessions = sessions
        self._settings = settings

    def _limits(self, kind: str, settings: DeskSettings | None = None) -> tuple[timedelta, timedelta | None]:
        """(absolute lifetime, idle limit or None) of a kind of session (the app's settings, if given)."""
        settings = settings or self._settings
        if kind == SESSION_API:
            return timedelta(minutes=settings.staff_token_minutes), None
        return timedelta(minutes=settings.session_minutes), timedelta(minutes=settings.session_idle_minutes)

    def open(self, user_id: int, stamp: str, kind: str, now: datetime) -> str:
        """A new session for the user; returns the id to hand out (never stored)."""
        token = secrets.token_urlsafe(32)
        with self._sessions.begin() as session:
            self._sweep(session, now)
            session.add(
                StaffSession(
                    id_hash=_hash(token), kind=kind, user_id=user_id, stamp=stamp, created_at=now, seen_at=now
                )
            )
        return token

    def check(
        self, token: str, kind: str, now: datetime, settings: DeskSettings | None = None
    ) -> tuple[int, str]:
        """(user id, password stamp) of a live session, or SessionEnded; refreshes the idle clock."""
        if not token:
            raise SessionEnded(UNKNOWN)
        lifetime, idle = self._limits(kind, settings)
        with self._sessions.begin() as session:
            row = session.get(StaffSession, _hash(token))
            if row is None or row.kind != kind:
                raise SessionEnded(UNKNOWN)
            if now - row.created_at >= lifetime or (idle is not None and now - row.seen_at >= idle):
                session.delete(row)
                raise_after = True
            else:
                raise_after = False
                if (now - row.seen_at).total_seconds() >= TOUCH_SECONDS:
                    row.seen_at = now
                user_id, stamp = row.user_id, row.stamp
        if raise_after:
            raise SessionEnded(EXPIRED)
        return user_id, stamp

    def close(self, token: str) -> bool:
        """Log out: delete the session; True if there was one."""
        if not token:
            return False
        with self._sessions.begin() as session:
            return (
                session.execute(delete(StaffSession).where(StaffSession.id_hash == _hash(token))).rowcount > 0
            )

    def _sweep(self, session, now: datetime) -> None:
        """Delete sessions past their limits (run at each login, so the table stays small)."""
        desk_life, desk_idle = self._limits(SESSION_DESK)
        api_life, _ = self._limits(SESSION_API)
        session.execute(
            delete(StaffSession)
            .where(
                or_(
                    (StaffSession.kind == SESSION_DESK)
                    & (
                        (StaffSession.created_at <= now - desk_life)
                        | (StaffSession.seen_at <= now - desk_idle)
                    ),
                    (StaffSession.kind == SESSION_API) & (StaffSession.created_at <= now - api_life),
                )
            )
            .execution_options(synchronize_session=False)
        )

    def count(self, user_id: int | None = None) -> int:
        """Live rows (tests and operators)."""
        with self._sessions() as session:
            query = select(StaffSession.id_hash)
            if user_id is not None:
                query = query.where(StaffSession.user_id == user_id)
            return len(session.execute(query).all())


def end_user_sessions(session, user_id: int) -> None:
    """Inside a staff change's transaction: every session of the user ends (password reset, deactivation)."""
    session.execute(
        delete(StaffSession)
        .where(StaffSession.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
