"""A stand-in for the Rasa process on loopback: its HTTP API (tracker, events) and the channels' push endpoints.

It speaks the same protocol as the real ones (paths, bearer token, JSON shapes), so the desk's clients are
tested over real HTTP. Tests set how it behaves (is the citizen's page open? does the WeChat push exist?)
and read what it received.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

PUSH_TOKEN = "test-push-token"
RASA_TOKEN = "test-rasa-token"


@dataclass
class FakeRasa:
    """Configure with the attributes; read `pushes` and `events`."""

    web_delivered: bool = True  # an open chat page acknowledged the push
    web_records: bool = True  # the webchat push keeps the line in the tracker itself
    web_status: int = 200
    wechat_status: int = 404  # the WeChat push is not built yet
    wechat_via: str = "customer_service"
    pushes: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    url: str = ""

    def user_says(self, conversation_id: str, text: str) -> None:
        self.events.setdefault(conversation_id, []).append({"event": "user", "text": text, "timestamp": 1.0})

    def appended(self, conversation_id: str, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events.get(conversation_id, []) if e.get("event") == kind]

    def app(self) -> Flask:
        app = Flask("fake-rasa")

        def token_ok() -> bool:
            return request.args.get("token") == RASA_TOKEN

        @app.get("/conversations/<conversation_id>/tracker")
        def tracker(conversation_id: str):
            if not token_ok():
                return jsonify({"message": "unauthorized"}), 401
            events = self.events.get(conversation_id, [])
            paused = any(e["event"] == "pause" for e in events)
            return jsonify({"sender_id": conversation_id, "events": events, "paused": paused})

        @app.post("/conversations/<conversation_id>/tracker/events")
        def append(conversation_id: str):
            if not token_ok():
                return jsonify({"message": "unauthorized"}), 401
            self.events.setdefault(conversation_id, []).append({**request.get_json(), "timestamp": 2.0})
            return jsonify({"sender_id": conversation_id})

        @app.post("/webhooks/<channel>/push")
        def push(channel: str):
            if request.headers.get("Authorization") != f"Bearer {PUSH_TOKEN}":
                return jsonify({"reason": "missing or wrong bearer token"}), 401
            status = self.web_status if channel == "webchat" else self.wechat_status
            if status != 200:
                return jsonify({"reason": "unavailable"}), status
            body = request.get_json()
            self.pushes.append({"channel": channel, **body})
            if channel == "webchat":
                if self.web_records:
                    self.events.setdefault(body["recipient_id"], []).append(
                        {
                            "event": "bot",
                            "text": body["text"],
                            "timestamp": 3.0,
                            "metadata": {"webchat_staff": {"label": body.get("sender_label")}},
                        }
                    )
                return jsonify({"delivered": self.web_delivered, "recorded": self.web_records})
            return jsonify({"delivered": True, "via": self.wechat_via})

        return app


class Served:
    """A WSGI app served on 127.0.0.1:<free port> in a thread."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Served:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(5)
