"""Work orders as plain dicts for the API and the desk pages.

Only these functions decide what leaves the store, so masking is done once, here: the callback phone is
always masked (the full number has its own audited call, `DeskStore.reveal_phone`), and the citizen's view
carries no case facts and no staff names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kernel.privacy import mask_text

from ..db.models import AuditEntry, StaffUser, WorkOrder
from ..domain import lifecycle as lc
from ..domain.access import Actor, permitted_actions
from ..domain.clock import iso_local, label_local
from .transcript_view import readable, split_turns

URGE_NOTE = "催办"  # service/supervision.py's kind of note
SATISFACTION_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
# Who handles it, as the citizen may be told (no judge's name: that is a case fact).
CITIZEN_ASSIGNEE_LABELS = {"judge": "承办法官", "supervision": "法院督查部门", "pool": "诉讼服务中心工作人员"}


def _promise(order: WorkOrder, tz: str) -> dict[str, Any]:
    """Deadlines as ISO text and as the words the bot says."""
    return {
        "first_contact_due": iso_local(order.first_contact_due, tz),
        "answer_due": iso_local(order.answer_due, tz),
        "first_contact_due_label": label_local(order.first_contact_due, tz),
        "answer_due_label": label_local(order.answer_due, tz),
        "assignee_label": CITIZEN_ASSIGNEE_LABELS.get(order.route, CITIZEN_ASSIGNEE_LABELS["pool"]),
    }


def overdue_now(order: WorkOrder, now: datetime) -> bool:
    """First contact or answer is late right now (same rule as `queries.overdue_clause`)."""
    if order.status == lc.CLOSED:
        return False
    contact_late = order.first_contact_at is None and order.first_contact_due < now
    answer_late = order.answered_at is None and order.answer_due < now
    return contact_late or answer_late


def _urged(order: WorkOrder) -> bool:
    """A 催办 stands until the order is answered after it (or closed): the queue tags it for the handler."""
    if order.status == lc.CLOSED:
        return False
    urges = [n.created_at for n in order.notes if n.kind == URGE_NOTE]
    return bool(urges) and (order.answered_at is None or max(urges) > order.answered_at)


def staff_summary(order: WorkOrder, now: datetime, tz: str) -> dict[str, Any]:
    """One row of the queue."""
    return {
        "number": order.number,
        "kind": order.kind,
        "channel": order.channel,
        "status": order.status,
        "citizen_name": order.citizen_name,
        "phone": order.callback_phone_masked,
        # a live handoff opened the order before anyone had the citizen's phone: the clerk fills it in
        "needs_contact": not order.callback_phone_hash,
        "case_number": order.case_number,
        "court": order.court,
        "route": order.route,
        "assignee": order.assignee_name,
        "assignee_id": order.assignee_id,
        "summary": order.summary,
        "created_at": iso_local(order.created_at, tz),
        "first_contact_due": iso_local(order.first_contact_due, tz),
        "answer_due": iso_local(order.answer_due, tz),
        "first_contact_at": iso_local(order.first_contact_at, tz),
        "answered_at": iso_local(order.answered_at, tz),
        "overdue": overdue_now(order, now),
        "was_overdue": bool(order.overdue),
        "satisfaction": order.satisfaction,
        "citizen_update_unread": bool(order.citizen_update_unread),
        "urged": _urged(order),
    }


def staff_detail(order: WorkOrder, actor: Actor, now: datetime, tz: str) -> dict[str, Any]:
    """The work-order page: the row plus transcript, history, callbacks, replies and allowed actions."""
    view = staff_summary(order, now, tz)
    earlier, own = split_turns(order.transcript or [], order.created_at)
    view.update(
        case_judge=order.case_judge,
        case_judge_id=order.case_judge_id,
        transcript=[readable(t) for t in order.transcript or []],
        transcript_own=own,
        transcript_earlier=earlier,
        satisfaction_comment=order.satisfaction_comment,
        visited_at=iso_local(order.visited_at, tz),
        closed_at=iso_local(order.closed_at, tz),
        actions=permitted_actions(actor, order),
        history=[
            {
                "from": t.source,
                "action": t.action,
                "to": t.target,
                "by": t.actor_name,
                "role": t.actor_role,
                "note": t.note,
                "at": iso_local(t.at, tz),
            }
            for t in order.history
        ],
        callbacks=[
            {
                "method": c.method,
                "purpose": c.purpose,
                "outcome": c.outcome,
                "note": c.note,
                "by": c.by_name,
                "at": iso_local(c.at, tz),
            }
            for c in order.callbacks
        ],
        replies=[reply_view(r, tz) for r in order.replies],
        supplements=[supplement_view(s, tz) for s in order.supplements],
        notes=[
            {"kind": n.kind, "by": n.author_name, "body": n.body, "at": iso_local(n.created_at, tz)}
            for n in order.notes
        ],
    )
    # 群众补充 are events of the order too: shown in its history in time order, by the citizen
    view["history"] = sorted(
        view["history"]
        + [
            {
                "from": None,
                "action": SUPPLEMENT_ACTION,
                "to": None,
                "by": CITIZEN_LABEL,
                "role": CITIZEN_LABEL,
                "note": s["body"],
                "at": s["at"],
            }
            for s in view["supplements"]
        ],
        key=lambda h: h["at"] or "",
    )
    return view


SUPPLEMENT_ACTION = "群众补充"
CITIZEN_LABEL = "群众"


def supplement_view(supplement, tz: str) -> dict[str, Any]:
    """A 群众补充 as shown: masked again on the way out, whatever was stored."""
    return {
        "id": supplement.id,
        "body": mask_text(supplement.body),
        "channel": supplement.channel,
        "at": iso_local(supplement.created_at, tz),
    }


def supplement_answer(order: WorkOrder, supplement, created: bool, tz: str) -> dict[str, Any]:
    """The action server's answer: which order took it and how it stands (no staff names, no case facts)."""
    return {
        "number": order.number,
        "status": order.status,
        "supplement": {"id": supplement.id, "at": iso_local(supplement.created_at, tz)},
        "created": created,
        "supplements": len(order.supplements),
    }


def reply_view(reply, tz: str) -> dict[str, Any]:
    return {
        "id": reply.id,
        "body": reply.body,
        "by": reply.author_name,
        "delivery": reply.delivery,
        "at": iso_local(reply.created_at, tz),
    }


def citizen_view(order: WorkOrder, tz: str) -> dict[str, Any]:
    """What a citizen who knows the number and phone may see: status, promise, replies. No case facts."""
    replies = [{"body": r.body, "at": iso_local(r.created_at, tz)} for r in order.replies]
    return {
        "number": order.number,
        "kind": order.kind,
        "status": order.status,
        "phone": order.callback_phone_masked,
        "created_at": iso_local(order.created_at, tz),
        **_promise(order, tz),
        "replies": replies,
        "last_reply": replies[-1]["body"] if replies else None,
        "rated": order.satisfaction is not None,
    }


def created_view(order: WorkOrder, created: bool, tz: str) -> dict[str, Any]:
    """The answer to a creation request: the number and the promise the bot reads to the citizen."""
    return {
        "number": order.number,
        "status": order.status,
        "kind": order.kind,
        "route": order.route,
        **_promise(order, tz),
        "created": created,
    }


def user_view(user: StaffUser, tz: str) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "active": user.active,
        "court_judge_id": user.court_judge_id,
        "last_login_at": iso_local(user.last_login_at, tz),
    }


def audit_view(entry: AuditEntry, tz: str) -> dict[str, Any]:
    return {
        "by": entry.actor_name,
        "action": entry.action,
        "object_type": entry.object_type,
        "object": entry.object_ref,
        "detail": entry.detail,
        "at": iso_local(entry.at, tz),
    }
