"""Endpoints for staff (bearer token from /api/v1/staff/login): the queue and everything done to an order.

The desk pages can call these from the browser or, server-side, the same `DeskStore` methods directly.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request

from ..db.queries import OrderFilter
from ..domain import lifecycle as lc
from ..domain.clock import to_local, utcnow
from ..domain.terms import CHANNELS, KINDS
from ..domain.validation import (
    InvalidInput,
    parse_callback,
    parse_finish,
    parse_rating,
    parse_reply,
    text_field,
)
from ..service.delivery import deliver_reply
from ..service.throttle import TooManyAttempts
from .auth import issue_staff_token, require_staff, staff_bearer
from .request import json_body

log = logging.getLogger(__name__)
staff_api = Blueprint("desk_staff_api", __name__, url_prefix="/api/v1/staff")
MAX_FIGURE_DAYS = 366


def _store():
    return current_app.config["DESK_STORE"]


@staff_api.before_request
def _authenticate() -> None:
    if request.endpoint != "desk_staff_api.login":
        require_staff()


@staff_api.post("/login")
def login():
    """Exchange username and password for a server-side token valid DESK_STAFF_TOKEN_MINUTES (default 60)."""
    data = json_body()
    username = text_field(data, "username", "用户名", 64)
    password = data.get("password") if isinstance(data.get("password"), str) else ""
    throttle, address = current_app.config["DESK_WIRING"].logins, request.remote_addr or "-"
    try:
        throttle.check(username, address)
    except TooManyAttempts as exc:
        return jsonify({"error": "too_many_attempts", "message": str(exc)}), 429
    actor = _store().staff.authenticate(username, password)
    if actor is None:
        throttle.failed(username, address)
        raise PermissionError("用户名或密码错误")
    throttle.succeeded(username, address)
    settings = current_app.config["DESK_SETTINGS"]
    return jsonify(
        {
            "token": issue_staff_token(actor),
            "expires_in": settings.staff_token_minutes * 60,
            "user": {"id": actor.id, "name": actor.name, "role": actor.role},
        }
    )


@staff_api.post("/logout")
def logout():
    """Revoke this token: from now on it gets 401."""
    _store().staff_sessions.close(staff_bearer())
    return jsonify({"status": "ok", "message": "已退出登录"})


@staff_api.get("/me")
def me():
    return jsonify({"id": g.actor.id, "name": g.actor.name, "role": g.actor.role})


def _choice(name: str, label: str, choices: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in choices:
        raise InvalidInput(name, f"{label}应为以下之一：{'、'.join(choices)}")
    return value


def _date(name: str) -> date | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(name, "日期格式应为 YYYY-MM-DD") from exc


def _int(name: str, default: int) -> int:
    try:
        return int(request.args.get(name, default))
    except ValueError as exc:
        raise InvalidInput(name, f"{name} 应为整数") from exc


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in {"1", "true", "yes"}


@staff_api.get("/workorders")
def list_orders():
    """The queue: ?status= &kind= &channel= &overdue=1 &mine=1 &open=1 &q= &from= &to= &sort=due &page= &per_page="""
    flt = OrderFilter(
        status=_choice("status", "状态", lc.STATUSES),
        kind=_choice("kind", "工单类型", KINDS),
        channel=_choice("channel", "渠道", CHANNELS),
        overdue=_flag("overdue"),
        mine=_flag("mine"),
        open_only=_flag("open"),
        search=(request.args.get("q") or "")[:64] or None,
        created_from=_date("from"),
        created_to=_date("to"),
        sort=request.args.get("sort", "created"),
        page=_int("page", 1),
        per_page=_int("per_page", 50),
    )
    return jsonify(_store().list_orders(g.actor, flt))


@staff_api.get("/workorders/<number>")
def get_order(number: str):
    return jsonify(_store().get_order(g.actor, number))


@staff_api.post("/workorders/<number>/phone")
def reveal_phone(number: str):
    """The full callback phone for the person about to call; every use is in the audit log."""
    return jsonify({"phone": _store().reveal_phone(g.actor, number)})


@staff_api.post("/workorders/<number>/claim")
def claim(number: str):
    return jsonify(_store().claim(g.actor, number))


@staff_api.post("/workorders/<number>/transition")
def transition(number: str):
    """{action, note?, target_id?}: one step of the transition table (target_id for 派发)."""
    data = json_body()
    action = data.get("action")
    if action not in lc.ACTIONS:
        raise InvalidInput("action", f"操作应为以下之一：{'、'.join(lc.ACTIONS)}")
    note = text_field(data, "note", "说明", 1000, required=False)
    target_id = data.get("target_id")
    if target_id is not None and (isinstance(target_id, bool) or not isinstance(target_id, int)):
        raise InvalidInput("target_id", "派发对象应为账号编号")
    return jsonify(_store().transition(g.actor, number, action, note, target_id))


@staff_api.post("/workorders/<number>/replies")
def reply(number: str):
    """Store an answer, then hand it to the delivery sink (if any); the answer is never lost to a sink error."""
    result = _store().add_reply(g.actor, number, parse_reply(json_body()))
    deliver_reply(current_app.config.get("DESK_REPLY_SINK"), _store().mark_delivery, number, result)
    return jsonify(result), 201


@staff_api.post("/workorders/<number>/callbacks")
def callback(number: str):
    """{method: 电话|短信|留言, purpose: 联系|回访, outcome: 接通|未接通|已发送|已留言, note?}"""
    return jsonify(_store().record_callback(g.actor, number, parse_callback(json_body()))), 201


@staff_api.post("/workorders/<number>/rating")
def rating(number: str):
    score, comment = parse_rating(json_body())
    return jsonify(_store().rate(g.actor, number, score, comment))


@staff_api.post("/workorders/<number>/finish")
def finish(number: str):
    """回访并办结 in one call: {method, outcome, note?, score?, comment?, close?, close_note?}."""
    return jsonify(_store().finish(g.actor, number, parse_finish(json_body())))


@staff_api.get("/transitions")
def transitions():
    """The transition table, for the desk's buttons and help text."""
    rows = [
        {
            "from": t.source,
            "action": t.action,
            "to": t.target,
            "roles": sorted(t.roles),
            "note_required": t.note_required,
        }
        for t in lc.TRANSITIONS
    ]
    return jsonify(rows)


@staff_api.get("/figures")
def figures():
    """?from=YYYY-MM-DD&to=YYYY-MM-DD (local dates, inclusive; default the last 30 days)."""
    today = to_local(utcnow(), current_app.config["DESK_SETTINGS"].timezone).date()
    end = _date("to") or today
    start = _date("from") or end - timedelta(days=29)
    if start > end or (end - start).days >= MAX_FIGURE_DAYS:
        raise InvalidInput("from", f"日期范围应为1到{MAX_FIGURE_DAYS}天")
    result: dict[str, Any] = _store().figures(g.actor, start, end)
    result.update({"from": start.isoformat(), "to": end.isoformat()})
    return jsonify(result)


@staff_api.get("/audit")
def audit():
    """?number=&from=YYYY-MM-DD&to=YYYY-MM-DD&kind=&limit= (supervisors and administrators)."""
    start, end = _date("from"), _date("to")
    if start and end and start > end:
        raise InvalidInput("from", "开始日期不能晚于结束日期")
    entries = _store().audit_log(
        g.actor,
        request.args.get("number"),
        _int("limit", 200),
        start=start,
        end=end,
        kind=(request.args.get("kind") or "").strip()[:32] or None,
    )
    return jsonify(entries)


@staff_api.get("/users")
def users():
    """Administrators: all accounts. Other staff: active judges and supervisors (dispatch targets)."""
    return jsonify(_store().staff.list_users(g.actor))


@staff_api.post("/users")
def create_user():
    data = json_body()
    view = _store().staff.create_user(
        g.actor, data.get("username"), data.get("display_name"), data.get("role"), data.get("password")
    )
    return jsonify(view), 201


@staff_api.patch("/users/<int:user_id>")
def update_user(user_id: int):
    data = json_body()
    changes = {k: data[k] for k in ("display_name", "role", "active", "password") if k in data}
    staff = _store().staff
    view = staff.update_user(g.actor, user_id, changes) if changes or "court_judge_id" not in data else None
    if "court_judge_id" in data:
        view = staff.link_judge(g.actor, user_id, data["court_judge_id"])
    return jsonify(view)
