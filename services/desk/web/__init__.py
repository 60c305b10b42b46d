"""The staff desk: server-rendered Chinese pages under /desk (Jinja2, autoescaped) and the /dev/sms demo page.

Pages call the same `DeskStore` as the JSON API, as the logged-in `Actor`. Scripts are small static files
(no inline code, see security.CSP). Modules: base (the blueprint and what every page needs), security
(session, CSRF, headers), errors, pages_orders (work-order page), pages_queue (queue, 即将到期, new-order
polling), pages_supervision (内部备注, 催办, 改派), pages_handoff (live chat console), pages_figures, pages_admin (accounts, audit,
holiday schedule; administrators see a banner on every page while this or next year has none), pages_dev
(SMS outbox).
"""

from __future__ import annotations

from flask import Flask, g, redirect, url_for

from ..domain import lifecycle as lc
from ..settings import DeskSettings
from . import (
    errors,
    formatting,
    pages_admin,
    pages_dev,
    pages_figures,
    pages_handoff,
    pages_orders,
    pages_queue,
    pages_supervision,
    security,
)
from .base import calendar_warnings, desk

# Importing the page modules above attaches their routes and the error handler to `desk`.
_PAGES = (errors, pages_admin, pages_figures, pages_handoff, pages_orders, pages_queue, pages_supervision)


def _context() -> dict:
    actor = g.get("actor")
    return {
        "actor": actor,
        "csrf_token": security.csrf_token,
        "lc": lc,
        "channel_labels": formatting.CHANNEL_LABELS,
        "route_labels": formatting.ROUTE_LABELS,
        "live_roles": (lc.CLERK, lc.SUPERVISOR),
        "calendar_warnings": calendar_warnings(actor),
    }


def register_desk(app: Flask, settings: DeskSettings) -> None:
    """Mount the desk pages, their security settings and filters on the service app."""
    security.configure(app, settings)
    app.context_processor(_context)
    app.jinja_env.filters.update(
        short_time=formatting.short_time,
        full_time=formatting.full_time,
        percent=formatting.percent,
        number=formatting.number,
        hours=formatting.hours,
        wait=formatting.wait,
    )
    app.jinja_env.globals.update(sla=formatting.sla)
    app.register_blueprint(desk)
    if settings.demo:  # /dev/sms: demo mode only (and for administrators, see pages_dev)
        app.register_blueprint(pages_dev.dev)

    @app.get("/")
    def _root():
        return redirect(url_for("desk.queue"))


__all__ = ["register_desk"]
