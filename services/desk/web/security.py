"""Sessions, CSRF and response headers of the desk pages.

- The session is server-side (db/sessions.py, table `staff_sessions`): the signed cookie `desk_session`
  (HttpOnly, SameSite=Lax, Secure when DESK_COOKIE_SECURE) carries only a random session id, the CSRF token
  and flash messages. The row holds the user, a fingerprint of the password hash (a reset password ends
  every old session) and two times: it ends DESK_SESSION_MINUTES after login, or DESK_SESSION_IDLE_MINUTES
  (default 30) after the last request. Logging out deletes the row, so a cookie saved before logout is
  refused. Logging in clears whatever the browser had and issues a new id and CSRF token (no fixation).
- Every POST under /desk carries the CSRF token: a hidden `csrf_token` field in forms, the `X-CSRF-Token`
  header in fetch calls. Compared in constant time.
- Every answer gets a strict Content-Security-Policy (scripts and styles only from files of this origin, no
  inline code), X-Frame-Options DENY, nosniff and a referrer only within the desk; desk pages are not cached.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import Flask, Response, current_app, g, request, session

from ..db.models import SESSION_DESK
from ..db.sessions import UNKNOWN, SessionEnded
from ..domain.access import Actor
from ..settings import DeskSettings

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(Exception):
    """No valid session; `reason` is shown on the login page."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token."""


def configure(app: Flask, settings: DeskSettings) -> None:
    app.config.update(
        SESSION_COOKIE_NAME="desk_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_minutes),
        SESSION_REFRESH_EACH_REQUEST=True,
    )
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin: a refused form post can go back to its page (errors._back reads the Referer), while no
    # desk address (order numbers) is sent to another site; no-referrer sent the queue every refused post.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.path.startswith(("/desk", "/dev")) and "/static/" not in request.path:
        response.headers["Cache-Control"] = "no-store"
    return response


def csrf_token() -> str:
    """The session's token (created for anonymous visitors too, so the login form has one)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def check_csrf() -> None:
    expected = session.get(CSRF_FIELD, "")
    given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(str(given).encode(), str(expected).encode()):
        raise CsrfRefused()


def _book():
    return current_app.config["DESK_STORE"].staff_sessions


def _now():
    return current_app.config["DESK_WIRING"].clock()


def log_in(actor: Actor, stamp: str) -> None:
    """Start a fresh server-side session for `actor`: nothing of the previous cookie survives."""
    previous = session.get("sid")
    if previous:
        _book().close(previous)
    session.clear()
    sid = _book().open(actor.id, stamp, SESSION_DESK, _now())
    session.update(sid=sid, csrf_token=secrets.token_urlsafe(32))
    session.permanent = True


def log_out() -> None:
    """Delete the server-side session (a saved copy of the cookie is refused from now on)."""
    _book().close(str(session.get("sid") or ""))
    session.clear()


def current_actor() -> Actor:
    """The logged-in, still active member of staff, or LoginRequired with the reason."""
    sid = session.get("sid")
    if not sid:
        raise LoginRequired()
    try:
        user_id, stamp = _book().check(str(sid), SESSION_DESK, _now(), current_app.config["DESK_SETTINGS"])
    except SessionEnded as exc:
        session.clear()
        raise LoginRequired("" if str(exc) == UNKNOWN else str(exc)) from None
    state = current_app.config["DESK_STORE"].staff.session_state(user_id)
    if state is None or not hmac.compare_digest(state[1], stamp):
        _book().close(str(sid))
        session.clear()
        raise LoginRequired("账号状态已变更，请重新登录")
    g.actor = state[0]
    return state[0]
