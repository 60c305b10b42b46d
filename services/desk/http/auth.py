"""Who is calling the JSON API: the action server with DESK_API_TOKEN, or staff with a server-side token.

Staff tokens come from /api/v1/staff/login (db/sessions.py; `POST /api/v1/staff/logout` revokes them) and
stay valid only while the account is active and unchanged.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from flask import current_app, g

from ..db.models import SESSION_API
from ..db.sessions import SessionEnded
from ..domain.access import Actor
from ..service.orders import DeskStore
from .request import bearer


def require_service() -> None:
    """The caller holds DESK_API_TOKEN (the action server)."""
    expected = current_app.config["DESK_SETTINGS"].api_token
    if not expected:
        raise PermissionError("服务令牌未配置（DESK_API_TOKEN）")
    if not hmac.compare_digest(bearer().encode(), expected.encode()):
        raise PermissionError("服务令牌无效")


def _now() -> datetime:
    return current_app.config["DESK_WIRING"].clock()


def issue_staff_token(actor: Actor) -> str:
    """A server-side API session (DESK_STAFF_TOKEN_MINUTES); the token is its random id."""
    store: DeskStore = current_app.config["DESK_STORE"]
    state = store.staff.session_state(actor.id)
    if state is None:
        raise PermissionError("账号已停用，请联系管理员")
    return store.staff_sessions.open(actor.id, state[1], SESSION_API, _now())


def staff_bearer() -> str:
    """The staff token of this request (for logout)."""
    return bearer()


def require_staff() -> Actor:
    """The logged-in member of staff behind the bearer token (still active), or PermissionError."""
    store: DeskStore = current_app.config["DESK_STORE"]
    try:
        user_id, stamp = store.staff_sessions.check(
            bearer(), SESSION_API, _now(), current_app.config["DESK_SETTINGS"]
        )
    except SessionEnded as exc:
        raise PermissionError(str(exc)) from None
    state = store.staff.session_state(user_id)
    if state is None:
        store.staff_sessions.close(bearer())
        raise PermissionError("账号已停用，请联系管理员")
    if not hmac.compare_digest(state[1], stamp):
        store.staff_sessions.close(bearer())
        raise PermissionError("账号状态已变更，请重新登录")
    g.actor = state[0]
    return state[0]
