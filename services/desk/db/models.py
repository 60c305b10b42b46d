"""Tables of the work-order service (SQLAlchemy 1.4, 2.0-style declarative).

Datetimes are naive UTC (see domain/clock.py). The schema itself is created by the Alembic migrations in
`migrations/`; a test checks that these models and the migrations agree. The labels stored in kind,
channel, route and callback columns are the domain's (domain/terms.py).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import declarative_base, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING))


class StaffUser(Base):
    """A member of staff who logs in to the desk."""

    __tablename__ = "staff_users"
    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(64), nullable=False)
    role = Column(String(16), nullable=False)
    password_hash = Column(String(255), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)
    last_login_at = Column(DateTime)
    # a judge account's id in the court data (J0105-01), set by an administrator: orders route by it
    court_judge_id = Column(String(32), unique=True)


class WorkOrder(Base):
    """A citizen's request that a person must answer."""

    __tablename__ = "work_orders"
    __table_args__ = (UniqueConstraint("conversation_id", "message_id", name="uq_work_orders_idempotency"),)
    id = Column(Integer, primary_key=True)
    number = Column(String(32), nullable=False, unique=True)
    kind = Column(String(16), nullable=False, index=True)
    channel = Column(String(16), nullable=False, index=True)
    status = Column(String(8), nullable=False, index=True)
    citizen_name = Column(String(64), nullable=False)
    # Fernet token of the number and keyed hashes for lookups (phones.py); never the number itself.
    callback_phone = Column(Text, nullable=False)
    callback_phone_hash = Column(String(64), nullable=False, index=True)
    callback_phone_last4 = Column(String(64), nullable=False, index=True)
    callback_phone_masked = Column(String(16), nullable=False)
    case_number = Column(String(64))
    court = Column(String(64))
    case_judge = Column(String(64))
    case_judge_id = Column(String(32))  # the court data's id of that judge, which routing uses
    route = Column(String(16), nullable=False)
    assignee_id = Column(Integer, ForeignKey("staff_users.id"), index=True)
    assignee_name = Column(String(64), nullable=False)
    summary = Column(Text, nullable=False)
    transcript = Column(JSON, nullable=False)
    conversation_id = Column(String(128))
    message_id = Column(String(128))
    first_contact_due = Column(DateTime, nullable=False)
    answer_due = Column(DateTime, nullable=False, index=True)
    first_contact_at = Column(DateTime)
    answered_at = Column(DateTime)
    visited_at = Column(DateTime)
    closed_at = Column(DateTime)
    overdue = Column(Boolean, nullable=False, default=False)
    satisfaction = Column(Integer)
    satisfaction_comment = Column(Text)
    created_at = Column(DateTime, nullable=False, index=True)
    updated_at = Column(DateTime, nullable=False)
    version = Column(Integer, nullable=False)
    # Set when the citizen adds something (群众补充) after the order was stored; cleared when somebody who may
    # work the order opens its page. The queue marks such orders 有新补充.
    citizen_update_unread = Column(Boolean, nullable=False, default=False, server_default=false())

    __mapper_args__ = {"version_id_col": version}

    assignee = relationship(StaffUser, lazy="joined")
    history = relationship("TransitionRecord", order_by="TransitionRecord.id", lazy="selectin")
    callbacks = relationship("CallbackRecord", order_by="CallbackRecord.id", lazy="selectin")
    replies = relationship("Reply", order_by="Reply.id", lazy="selectin")
    supplements = relationship("Supplement", order_by="Supplement.id", lazy="selectin")
    notes = relationship("StaffNote", order_by="StaffNote.id", lazy="selectin")


class NumberCounter(Base):
    """Last sequence number handed out per local day and prefix; bumped inside the creating transaction."""

    __tablename__ = "number_counters"
    day = Column(String(32), primary_key=True)
    last = Column(Integer, nullable=False)


class TransitionRecord(Base):
    """Who moved an order from which status to which, when, and why."""

    __tablename__ = "transitions"
    id = Column(Integer, primary_key=True)
    work_order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    source = Column(String(8))
    action = Column(String(8), nullable=False)
    target = Column(String(8), nullable=False)
    actor_id = Column(Integer, ForeignKey("staff_users.id"))
    actor_name = Column(String(64), nullable=False)
    actor_role = Column(String(16), nullable=False)
    note = Column(Text)
    at = Column(DateTime, nullable=False)


class CallbackRecord(Base):
    """A call, SMS or message to the citizen: first contact (联系) or satisfaction callback (回访)."""

    __tablename__ = "callbacks"
    id = Column(Integer, primary_key=True)
    work_order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    method = Column(String(8), nullable=False)
    purpose = Column(String(8), nullable=False)
    outcome = Column(String(8), nullable=False)
    note = Column(Text)
    at = Column(DateTime, nullable=False)
    by_id = Column(Integer, ForeignKey("staff_users.id"))
    by_name = Column(String(64), nullable=False)


class Reply(Base):
    """An answer written by staff for the citizen; delivery is done by whoever is plugged into the app."""

    __tablename__ = "replies"
    id = Column(Integer, primary_key=True)
    work_order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    author_id = Column(Integer, ForeignKey("staff_users.id"))
    author_name = Column(String(64), nullable=False)
    body = Column(Text, nullable=False)
    delivery = Column(String(16), nullable=False)
    created_at = Column(DateTime, nullable=False)
    delivered_at = Column(DateTime)


class Supplement(Base):
    """群众补充: what the citizen wrote in the order's own conversation after it was stored (masked on the way
    in). One per (order, message_id), so the bot's retry of the same message adds nothing."""

    __tablename__ = "supplements"
    __table_args__ = (UniqueConstraint("work_order_id", "message_id", name="uq_supplements_message"),)
    id = Column(Integer, primary_key=True)
    work_order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    message_id = Column(String(128), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)


class StaffNote(Base):
    """内部备注 on an order, for staff only (never in the citizen's view): a plain note, a supervisor's
    催办 to the handler, or the reason of a 改派. Migration 0006_notes."""

    __tablename__ = "staff_notes"
    id = Column(Integer, primary_key=True)
    work_order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    kind = Column(String(8), nullable=False)
    author_id = Column(Integer, ForeignKey("staff_users.id"))
    author_name = Column(String(64), nullable=False)
    body = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)


class AuditEntry(Base):
    """Who viewed or changed what; written in the same transaction as the change."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    actor_id = Column(Integer, ForeignKey("staff_users.id"))
    actor_name = Column(String(64), nullable=False)
    action = Column(String(32), nullable=False)
    object_type = Column(String(32), nullable=False)
    object_ref = Column(String(64))
    detail = Column(Text)
    at = Column(DateTime, nullable=False, index=True)


# Live handoff (人工在线接入): states of a request.
HANDOFF_WAITING = "等待"
HANDOFF_ACTIVE = "进行中"
HANDOFF_RETURNED = "已转回"
HANDOFF_CLOSED = "已结束"
HANDOFF_TIMED_OUT = "超时"
HANDOFF_OPEN = (HANDOFF_WAITING, HANDOFF_ACTIVE)


class Handoff(Base):
    """A citizen waiting for (or chatting with) a clerk; the conversation is paused in Rasa meanwhile."""

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    work_order_id = Column(Integer, ForeignKey("work_orders.id"), nullable=False, index=True)
    number = Column(String(32), nullable=False)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(16), nullable=False)
    status = Column(String(8), nullable=False, index=True)
    requested_at = Column(DateTime, nullable=False)
    taken_at = Column(DateTime)
    ended_at = Column(DateTime)
    clerk_id = Column(Integer, ForeignKey("staff_users.id"), index=True)
    clerk_name = Column(String(64))
    end_reason = Column(String(32))
    # False while the conversation may still be paused in Rasa; the sweeper retries the resume until True.
    bot_resumed = Column(Boolean, nullable=False)


class StaffPresence(Base):
    """When a member of staff's desk page last reported in, and whether they take live chats."""

    __tablename__ = "staff_presence"
    user_id = Column(Integer, ForeignKey("staff_users.id"), primary_key=True)
    seen_at = Column(DateTime, nullable=False)
    available = Column(Boolean, nullable=False)


# Kinds of server-side staff session (sessions.py).
SESSION_DESK = "desk"  # the desk pages' cookie
SESSION_API = "api"  # a bearer token from POST /api/v1/staff/login


class StaffSession(Base):
    """A logged-in member of staff: the desk cookie or an API token refers to this row by a random id.

    Only the SHA-256 of the id is stored, so the table does not hand out live sessions. Logging out deletes
    the row; so do a password reset and a deactivation.
    """

    __tablename__ = "staff_sessions"
    id_hash = Column(String(64), primary_key=True)
    kind = Column(String(8), nullable=False)
    user_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False, index=True)
    stamp = Column(String(32), nullable=False)
    created_at = Column(DateTime, nullable=False)
    seen_at = Column(DateTime, nullable=False, index=True)
