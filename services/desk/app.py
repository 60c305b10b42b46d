"""The factory of the work-order service: `create_app(settings, store)`, the one place that knows every room.

Two kinds of caller: the action server (and other services) with the shared DESK_API_TOKEN, and staff with a
short-lived server-side token (http/auth.py). The JSON API (http/) and the desk pages (web/) are blueprints
registered here, so no room imports the factory back; both call the same `DeskStore` (service/orders.py).
"""

from __future__ import annotations

import logging
import secrets

from flask import Flask, jsonify
from sqlalchemy import text

from .http.api_docs import docs_api
from .http.api_handoff import handoff_api
from .http.api_service import service_api
from .http.api_staff import staff_api
from .http.errors import register_errors
from .http.request import MAX_BODY_BYTES
from .service.delivery import ReplySink, make_reply_sink
from .service.orders import DeskStore
from .service.wiring import Wiring
from .settings import DeskSettings
from .web import register_desk

log = logging.getLogger(__name__)


def _secret(settings: DeskSettings) -> str:
    """The cookie-signing key; a random one (with a warning) when DESK_SECRET_KEY is unset."""
    if settings.secret_key:
        return settings.secret_key
    log.warning("DESK_SECRET_KEY is not set: desk page logins will not survive a restart")
    return secrets.token_urlsafe(32)


def create_app(
    settings: DeskSettings,
    store: DeskStore,
    reply_sink: ReplySink | None = None,
    wiring: Wiring | None = None,
) -> Flask:
    """Build the service app and the desk pages around an opened store (migrations: see DeskStore.open).

    `wiring` (Rasa, channel push, SMS, court data, clock) is built from the settings unless given; the
    reply sink defaults to delivery through it (channel push while live, SMS otherwise).
    """
    wiring = wiring or Wiring.from_settings(settings, store)
    if reply_sink is None:
        reply_sink = make_reply_sink(store.delivery_target, wiring.messenger, wiring.rasa)
    if wiring.closed_notice is not None:  # a closed order is told to its citizen (channel, else SMS)
        store.closed_sink = wiring.closed_notice.order_closed
    app = Flask(__name__, static_folder=None)
    secret = _secret(settings)
    if not settings.api_token:
        log.warning("DESK_API_TOKEN is not set: the action server cannot create work orders")
    app.config.update(
        SECRET_KEY=secret,
        DESK_SECRET=secret,
        DESK_SETTINGS=settings,
        DESK_STORE=store,
        DESK_REPLY_SINK=reply_sink,
        DESK_WIRING=wiring,
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        JSON_AS_ASCII=False,
    )
    app.json.ensure_ascii = False
    for blueprint in (service_api, staff_api, handoff_api, docs_api):
        app.register_blueprint(blueprint)
    register_errors(app)
    register_desk(app, settings)

    @app.get("/health")
    def health():
        with store.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return jsonify({"status": "ok"})

    return app
