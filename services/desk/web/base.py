"""The desk blueprint and what every page module needs: the store, the wiring, local time, the login guard.

The page modules import this module (never the package `web`, which imports them), so the package can
mount them without an import cycle.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, request

from ..domain import lifecycle as lc
from ..domain.clock import to_local
from ..domain.workdays import coverage_warnings
from ..settings import DeskSettings
from . import security

desk = Blueprint("desk", __name__, url_prefix="/desk", static_folder="../static", static_url_path="/static")
PUBLIC_ENDPOINTS = {"desk.login", "desk.login_post", "desk.static"}


def now_local() -> datetime:
    """The court's local time by the wiring's clock (tests move it)."""
    settings: DeskSettings = current_app.config["DESK_SETTINGS"]
    return to_local(current_app.config["DESK_WIRING"].clock(), settings.timezone)


def store():
    """The app's DeskStore."""
    return current_app.config["DESK_STORE"]


def wiring():
    """The app's Wiring (Rasa, push, SMS, throttle, handoffs)."""
    return current_app.config["DESK_WIRING"]


@desk.before_request
def _guard() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        security.check_csrf()
    if request.endpoint not in PUBLIC_ENDPOINTS:
        security.current_actor()


def calendar_warnings(actor) -> list[str]:
    """For administrators: this or next year has no holiday schedule (workdays.coverage_warnings)."""
    if actor is None or actor.role != lc.ADMIN:
        return []
    return coverage_warnings(now_local().date(), store().calendar)
