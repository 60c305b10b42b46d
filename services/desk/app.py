"""The Flask app of the work-order service: `create_app(settings, store)`.

Two kinds of caller: the action server (and other services) with the shared DESK_API_TOKEN, and staff with a
short-lived server-side token from /api/v1/staff/login
(sessions.py; `POST /api/v1/staff/logout` revokes it). Errors are JSON with a Chinese `message`, never a traceback.
The desk pages (a later layer) register their own blueprint on this app and call the same `DeskStore`.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, jsonify, request
from sqlalchemy import text
from werkzeug.exceptions import HTTPException

from . import lifecycle as lc
from .access import AccessDenied, Actor
from .delivery import make_reply_sink
from .models import SESSION_API
from .sessions import SessionEnded
from .settings import DeskSettings
from .store import Conflict, DeskStore, NotFound
from .validation import InvalidInput
from .wiring import Wiring

log = logging.getLogger(__name__)
# Called after a reply is stored: (order detail, reply view) -> delivery status to record, or None.
ReplySink = Callable[[dict[str, Any], dict[str, Any]], "str | None"]
MAX_BODY_BYTES = 1024 * 1024


def error(status: int, code: str, message: str, **extra: Any):
    """The one shape of every error answer."""
    return jsonify({"error": code, "message": message, **extra}), status


def json_body() -> dict[str, Any]:
    """The request's JSON object, or InvalidInput."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body", "请求内容应为 JSON 对象")
    return data


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else ""


def require_service() -> None:
    """The caller holds DESK_API_TOKEN (the action server)."""
    expected = current_app.config["DESK_SETTINGS"].api_token
    if not expected:
        raise PermissionError("服务令牌未配置（DESK_API_TOKEN）")
    if not hmac.compare_digest(_bearer().encode(), expected.encode()):
        raise PermissionError("服务令牌无效")


def _now():
    return current_app.config["DESK_WIRING"].clock()


def issue_staff_token(actor: Actor) -> str:
    """A server-side API session (DESK_STAFF_TOKEN_MINUTES); the token is its random id."""
    store: DeskStore = current_app.config["DESK_STORE"]
    state = store.staff.session_state(actor.id)
    if state is None:
        raise PermissionError("账号已停用，请联系管理员")
    return store.staff_sessions.open(actor.id, state[1], SESSION_API, _now())


def staff_bearer() -> str:
    return _bearer()


def require_staff() -> Actor:
    """The logged-in member of staff behind the bearer token (still active), or PermissionError."""
    store: DeskStore = current_app.config["DESK_STORE"]
    try:
        user_id, stamp = store.staff_sessions.check(_bearer(), SESSION_API, _now(),
                                                     current_app.config["DESK_SETTINGS"])
    except SessionEnded as exc:
        raise PermissionError(str(exc)) from None
    state = store.staff.session_state(user_id)
    if state is None:
        store.staff_sessions.close(_bearer())
        raise PermissionError("账号已停用，请联系管理员")
    if not hmac.compare_digest(state[1], stamp):
        store.staff_sessions.close(_bearer())
        raise PermissionError("账号状态已变更，请重新登录")
    g.actor = state[0]
    return state[0]


def deliver_reply(number: str, result: dict[str, Any]) -> str | None:
    """Hand a stored reply to the app's sink and record how it went; a sink failure keeps the reply."""
    sink = current_app.config.get("DESK_REPLY_SINK")
    if sink is None:
        return None
    try:
        delivery = sink(result["order"], result["reply"])
    except Exception:  # delivery is retried by staff; the stored reply stands
        log.exception("reply delivery failed for %s", number)
        delivery = "发送失败"
    if delivery:
        current_app.config["DESK_STORE"].mark_delivery(result["reply"]["id"], delivery)
        result["reply"]["delivery"] = delivery
    return delivery


def _register_errors(app: Flask) -> None:
    @app.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput):
        return error(400, "invalid", exc.message, field=exc.field)

    @app.errorhandler(lc.NoteRequired)
    def _note(exc):
        return error(400, "note_required", str(exc))

    @app.errorhandler(lc.RoleNotAllowed)
    def _role(exc):
        return error(403, "forbidden", str(exc))

    @app.errorhandler(lc.TransitionError)
    def _transition(exc):
        return error(409, "not_allowed", str(exc))

    @app.errorhandler(AccessDenied)
    def _denied(exc):
        return error(403, "forbidden", str(exc))

    @app.errorhandler(PermissionError)
    def _unauthenticated(exc):
        return error(401, "unauthorized", str(exc))

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return error(404, "not_found", str(exc))

    @app.errorhandler(LookupError)
    def _lookup(exc):
        return error(404, "not_found", str(exc) or "未找到")

    @app.errorhandler(Conflict)
    def _conflict(exc):
        return error(409, "conflict", str(exc))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = {404: "接口不存在", 405: "不支持该请求方法", 413: "请求内容过大", 400: "请求格式不正确"}
        return error(exc.code or 400, "http_error", messages.get(exc.code, "请求无法处理"))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error in the desk service")
        return error(500, "internal", "服务器内部错误，请稍后重试")


def create_app(settings: DeskSettings, store: DeskStore, reply_sink: ReplySink | None = None,
               wiring: Wiring | None = None) -> Flask:
    """Build the service app and the desk pages around an opened store (migrations: see DeskStore.open).

    `wiring` (Rasa, channel push, SMS, court data, clock) is built from the settings unless given; the
    reply sink defaults to delivery through it (channel push while live, SMS otherwise).
    """
    from .api_handoff import handoff_api
    from .api_service import service_api
    from .api_staff import staff_api
    from .web import register_desk

    wiring = wiring or Wiring.from_settings(settings, store)
    if reply_sink is None:
        reply_sink = make_reply_sink(store.delivery_target, wiring.messenger)
    app = Flask(__name__, static_folder=None)
    secret = settings.secret_key
    if not secret:
        log.warning("DESK_SECRET_KEY is not set: desk page logins will not survive a restart")
        secret = secrets.token_urlsafe(32)
    if not settings.api_token:
        log.warning("DESK_API_TOKEN is not set: the action server cannot create work orders")
    app.config.update(
        SECRET_KEY=secret, DESK_SECRET=secret, DESK_SETTINGS=settings, DESK_STORE=store,
        DESK_REPLY_SINK=reply_sink, DESK_WIRING=wiring, MAX_CONTENT_LENGTH=MAX_BODY_BYTES, JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    app.register_blueprint(service_api)
    app.register_blueprint(staff_api)
    app.register_blueprint(handoff_api)
    _register_errors(app)
    register_desk(app, settings)

    @app.get("/health")
    def health():
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return jsonify({"status": "ok"})

    return app
