"""The order page's staff-only forms: 内部备注, 合并 of a duplicate, and for supervisors 催办 and 改派
(service/supervision.py)."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for

from ..domain.validation import text_field
from .base import desk, store


def _back(number: str, message: str):
    flash(message, "ok")
    return redirect(url_for("desk.order_page", number=number))


@desk.post("/orders/<number>/note")
def note(number: str):
    body = text_field({"body": request.form.get("body")}, "body", "备注内容", 2000) or ""
    store().add_note(g.actor, number, body)
    return _back(number, "内部备注已保存")


@desk.post("/orders/<number>/urge")
def urge(number: str):
    body = text_field({"body": request.form.get("body")}, "body", "催办说明", 1000) or ""
    view = store().urge(g.actor, number, body)
    return _back(number, f"已催办{view['assignee']}")


@desk.post("/orders/<number>/reassign")
def reassign(number: str):
    reason = text_field({"note": request.form.get("note")}, "note", "改派原因", 1000) or ""
    target = request.form.get("target_id") or ""
    view = store().reassign(g.actor, number, int(target) if target.isdigit() else None, reason)
    return _back(number, f"已改派给{view['assignee']}")


@desk.post("/orders/<number>/merge")
def merge(number: str):
    """This order is a duplicate of `into`: closed with that reason; the page goes to the kept order."""
    into = (request.form.get("into") or "").strip()[:32]
    store().merge(g.actor, number, into)
    flash(f"工单 {number} 已作为重复工单关闭并并入本单", "ok")
    return redirect(url_for("desk.order_page", number=into))
