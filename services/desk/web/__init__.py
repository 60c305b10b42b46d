"""The staff desk: server-rendered Chinese pages under /desk (Jinja2, autoescaped) and the /dev/sms demo page.

Pages call the same `DeskStore` as the JSON API, as the logged-in `Actor`. Scripts are small static files
(no inline code, see security.CSP). Modules: security (session, CSRF, headers), errors, pages_orders
(queue, work-order page), pages_handoff (live chat console), pages_figures, pages_admin (accounts, audit,
holiday schedule; administrators see a banner on every page while this or next year has none), pages_dev
(SMS outbox).
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, current_app, g, redirect, request, url_for

from .. import lifecycle as lc
from ..clock import to_local
from ..settings import DeskSettings
from ..workdays import coverage_warnings
from . import formatting, security

desk = Blueprint("desk", __name__, url_prefix="/desk", static_folder="../static", static_url_path="/static")
PUBLIC_ENDPOINTS = {"desk.login", "desk.login_post", "desk.static"}


def now_local() -> datetime:
    settings: DeskSettings = current_app.config["DESK_SETTINGS"]
    return to_local(current_app.config["DESK_WIRING"].clock(), settings.timezone)


def store():
    return current_app.config["DESK_STORE"]


def wiring():
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


def _context() -> dict:
    actor = g.get("actor")
    return {
        "actor": actor, "csrf_token": security.csrf_token, "lc": lc, "channel_labels": formatting.CHANNEL_LABELS,
        "route_labels": formatting.ROUTE_LABELS, "live_roles": (lc.CLERK, lc.SUPERVISOR),
        "calendar_warnings": calendar_warnings(actor),
    }


def register_desk(app: Flask, settings: DeskSettings) -> None:
    """Mount the desk pages, their security settings and filters on the service app."""
    # Importing the page modules attaches their routes and the error handler to `desk`.
    from . import errors, pages_admin, pages_dev, pages_figures, pages_handoff, pages_orders  # noqa: F401

    security.configure(app, settings)
    app.context_processor(_context)
    app.jinja_env.filters.update(short_time=formatting.short_time, full_time=formatting.full_time,
                                 percent=formatting.percent, number=formatting.number,
                                 hours=formatting.hours)
    app.jinja_env.globals.update(sla=formatting.sla)
    app.register_blueprint(desk)
    if settings.demo:  # /dev/sms: demo mode only (and for administrators, see pages_dev)
        app.register_blueprint(pages_dev.dev)

    @app.get("/")
    def _root():
        return redirect(url_for("desk.queue"))


__all__ = ["desk", "register_desk", "now_local", "store", "wiring"]
