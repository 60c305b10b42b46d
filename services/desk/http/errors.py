"""The one shape of every JSON error answer, and the handlers that map the desk's exceptions onto it.

Errors are JSON with a Chinese `message`, never a traceback; the desk pages have their own (web/errors.py).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..domain import lifecycle as lc
from ..domain.access import AccessDenied
from ..domain.validation import InvalidInput
from ..service.orders import Conflict, NotFound

log = logging.getLogger(__name__)


def error(status: int, code: str, message: str, **extra: Any):
    """The one shape of every error answer."""
    return jsonify({"error": code, "message": message, **extra}), status


def _register_rule_errors(app: Flask) -> None:
    """The domain's refusals: bad input, a transition the table or the order does not allow."""

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


def register_errors(app: Flask) -> None:
    """Attach the JSON error handlers to `app` (the factory calls this once)."""
    _register_rule_errors(app)

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
