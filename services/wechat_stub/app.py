"""A local stand-in for api.weixin.qq.com, speaking the same HTTP/JSON for what the channel uses.

- GET  /cgi-bin/token                     access_token (7200 s); 40002/40013/40125 on bad input
- POST /cgi-bin/message/custom/send       text customer-service message; 41001/40001/42001 on bad tokens,
                                          45015/45047 outside the window, 45002 over 2048 bytes
- GET  /stub/messages?touser=&after=      what was delivered (for tests and the simulated client)
- POST /stub/interactions                 {openid, kind, grant_id}: a user action that opens a window
                                          (WeChat sees these itself; the simulator reports them here)
WeChat answers errors with HTTP 200 and an errcode, and so does this stand-in.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask import Flask, jsonify, request

from services.wechat_stub.store import GRANTS, StubStore

TEXT_LIMIT_BYTES = 2048
ERRMSG = {
    0: "ok",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40008: "invalid message type",
    40013: "invalid appid",
    40125: "invalid appsecret",
    41001: "access_token missing",
    42001: "access_token expired",
    44002: "empty post data",
    45002: "content size out of limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
}


@dataclass(frozen=True)
class StubSettings:
    """The Official Account this stand-in plays WeChat for."""

    app_id: str
    app_secret: str
    token_lifetime: int = 7200
    host: str = "127.0.0.1"
    port: int = 8030
    clock: Callable[[], float] = field(default=time.time, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> StubSettings:
        env = os.environ if env is None else env
        return cls(
            app_id=env.get("WECHAT_APP_ID", "wx_demo_app"),
            app_secret=env.get("WECHAT_APP_SECRET", "demo-secret"),
            token_lifetime=int(env.get("WECHAT_STUB_TOKEN_LIFETIME", "7200")),
            host=env.get("WECHAT_STUB_HOST") or "127.0.0.1",
            port=int(env.get("WECHAT_STUB_PORT") or "8030"),
        )


def _error(code: int):
    return jsonify({"errcode": code, "errmsg": ERRMSG[code]})


def _send_error(settings: StubSettings, store: StubStore, body: dict) -> int:
    """The errcode WeChat would give this customer-service request (0: deliver it)."""
    token = request.args.get("access_token", "")
    if not token:
        return 41001
    state = store.token_state(token, settings.clock())
    if state != "valid":
        return 40001 if state == "invalid" else 42001
    touser = body.get("touser")
    if not isinstance(touser, str) or not touser:
        return 40003
    if body.get("msgtype") != "text":
        return 40008
    content = (body.get("text") or {}).get("content")
    if not isinstance(content, str) or not content:
        return 47001
    if len(content.encode("utf-8")) > TEXT_LIMIT_BYTES:
        return 45002
    return store.use_grant(touser, settings.clock())


def create_app(settings: StubSettings | None = None, store: StubStore | None = None) -> Flask:
    settings = settings or StubSettings.from_env()
    store = store if store is not None else StubStore()
    app = Flask("wechat_stub")
    app.json.ensure_ascii = False
    app.config["STUB_STORE"] = store

    @app.get("/cgi-bin/token")
    def token():
        args = request.args
        if args.get("grant_type") != "client_credential":
            return _error(40002)
        if args.get("appid") != settings.app_id:
            return _error(40013)
        if args.get("secret") != settings.app_secret:
            return _error(40125)
        issued = store.issue_token(settings.clock(), settings.token_lifetime)
        return jsonify({"access_token": issued, "expires_in": settings.token_lifetime})

    @app.post("/cgi-bin/message/custom/send")
    def custom_send():
        raw = request.get_data()
        if not raw:
            return _error(44002)
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return _error(47001)
        if not isinstance(body, dict):
            return _error(47001)
        code = _send_error(settings, store, body)
        if code:
            return _error(code)
        store.deliver({"touser": body["touser"], "content": body["text"]["content"], "at": settings.clock()})
        return _error(0)

    @app.get("/stub/messages")
    def delivered():
        after = request.args.get("after", "0")
        if not after.isdigit():
            return jsonify({"error": "after must be a non-negative integer"}), 400
        return jsonify({"messages": store.delivered(request.args.get("touser"), int(after))})

    @app.post("/stub/interactions")
    def interaction():
        body = request.get_json(silent=True) or {}
        openid, kind, grant_id = body.get("openid"), body.get("kind"), str(body.get("grant_id", ""))
        if not isinstance(openid, str) or not openid or kind not in GRANTS or not grant_id:
            return jsonify({"error": "need openid, kind (message|click|subscribe) and grant_id"}), 400
        store.record_interaction(openid, kind, grant_id, settings.clock())
        return jsonify({"ok": True})

    @app.get("/stub/health")
    def health():
        return jsonify({"status": "ok"})

    return app
