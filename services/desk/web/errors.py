"""What a member of staff sees when something is refused: a Chinese page (or JSON for the page's scripts).

Form posts that fail a rule (a missing reason, a step the table does not allow, someone else was faster)
come back to the page they came from with the reason shown; access refusals get a 403 page; an unexpected
fault is logged and shown as a short apology, never a traceback.
"""

from __future__ import annotations

import logging

from flask import flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from ..domain import lifecycle as lc
from ..domain.access import AccessDenied
from ..domain.validation import InvalidInput
from ..service.handoff_book import HandoffGone
from ..service.orders import Conflict
from .base import desk
from .security import CsrfRefused, LoginRequired

log = logging.getLogger(__name__)
HTTP_MESSAGES = {404: "页面不存在", 405: "不支持该请求方法", 413: "提交的内容过大", 400: "请求格式不正确"}


def wants_json() -> bool:
    return request.path.endswith(".json") or "application/json" in request.headers.get("Accept", "")


def error_page(status: int, title: str, message: str):
    if wants_json():
        return jsonify({"error": title, "message": message}), status
    return render_template("error.html", status=status, title=title, message=message), status


def _back(message: str):
    """A rule refused a form post: back to where it came from, with the reason."""
    if wants_json():
        return jsonify({"error": "refused", "message": message}), 409
    flash(message, "error")
    target = request.referrer if request.referrer and request.referrer.startswith(request.host_url) else None
    return redirect(target or url_for("desk.queue"))


def handle(exc: Exception):
    """One handler for every error inside the desk blueprint, chosen by kind."""
    if isinstance(exc, HTTPException):
        return error_page(exc.code or 400, "无法处理", HTTP_MESSAGES.get(exc.code, "请求无法处理"))
    if isinstance(exc, LoginRequired):
        if wants_json():
            return jsonify({"error": "login", "message": exc.reason or "请先登录"}), 401
        if exc.reason:
            flash(exc.reason, "error")
        return redirect(url_for("desk.login", next=request.full_path if request.method == "GET" else None))
    if isinstance(exc, CsrfRefused):
        return error_page(400, "请求已失效", "页面已过期或请求来源无法确认，请刷新页面后重试。")
    if isinstance(exc, AccessDenied):
        return error_page(403, "无权访问", str(exc))
    if isinstance(exc, LookupError) and not isinstance(exc, (KeyError, IndexError)):  # not a bug's KeyError
        return error_page(404, "未找到", str(exc) or "未找到")
    if isinstance(exc, (InvalidInput, lc.TransitionError, Conflict, HandoffGone)):
        message = exc.message if isinstance(exc, InvalidInput) else str(exc)
        if request.method == "GET":
            return error_page(400, "无法处理", message)
        return _back(message)
    log.exception("unhandled error on a desk page")
    return error_page(500, "系统错误", "系统出现错误，请稍后重试；如持续出现请联系管理员。")


# Registered on import: a blueprint cannot change once an app has used it.
desk.register_error_handler(Exception, handle)
