"""Stored state of the live handoff: who of the staff is at the desk, and the handoff requests.

Kept in the database (not in process memory) so that a restart of the desk loses no waiting citizen: the
sweeper finds every request still waiting or every conversation still paused and deals with it. Taking a
request is one conditional UPDATE, so two clerks clicking 接入 at once cannot both get it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ..db.models import (
    HANDOFF_ACTIVE,
    HANDOFF_OPEN,
    HANDOFF_TIMED_OUT,
    HANDOFF_WAITING,
    AuditEntry,
    Handoff,
    StaffPresence,
    StaffUser,
    WorkOrder,
)
from ..domain import lifecycle as lc
from ..domain.access import AccessDenied, Actor, may_view
from ..domain.clock import iso_local
from ..domain.validation import InvalidInput

# Roles that answer live chats.
LIVE_ROLES = (lc.CLERK, lc.SUPERVISOR)


class HandoffGone(RuntimeError):
    """The request was taken by someone else or has ended; the message is shown to staff."""


def _view(handoff: Handoff, order: WorkOrder, now: datetime, tz: str) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "number": handoff.number,
        "channel": handoff.channel,
        "status": handoff.status,
        "kind": order.kind,
        "citizen_name": order.citizen_name,
        "summary": order.summary,
        "requested_at": iso_local(handoff.requested_at, tz),
        "taken_at": iso_local(handoff.taken_at, tz),
        "ended_at": iso_local(handoff.ended_at, tz),
        "clerk_id": handoff.clerk_id,
        "clerk_name": handoff.clerk_name,
        "end_reason": handoff.end_reason,
        "waited_seconds": int(((handoff.taken_at or now) - handoff.requested_at).total_seconds()),
    }


class HandoffBook:
    """Reads and writes presence and handoff rows; every state change of a handoff is audited."""

    def __init__(self, sessions: sessionmaker, tz: str) -> None:
        self._sessions = sessions
        self._tz = tz

    # ------------------------------------------------------------ presence

    def heartbeat(self, actor: Actor, available: bool | None, now: datetime) -> None:
        """The desk page of `actor` is open (called every few seconds); `available` None keeps the last choice."""
        for _ in range(2):  # two first heartbeats of one user may race on the insert
            try:
                with self._sessions.begin() as session:
                    row = session.get(StaffPresence, actor.id)
                    if row is None:
                        session.add(
                            StaffPresence(user_id=actor.id, seen_at=now, available=available is not False)
                        )
                    else:
                        row.seen_at = now
                        if available is not None:
                            row.available = available
                return
            except IntegrityError:
                continue

    def leave(self, actor: Actor) -> None:
        """Logged out: no longer counted as online."""
        with self._sessions.begin() as session:
            session.execute(delete(StaffPresence).where(StaffPresence.user_id == actor.id))

    def online_count(self, now: datetime, window_seconds: int) -> int:
        """Active clerks and supervisors whose desk reported in the last `window_seconds` and take chats."""
        with self._sessions() as session:
            return session.execute(
                select(func.count(StaffPresence.user_id))
                .join(StaffUser, StaffUser.id == StaffPresence.user_id)
                .where(
                    StaffPresence.seen_at >= now - timedelta(seconds=window_seconds),
                    StaffPresence.available.is_(True),
                    StaffUser.active.is_(True),
                    StaffUser.role.in_(LIVE_ROLES),
                )
            ).scalar_one()

    def availability(self, actor: Actor) -> bool:
        """Whether `actor` last said they take live chats (default yes)."""
        with self._sessions() as session:
            row = session.get(StaffPresence, actor.id)
            return True if row is None else bool(row.available)

    # ------------------------------------------------------------ requests

    def request(self, number: str, conversation_id: str, channel: str, now: datetime) -> tuple[dict, bool]:
        """Queue a conversation for a clerk; a second request for an open one returns the first."""
        with self._sessions.begin() as session:
            order = session.execute(
                select(WorkOrder).where(WorkOrder.number == number.strip().upper())
            ).scalar_one_or_none()
            if order is None:
                raise LookupError("未找到该工单")
            if order.conversation_id != conversation_id:
                raise InvalidInput("conversation_id", "会话编号与工单不符")
            existing = (
                session.execute(
                    select(Handoff).where(
                        Handoff.conversation_id == conversation_id, Handoff.status.in_(HANDOFF_OPEN)
                    )
                )
                .scalars()
                .first()
            )
            if existing is not None:
                return _view(existing, order, now, self._tz), False
            handoff = Handoff(
                work_order_id=order.id,
                number=order.number,
                conversation_id=conversation_id,
                channel=channel,
                status=HANDOFF_WAITING,
                requested_at=now,
                bot_resumed=False,
            )
            session.add(handoff)
            session.flush()
            session.add(
                AuditEntry(
                    actor_name="系统",
                    action="请求人工接入",
                    object_type="工单",
                    object_ref=order.number,
                    detail=f"渠道{channel}",
                    at=now,
                )
            )
            return _view(handoff, order, now, self._tz), True

    def position(self, handoff_id: int) -> int:
        """Place in the live queue of a request (1: next to be taken); 0 once it no longer waits."""
        with self._sessions() as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None or handoff.status != HANDOFF_WAITING:
                return 0
            return session.execute(
                select(func.count(Handoff.id)).where(
                    Handoff.status == HANDOFF_WAITING,
                    (Handoff.requested_at < handoff.requested_at)
                    | ((Handoff.requested_at == handoff.requested_at) & (Handoff.id <= handoff.id)),
                )
            ).scalar_one()

    def timed_out_since(self, conversation_id: str, since: datetime) -> bool:
        """Whether a request of this conversation ended unanswered (超时) after `since`."""
        with self._sessions() as session:
            return (
                session.execute(
                    select(Handoff.id).where(
                        Handoff.conversation_id == conversation_id,
                        Handoff.status == HANDOFF_TIMED_OUT,
                        Handoff.ended_at >= since,
                    )
                ).first()
                is not None
            )

    def recent_waits(self, now: datetime, window_seconds: int, limit: int = 20) -> list[int]:
        """Seconds the latest requests taken within `window_seconds` waited before a clerk took them."""
        with self._sessions() as session:
            rows = session.execute(
                select(Handoff.requested_at, Handoff.taken_at)
                .where(
                    Handoff.taken_at.is_not(None), Handoff.taken_at >= now - timedelta(seconds=window_seconds)
                )
                .order_by(Handoff.taken_at.desc())
                .limit(limit)
            ).all()
            return [max(0, int((taken - requested).total_seconds())) for requested, taken in rows]

    def _rows(self, session: Session, *conditions) -> list[tuple[Handoff, WorkOrder]]:
        query = (
            select(Handoff, WorkOrder)
            .join(WorkOrder, WorkOrder.id == Handoff.work_order_id)
            .where(*conditions)
            .order_by(Handoff.requested_at, Handoff.id)
        )
        return list(session.execute(query).all())

    def listing(self, actor: Actor, now: datetime) -> dict[str, list[dict[str, Any]]]:
        """The console: requests waiting (that `actor` may see) and the chats `actor` is in."""
        with self._sessions() as session:
            waiting = [
                _view(h, o, now, self._tz)
                for h, o in self._rows(session, Handoff.status == HANDOFF_WAITING)
                if may_view(actor, o)
            ]
            mine = [
                _view(h, o, now, self._tz)
                for h, o in self._rows(
                    session, Handoff.status == HANDOFF_ACTIVE, Handoff.clerk_id == actor.id
                )
            ]
            return {"waiting": waiting, "mine": mine}

    def waiting_count(self) -> int:
        with self._sessions() as session:
            return session.execute(
                select(func.count(Handoff.id)).where(Handoff.status == HANDOFF_WAITING)
            ).scalar_one()

    def get(self, actor: Actor | None, handoff_id: int, now: datetime) -> dict[str, Any]:
        """One request with its conversation id (None actor: the system)."""
        with self._sessions() as session:
            rows = self._rows(session, Handoff.id == handoff_id)
            if not rows:
                raise LookupError("未找到该接入请求")
            handoff, order = rows[0]
            if actor is not None and (actor.role not in LIVE_ROLES or not may_view(actor, order)):
                raise AccessDenied("无权处理该在线咨询")
            view = _view(handoff, order, now, self._tz)
            view["conversation_id"] = handoff.conversation_id
            return view

    def open_for_order(self, number: str) -> dict[str, Any] | None:
        """The waiting or running handoff of a work order, if any (for the order page)."""
        with self._sessions() as session:
            rows = self._rows(session, Handoff.number == number, Handoff.status.in_(HANDOFF_OPEN))
            return (
                None
                if not rows
                else {"id": rows[0][0].id, "status": rows[0][0].status, "clerk_name": rows[0][0].clerk_name}
            )

    def take(self, actor: Actor, handoff_id: int, now: datetime) -> None:
        """接入: only one clerk gets a waiting request."""
        if actor.role not in LIVE_ROLES:
            raise AccessDenied("只有接线员和督查可以接入在线咨询")
        with self._sessions.begin() as session:
            taken = session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status == HANDOFF_WAITING)
                .values(status=HANDOFF_ACTIVE, taken_at=now, clerk_id=actor.id, clerk_name=actor.name)
            ).rowcount
            if taken != 1:
                raise HandoffGone("该咨询已被其他工作人员接入或已结束")
            number = session.get(Handoff, handoff_id).number
            session.add(
                AuditEntry(
                    actor_id=actor.id,
                    actor_name=actor.name,
                    action="接入在线咨询",
                    object_type="工单",
                    object_ref=number,
                    at=now,
                )
            )

    def end(
        self,
        actor: Actor | None,
        handoff_id: int,
        status: str,
        reason: str,
        now: datetime,
        from_status: tuple[str, ...] = HANDOFF_OPEN,
    ) -> bool:
        """Move an open request to an end state; False if it had already ended (someone else was first)."""
        with self._sessions.begin() as session:
            ended = session.execute(
                update(Handoff)
                .where(Handoff.id == handoff_id, Handoff.status.in_(from_status))
                .values(status=status, ended_at=now, end_reason=reason[:32])
            ).rowcount
            if ended == 1:
                number = session.get(Handoff, handoff_id).number
                session.add(
                    AuditEntry(
                        actor_id=actor.id if actor else None,
                        actor_name=actor.name if actor else "系统",
                        action=f"在线咨询{status}",
                        object_type="工单",
                        object_ref=number,
                        detail=reason[:200],
                        at=now,
                    )
                )
            return ended == 1

    def mark_resumed(self, handoff_id: int) -> None:
        with self._sessions.begin() as session:
            session.execute(update(Handoff).where(Handoff.id == handoff_id).values(bot_resumed=True))

    # -------------------------------------------------------------- sweeps

    def timed_out(self, now: datetime, wait_seconds: int) -> list[int]:
        """Requests nobody took within `wait_seconds`."""
        with self._sessions() as session:
            return list(
                session.execute(
                    select(Handoff.id).where(
                        Handoff.status == HANDOFF_WAITING,
                        Handoff.requested_at < now - timedelta(seconds=wait_seconds),
                    )
                ).scalars()
            )

    def abandoned(self, now: datetime, abandon_seconds: int) -> list[int]:
        """Chats whose clerk's desk has not reported in for `abandon_seconds` (closed the browser, lost power)."""
        limit = now - timedelta(seconds=abandon_seconds)
        with self._sessions() as session:
            rows = session.execute(
                select(Handoff.id, StaffPresence.seen_at)
                .outerjoin(StaffPresence, StaffPresence.user_id == Handoff.clerk_id)
                .where(Handoff.status == HANDOFF_ACTIVE, Handoff.taken_at < limit)
            ).all()
            return [handoff_id for handoff_id, seen in rows if seen is None or seen < limit]

    def unresumed(self) -> list[tuple[int, str]]:
        """Ended requests whose conversation may still be paused: (id, conversation id)."""
        with self._sessions() as session:
            return list(
                session.execute(
                    select(Handoff.id, Handoff.conversation_id).where(
                        Handoff.status.not_in(HANDOFF_OPEN), Handoff.bot_resumed.is_(False)
                    )
                ).all()
            )
