"""The work-order service: every read and write of work orders goes through `DeskStore`.

The HTTP API, the desk pages and the figures page all call these methods, so the rules live in one place:
idempotent creation committed before anyone is told the number, the transition table, who may see what,
the audit log (written in the same transaction as the change it records) and masking on the way out.
Methods return plain dicts (presenters.py), never live ORM objects.
"""

from __future__ import annotations

import dataclasses
import hmac
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from kernel.privacy import mask_phone, mask_text

from ..db.counters import next_number
from ..db.engine import make_engine, migrate
from ..db.models import (
    AuditEntry,
    CallbackRecord,
    Reply,
    StaffUser,
    Supplement,
    TransitionRecord,
    WorkOrder,
)
from ..db.phones import PhoneVault
from ..db.queries import OrderFilter, filtered_orders, orders_after, overdue_clause
from ..db.sessions import SessionBook
from ..domain import lifecycle as lc
from ..domain.access import SYSTEM_ACTOR, AccessDenied, Actor, check_dispatch_target, check_may_work, may_view
from ..domain.clock import label_local, to_local, to_stored, utcnow
from ..domain.routing import CLERK_POOL, SUPERVISION_OFFICE, route_for
from ..domain.terms import ROUTE_JUDGE, ROUTE_POOL, ROUTE_SUPERVISION, SUCCESSFUL_OUTCOMES
from ..domain.validation import (
    MAX_TRANSCRIPT_TURNS,
    Finish,
    NewCallback,
    NewWorkOrder,
    normalize_phone,
)
from ..domain.workdays import WorkCalendar, deadline, load_calendar
from ..settings import DeskSettings
from . import presenters
from .delivery import Target
from .faults import Faults
from .figures import all_figures, order_rows
from .staff import StaffDirectory
from .supervision import SupervisionMixin

log = logging.getLogger(__name__)

CREATE_ATTEMPTS = 3
CITIZEN_SUPPLEMENT = "群众补充"
DELIVERY_PENDING = "待发送"


class NotFound(LookupError):
    """No such work order (or not one this caller may know about)."""


class Conflict(RuntimeError):
    """Somebody else changed the order first; the caller should reload and retry."""


class OrderClosed(lc.TransitionError):
    """The order is closed: a citizen's new words start a new request instead (API: 409, error "closed")."""


class NotTheirs(AccessDenied):
    """The order was not created in this conversation (API: 403, error "other_conversation")."""


SUPPLEMENT_MAX = 1000


@dataclass(frozen=True)
class Created:
    """The outcome of a creation request: the view and whether this call stored it."""

    view: dict[str, Any]
    created: bool


def _handles(actor: Actor, order: WorkOrder) -> bool:
    """The one the order waits on: its assignee, or (unassigned) the pool's clerks or the supervision office."""
    if order.assignee_id is not None:
        return order.assignee_id == actor.id
    return actor.role == (lc.SUPERVISOR if order.route == ROUTE_SUPERVISION else lc.CLERK)


class DeskStore(SupervisionMixin):
    """Work orders, their history and the staff who handle them, on one database."""

    def __init__(
        self,
        engine: Engine,
        settings: DeskSettings,
        faults: Faults | None = None,
        hasher: PasswordHasher | None = None,
        calendar: WorkCalendar | None = None,
        phones: PhoneVault | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings
        # Callback phones are stored encrypted (phones.py); decrypted only for a callback or an SMS.
        self.phones = phones or PhoneVault.from_settings(settings)
        # Holidays and make-up days (DESK_HOLIDAYS); a bad file raises HolidayFileError here, before any work.
        self.calendar = calendar or load_calendar(settings.holidays_file)
        self.faults = faults or Faults()
        self._sessions = sessionmaker(engine, future=True, expire_on_commit=False)
        self.staff = StaffDirectory(self._sessions, settings, hasher)
        # Logged-in staff: desk cookies and API tokens (server-side, deleted at logout).
        self.staff_sessions = SessionBook(self._sessions, settings)
        # Called with an order's number after its close has committed (create_app: the citizen's notice).
        self.closed_sink: Callable[[str], Any] | None = None

    @classmethod
    def open(
        cls, settings: DeskSettings, engine: Engine | None = None, hasher: PasswordHasher | None = None
    ) -> DeskStore:
        """Check the holiday file, connect, migrate to the newest schema and, on a fresh database, seed the demo
        staff."""
        calendar = load_calendar(settings.holidays_file)
        phones = PhoneVault.from_settings(settings)
        engine = engine or make_engine(settings.database_url)
        migrate(engine, phone_vault=phones)
        store = cls(engine, settings, Faults.from_spec(settings.fault_hook), hasher, calendar, phones)
        if settings.seed_demo:
            store.staff.seed_demo()
        return store

    @property
    def sessions(self) -> sessionmaker:
        """The session factory, for the parts that keep their own tables (handoff_book.py)."""
        return self._sessions

    # ----------------------------------------------------------------- helpers

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """A transaction that commits on success; a lost optimistic-lock race becomes `Conflict`."""
        try:
            with self._sessions.begin() as session:
                yield session
        except StaleDataError as exc:
            raise Conflict("工单已被他人更新，请刷新后重试") from exc

    @staticmethod
    def _load(session: Session, number: str) -> WorkOrder:
        order = session.execute(
            select(WorkOrder).where(WorkOrder.number == (number or "").strip().upper())
        ).scalar_one_or_none()
        if order is None:
            raise NotFound("未找到该工单")
        return order

    def _due(self, now: datetime, working_days: int) -> datetime:
        return to_stored(
            deadline(
                to_local(now, self.settings.timezone), working_days, self.settings.workday_end, self.calendar
            )
        )

    @staticmethod
    def _audit(
        session: Session,
        actor: Actor,
        action: str,
        ref: str | None,
        detail: str | None,
        now: datetime,
        object_type: str = "工单",
    ) -> None:
        session.add(
            AuditEntry(
                actor_id=actor.id,
                actor_name=actor.name,
                action=action,
                object_type=object_type,
                object_ref=ref,
                detail=detail,
                at=now,
            )
        )

    def _apply(
        self, session: Session, order: WorkOrder, actor: Actor, action: str, note: str | None, now: datetime
    ) -> None:
        """Take one step of the transition table and record it with who, when and why."""
        row = lc.find(order.status, action, actor.role, note)
        order.history.append(
            TransitionRecord(
                source=order.status,
                action=action,
                target=row.target,
                actor_id=actor.id,
                actor_name=actor.name,
                actor_role=actor.role,
                note=(note or "").strip() or None,
                at=now,
            )
        )
        order.status = row.target
        order.updated_at = now
        self._side_effects(order, actor, action, now)

    def _side_effects(self, order: WorkOrder, actor: Actor, action: str, now: datetime) -> None:
        if action == lc.ACCEPT and order.assignee_id is None:
            order.assignee_id, order.assignee_name = actor.id, actor.name
        elif action == lc.RETURN:
            order.route, order.assignee_id, order.assignee_name = ROUTE_POOL, None, CLERK_POOL
        elif action == lc.ANSWER:
            order.answered_at = now
            order.first_contact_at = order.first_contact_at or now
        elif action == lc.VISIT:
            order.visited_at = now
        elif action == lc.CLOSE:
            order.closed_at = now
        elif action == lc.REOPEN:
            order.answered_at = order.visited_at = order.closed_at = None
            order.answer_due = self._due(now, self.settings.answer_days)

    # ---------------------------------------------------------------- creation

    def create_work_order(self, new: NewWorkOrder, now: datetime | None = None) -> Created:
        """Store a work order once per (conversation_id, message_id) and return its number and promise.

        The transaction has committed when this returns, so whatever the caller tells the citizen is on disk.
        A concurrent request with the same key loses on the unique constraint and is answered with the
        order the winner stored.
        """
        for _ in range(CREATE_ATTEMPTS):
            existing = self._by_key(new)
            if existing is not None:
                return Created(existing, False)
            try:
                with self._write() as session:
                    order = self._insert(session, new, now or utcnow())
                    self.faults.reach("before_commit", order.number)
                return Created(presenters.created_view(order, True, self.settings.timezone), True)
            except IntegrityError:
                continue
        raise Conflict("工单创建冲突，请稍后重试")

    def _by_key(self, new: NewWorkOrder) -> dict[str, Any] | None:
        if not (new.conversation_id and new.message_id):
            return None
        with self._sessions() as session:
            order = session.execute(
                select(WorkOrder).where(
                    WorkOrder.conversation_id == new.conversation_id, WorkOrder.message_id == new.message_id
                )
            ).scalar_one_or_none()
            return None if order is None else presenters.created_view(order, False, self.settings.timezone)

    def _insert(self, session: Session, new: NewWorkOrder, now: datetime) -> WorkOrder:
        route = route_for(new.kind, new.case_judge_id, self.staff.linked_judges(session))
        local_day = to_local(now, self.settings.timezone).date()
        order = WorkOrder(
            number=next_number(session, self.settings.number_prefix, local_day),
            kind=new.kind,
            channel=new.channel,
            status=lc.NEW,
            citizen_name=new.citizen_name,
            **(
                self.phones.columns(new.callback_phone)
                if new.callback_phone
                else self.phones.no_phone_columns()
            ),
            case_number=new.case_number,
            court=new.court,
            case_judge=new.case_judge,
            case_judge_id=new.case_judge_id,
            route=route.route,
            assignee_id=route.judge_id,
            assignee_name=route.label,
            summary=new.summary,
            transcript=new.transcript,
            conversation_id=new.conversation_id,
            message_id=new.message_id,
            first_contact_due=self._due(now, self.settings.first_contact_days),
            answer_due=self._due(now, self.settings.answer_days),
            overdue=False,
            created_at=now,
            updated_at=now,
        )
        order.history.append(
            TransitionRecord(
                source=None,
                action="创建",
                target=lc.NEW,
                actor_id=None,
                actor_name=f"{SYSTEM_ACTOR.name}（{new.channel}）",
                actor_role=lc.SYSTEM,
                at=now,
            )
        )
        session.add(order)
        if route.route in (ROUTE_JUDGE, ROUTE_SUPERVISION):
            self._apply(session, order, SYSTEM_ACTOR, lc.DISPATCH, f"自动派发至{route.label}", now)
        session.flush()
        return order

    # ----------------------------------------------------------------- citizens

    def _citizen_order(self, session: Session, number: str, phone: str) -> WorkOrder:
        """The order if number and phone match; the same NotFound either way, so nothing leaks."""
        normalized = normalize_phone(phone) or ""
        try:
            order = self._load(session, number)
        except NotFound:
            order = None
        if order is None or not hmac.compare_digest(
            order.callback_phone_hash, self.phones.digest(normalized)
        ):
            raise NotFound("未找到与该手机号匹配的工单，请核对工单编号和手机号")
        return order

    def lookup(self, number: str, phone: str) -> dict[str, Any]:
        """A citizen's minimal view of their order (number + callback phone)."""
        with self._sessions() as session:
            return presenters.citizen_view(
                self._citizen_order(session, number, phone), self.settings.timezone
            )

    def rate_by_citizen(
        self, number: str, phone: str, score: int, comment: str | None, now: datetime | None = None
    ) -> dict[str, Any]:
        """The citizen rates an answered order, once."""
        now = now or utcnow()
        with self._write() as session:
            order = self._citizen_order(session, number, phone)
            if order.status not in (lc.ANSWERED, lc.VISITED, lc.CLOSED):
                raise lc.TransitionError("工单答复后才能评价")
            if order.satisfaction is not None:
                raise Conflict("该工单已评价，感谢您的反馈")
            order.satisfaction, order.satisfaction_comment, order.updated_at = score, comment, now
            self._audit(session, SYSTEM_ACTOR, "群众评价", order.number, f"满意度{score}", now)
            return presenters.citizen_view(order, self.settings.timezone)

    def add_supplement(
        self,
        number: str,
        conversation_id: str,
        message_id: str,
        text: str,
        channel: str | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """群众补充: the citizen's message in the order's own conversation, stored masked on an order that is not
        closed, the order marked for its handler; the same message_id again is answered with the one stored.

        NotFound for an unknown number, NotTheirs when another conversation created the order (so one citizen
        cannot write into another's), OrderClosed once it is closed (the bot offers a new request).
        """
        now = now or utcnow()
        body = mask_text(text.strip())[:SUPPLEMENT_MAX]
        try:
            return self._add_supplement(number, conversation_id, message_id, body, channel, now)
        except IntegrityError:  # the same message stored by a concurrent retry: answer with that one
            return self._add_supplement(number, conversation_id, message_id, body, channel, now)

    def _add_supplement(
        self,
        number: str,
        conversation_id: str,
        message_id: str,
        body: str,
        channel: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        with self._write() as session:
            order = self._load(session, number)
            if not order.conversation_id or not hmac.compare_digest(
                order.conversation_id.encode(), conversation_id.encode()
            ):
                raise NotTheirs("该工单不是在此会话中登记的，不能补充")
            seen = next((s for s in order.supplements if s.message_id == message_id), None)
            if seen is not None:
                return presenters.supplement_answer(order, seen, False, self.settings.timezone)
            if order.status == lc.CLOSED:
                raise OrderClosed("该工单已办结关闭，如有新的问题请重新咨询")
            supplement = Supplement(
                channel=(channel or order.channel)[:16], message_id=message_id, body=body, created_at=now
            )
            order.supplements.append(supplement)
            order.citizen_update_unread = True
            order.updated_at = now
            self._audit(session, SYSTEM_ACTOR, CITIZEN_SUPPLEMENT, order.number, f"{len(body)}字", now)
            session.flush()
            return presenters.supplement_answer(order, supplement, True, self.settings.timezone)

    # -------------------------------------------------------------------- staff

    def list_orders(self, actor: Actor, flt: OrderFilter, now: datetime | None = None) -> dict[str, Any]:
        """The queue as `actor` may see it, filtered and paged."""
        now = now or utcnow()
        flt = self._phone_search(flt)
        if flt.due_soon:
            flt = dataclasses.replace(flt, due_by=self.due_soon_by(now))
        with self._sessions() as session:
            rows, total = filtered_orders(session, actor, flt, now, self.settings.timezone)
            items = [presenters.staff_summary(o, now, self.settings.timezone) for o in rows]
        return {"items": items, "total": total, "page": flt.page, "per_page": flt.per_page}

    def queue_updates(self, actor: Actor, after: int | None, now: datetime | None = None) -> dict[str, Any]:
        """What the open queue page polls: the newest visible id (its cursor) and the orders after
        `after` (none on the first call, which only learns the cursor)."""
        now = now or utcnow()
        with self._sessions() as session:
            rows, latest = orders_after(session, actor, after if after is not None else 2**62)
            items = [presenters.staff_summary(o, now, self.settings.timezone) for o in rows]
        return {"cursor": latest if after is None else max(latest, after), "new": items}

    def due_soon_by(self, now: datetime) -> datetime:
        """The end of the 即将到期 window: DESK_DUE_SOON_HOURS from now, or (0) the end of office hours on
        the next working day, so on Friday afternoon Monday's deadlines show."""
        if self.settings.due_soon_hours > 0:
            return now + timedelta(hours=self.settings.due_soon_hours)
        return self._due(now, 1)

    def _phone_search(self, flt: OrderFilter) -> OrderFilter:
        """A search that is a phone number (or its last four digits) matches the keyed hashes."""
        term = (flt.search or "").strip()
        phone = normalize_phone(term)
        if phone:
            return dataclasses.replace(flt, phone_hash=self.phones.digest(phone))
        if len(term) == 4 and term.isascii() and term.isdigit():
            return dataclasses.replace(flt, last4_hash=self.phones.last4_digest(term))
        return flt

    def get_order(self, actor: Actor, number: str, now: datetime | None = None) -> dict[str, Any]:
        """The work-order page; the view is written to the audit log, and so is a refused attempt."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            if may_view(actor, order):
                self._audit(session, actor, "查看", order.number, None, now)
                view = presenters.staff_detail(order, actor, now, self.settings.timezone)
                if order.citizen_update_unread and _handles(actor, order):
                    # the handler has seen it (this view still marks it); no version bump for a page view
                    session.execute(
                        update(WorkOrder).where(WorkOrder.id == order.id).values(citizen_update_unread=False)
                    )
                return view
            self._audit(session, actor, "越权查看", order.number, f"{actor.role}无权查看，已拒绝", now)
        raise AccessDenied("无权查看该工单")

    def delivery_target(self, number: str) -> Target:
        """Where the citizen of an order can be reached (full phone: for SMS delivery, never displayed)."""
        with self._sessions() as session:
            order = self._load(session, number)
            return Target(
                order.number,
                order.channel,
                order.conversation_id,
                self.phones.decrypt(order.callback_phone),
                label_local(order.first_contact_due, self.settings.timezone),
            )

    def save_transcript(self, number: str, turns: list[dict[str, str]], now: datetime | None = None) -> None:
        """Replace an order's transcript by the longer one of a live chat (masked again on the way in)."""
        now = now or utcnow()
        masked = [
            {
                "sender": str(t.get("sender") or "user")[:16],
                "text": mask_text(str(t.get("text") or "")),
                "at": str(t.get("at") or "")[:40],
            }
            for t in turns
        ][-MAX_TRANSCRIPT_TURNS:]
        with self._write() as session:
            order = self._load(session, number)
            if len(masked) >= len(order.transcript or []):
                order.transcript = masked
                order.updated_at = now

    def reveal_phone(self, actor: Actor, number: str, now: datetime | None = None) -> str:
        """The full callback phone, for the person about to call back; audited."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order)
            self._audit(session, actor, "查看电话", order.number, "为回访查看完整电话", now)
            return self.phones.decrypt(order.callback_phone)

    def complete_contact(
        self, actor: Actor, number: str, name: str, phone: str, now: datetime | None = None
    ) -> dict[str, Any]:
        """补充联系方式: the clerk who chatted with the citizen fills in the name and callback phone of an order
        a live handoff opened without them; audited, the phone stored as every other (encrypted, hashed).
        `phone_was_missing` in the answer: this call gave the order its first phone."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order)
            if order.status not in lc.OPEN_STATUSES:
                raise lc.TransitionError(f"工单当前状态为“{order.status}”，不能再修改联系方式")
            first = not order.callback_phone_hash
            order.citizen_name = name
            for column, value in self.phones.columns(phone).items():
                setattr(order, column, value)
            order.updated_at = now
            self._audit(session, actor, "补充联系方式", order.number, f"回电号码{mask_phone(phone)}", now)
            session.flush()
            view = presenters.staff_detail(order, actor, now, self.settings.timezone)
            view["phone_was_missing"] = first
            return view

    def transition(
        self,
        actor: Actor,
        number: str,
        action: str,
        note: str | None = None,
        target_id: int | None = None,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """Apply one action of the transition table to an order (with a target user for 派发)."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order, action)
            source = order.status
            if action == lc.DISPATCH:
                self._set_dispatch_target(session, order, target_id)
            self._apply(session, order, actor, action, note, now)
            self._audit(session, actor, action, order.number, f"{source}→{order.status}", now)
            session.flush()
            view = presenters.staff_detail(order, actor, now, self.settings.timezone)
        if view["status"] == lc.CLOSED:
            self._closed(view["number"])
        return view

    def _closed(self, number: str) -> None:
        """After a close has committed: tell `closed_sink` (the citizen's notice); its failure is not ours."""
        if self.closed_sink is None:
            return
        try:
            self.closed_sink(number)
        except Exception:  # noqa: BLE001 - the order is closed whatever the notice does
            log.exception("close notice for %s not handed over", number)

    def claim(self, actor: Actor, number: str, now: datetime | None = None) -> dict[str, Any]:
        """受理: the actor takes the order (pool orders become theirs)."""
        return self.transition(actor, number, lc.ACCEPT, now=now)

    @staticmethod
    def _set_dispatch_target(session: Session, order: WorkOrder, target_id: int | None) -> None:
        target = session.get(StaffUser, target_id) if target_id is not None else None
        if target_id is not None and target is None:
            raise NotFound("未找到派发对象")
        check_dispatch_target(order, target)
        if target is None:
            order.route, order.assignee_id, order.assignee_name = ROUTE_SUPERVISION, None, SUPERVISION_OFFICE
        else:
            order.route = ROUTE_SUPERVISION if target.role == lc.SUPERVISOR else ROUTE_JUDGE
            order.assignee_id, order.assignee_name = target.id, target.display_name

    def add_reply(self, actor: Actor, number: str, body: str, now: datetime | None = None) -> dict[str, Any]:
        """Write an answer for the citizen; the first one moves 处理中 → 已答复. Delivery is left pending."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order, lc.ANSWER)
            if order.status == lc.IN_PROGRESS:
                self._apply(session, order, actor, lc.ANSWER, None, now)
            elif order.status not in (lc.ANSWERED, lc.VISITED):
                raise lc.TransitionError(f"工单当前状态为“{order.status}”，请先受理再答复")
            else:
                order.updated_at = now
            reply = Reply(
                author_id=actor.id,
                author_name=actor.name,
                body=body,
                delivery=DELIVERY_PENDING,
                created_at=now,
            )
            order.replies.append(reply)
            self._audit(session, actor, "答复", order.number, None, now)
            session.flush()
            return {
                "reply": presenters.reply_view(reply, self.settings.timezone),
                "order": presenters.staff_detail(order, actor, now, self.settings.timezone),
            }

    def mark_delivery(self, reply_id: int, delivery: str, now: datetime | None = None) -> None:
        """Record how a reply reached the citizen (e.g. 已送达（在线）, 已发短信, 发送失败)."""
        now = now or utcnow()
        with self._write() as session:
            session.execute(
                update(Reply).where(Reply.id == reply_id).values(delivery=delivery[:16], delivered_at=now)
            )

    def record_callback(
        self, actor: Actor, number: str, cb: NewCallback, now: datetime | None = None
    ) -> dict[str, Any]:
        """A call/SMS/message to the citizen. A reached 回访 on an answered order moves it to 已回访."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order)
            if cb.purpose == "回访":
                self._check_visit(actor, order)
            self._add_callback(session, order, actor, cb, now)
            session.flush()
            return presenters.staff_detail(order, actor, now, self.settings.timezone)

    def _add_callback(
        self, session: Session, order: WorkOrder, actor: Actor, cb: NewCallback, now: datetime
    ) -> None:
        """Store the record; a reached 回访 on an answered order is the 回访 step (audited as such)."""
        reached = cb.outcome in SUCCESSFUL_OUTCOMES
        order.callbacks.append(
            CallbackRecord(
                method=cb.method,
                purpose=cb.purpose,
                outcome=cb.outcome,
                note=cb.note,
                at=now,
                by_id=actor.id,
                by_name=actor.name,
            )
        )
        if reached and order.first_contact_at is None:
            order.first_contact_at = now
        self._audit(session, actor, "记录回访", order.number, f"{cb.method}/{cb.purpose}/{cb.outcome}", now)
        if cb.purpose == "回访" and reached and order.status == lc.ANSWERED:
            self._step(session, order, actor, lc.VISIT, cb.note, now)
        order.updated_at = now

    def _step(
        self, session: Session, order: WorkOrder, actor: Actor, action: str, note: str | None, now: datetime
    ) -> None:
        """One transition with its audit entry (from → to), as `transition` records it."""
        source = order.status
        self._apply(session, order, actor, action, note, now)
        self._audit(session, actor, action, order.number, f"{source}→{order.status}", now)

    def finish(
        self,
        actor: Actor,
        number: str,
        done: Finish,
        now: datetime | None = None,
    ) -> dict[str, Any]:
        """回访并办结 in one step: the callback record, the satisfaction rating and the close, in one
        transaction, each step of the transition table taken and audited as if done one by one. If the
        table refuses the close (the citizen was not reached, so the order is still 已答复, which only
        supervision closes, with a reason), nothing is stored and the reason is raised."""
        now = now or utcnow()
        closed_now = False
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order)
            self._check_visit(actor, order)
            self._add_callback(session, order, actor, done.callback, now)
            if done.score is not None:
                order.satisfaction, order.satisfaction_comment = done.score, done.comment
                self._audit(session, actor, "记录满意度", order.number, f"满意度{done.score}", now)
            if done.close and order.status != lc.CLOSED:
                if order.status == lc.ANSWERED and actor.role != lc.SUPERVISOR:
                    raise lc.TransitionError(
                        "未联系上群众，工单仍为“已答复”，不能关闭；请取消“同时办结”只保存回访记录"
                    )
                self._step(session, order, actor, lc.CLOSE, done.close_note, now)
                closed_now = True
            session.flush()
            view = presenters.staff_detail(order, actor, now, self.settings.timezone)
        if closed_now:  # committed: the citizen hears of it (as after a close step on its own)
            self._closed(number)
        return view

    @staticmethod
    def _check_visit(actor: Actor, order: WorkOrder) -> None:
        if actor.role not in (lc.CLERK, lc.SUPERVISOR):
            raise AccessDenied("满意度回访由接线员或督查完成")
        if order.status not in (lc.ANSWERED, lc.VISITED, lc.CLOSED):
            raise lc.TransitionError("工单尚未答复，不能进行满意度回访")

    def rate(
        self, actor: Actor, number: str, score: int, comment: str | None, now: datetime | None = None
    ) -> dict[str, Any]:
        """Staff record the satisfaction the citizen gave during the callback."""
        now = now or utcnow()
        with self._write() as session:
            order = self._load(session, number)
            check_may_work(actor, order)
            if actor.role not in (lc.CLERK, lc.SUPERVISOR):
                raise AccessDenied("满意度由接线员或督查在回访时记录")
            if order.status not in (lc.ANSWERED, lc.VISITED, lc.CLOSED):
                raise lc.TransitionError("工单答复后才能记录满意度")
            order.satisfaction, order.satisfaction_comment, order.updated_at = score, comment, now
            self._audit(session, actor, "记录满意度", order.number, f"满意度{score}", now)
            return presenters.staff_detail(order, actor, now, self.settings.timezone)

    # ------------------------------------------------------------- supervision

    def flag_overdue(self, now: datetime | None = None) -> list[str]:
        """Set the lasting overdue flag on orders that are late now; returns the newly flagged numbers."""
        now = now or utcnow()
        with self._write() as session:
            late = (
                session.execute(select(WorkOrder).where(overdue_clause(now), WorkOrder.overdue.is_(False)))
                .scalars()
                .all()
            )
            for order in late:
                order.overdue = True
                self._audit(session, SYSTEM_ACTOR, "超期督办", order.number, "超过承诺期限", now)
            return [order.number for order in late]

    def count_orders(self) -> int:
        """How many work orders exist (for health checks and the kill test)."""
        with self._sessions() as session:
            return session.execute(select(func.count(WorkOrder.id))).scalar_one()

    def audit_log(
        self,
        actor: Actor,
        number: str | None = None,
        limit: int = 200,
        *,
        start: date | None = None,
        end: date | None = None,
        kind: str | None = None,
    ) -> list[dict[str, Any]]:
        """Recent audit entries, newest first, for supervision and administrators only: of one order or
        account, between two local dates (inclusive), of one kind of action (查看电话, 登录失败, …)."""
        self._may_read_audit(actor)
        zone = ZoneInfo(self.settings.timezone)
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(min(limit, 1000))
        if number:
            query = query.where(AuditEntry.object_ref == number)
        if start:
            query = query.where(AuditEntry.at >= to_stored(datetime.combine(start, time(0), tzinfo=zone)))
        if end:
            after = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
            query = query.where(AuditEntry.at < to_stored(after))
        if kind:
            query = query.where(AuditEntry.action == kind)
        with self._sessions() as session:
            return [
                presenters.audit_view(e, self.settings.timezone) for e in session.execute(query).scalars()
            ]

    def audit_kinds(self, actor: Actor) -> list[str]:
        """The kinds of action the audit log holds, for the page's filter."""
        self._may_read_audit(actor)
        with self._sessions() as session:
            return sorted(session.execute(select(AuditEntry.action).distinct()).scalars())

    @staticmethod
    def _may_read_audit(actor: Actor) -> None:
        if actor.role not in (lc.SUPERVISOR, lc.ADMIN):
            raise AccessDenied("只有督查和管理员可以查看审计日志")

    def figures(self, actor: Actor, start: date, end: date, now: datetime | None = None) -> dict[str, Any]:
        """Figures for orders created in [start, end] (local dates, inclusive) that `actor` may see."""
        begin, finish = self._figure_range(actor, start, end)
        with self._sessions() as session:
            return all_figures(
                session,
                actor,
                begin,
                finish,
                now or utcnow(),
                self.settings.timezone,
                self.settings.tracker_db_url,
            )

    def figure_rows(
        self, actor: Actor, start: date, end: date, now: datetime | None = None
    ) -> list[dict[str, str]]:
        """The per-order export rows for orders created in [start, end] that `actor` may see (masked)."""
        begin, finish = self._figure_range(actor, start, end)
        with self._sessions() as session:
            return order_rows(session, actor, begin, finish, now or utcnow(), self.settings.timezone)

    def _figure_range(self, actor: Actor, start: date, end: date) -> tuple[datetime, datetime]:
        if actor.role == lc.JUDGE:
            raise AccessDenied("统计数据仅对接线员、督查和管理员开放")
        zone = ZoneInfo(self.settings.timezone)
        begin = to_stored(datetime.combine(start, time(0), tzinfo=zone))
        return begin, to_stored(datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone))


__all__ = [
    "DeskStore",
    "Created",
    "NotFound",
    "Conflict",
    "AccessDenied",
    "OrderFilter",
    "OrderClosed",
    "NotTheirs",
]
