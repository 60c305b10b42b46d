"""Login and the work-order page with its actions (claim, reply, callback, 回访并办结, transitions, rating)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for

from ..domain import lifecycle as lc
from ..domain.access import AccessDenied
from ..domain.terms import CALLBACK_METHODS, CALLBACK_OUTCOMES, CALLBACK_PURPOSES, SUCCESSFUL_OUTCOMES
from ..domain.validation import (
    InvalidInput,
    parse_callback,
    parse_finish,
    parse_rating,
    parse_reply,
    phone_field,
    text_field,
)
from ..service.delivery import deliver_reply
from ..service.supervision import REASSIGNABLE
from ..service.throttle import TooManyAttempts
from ..service.wiring import canned_for
from . import security
from .base import desk, now_local, store, wiring
from .formatting import CHANNEL_LABELS

log = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------ login


def _safe_next(target: str | None) -> str:
    """Only a path on this site (no scheme, no host): no open redirect after login."""
    if not target or urlsplit(target).netloc or urlsplit(target).scheme or not target.startswith("/desk"):
        return url_for("desk.queue")
    return target


@desk.get("/login")
def login():
    return render_template("login.html", next=request.args.get("next", ""))


@desk.post("/login")
def login_post():
    username = (request.form.get("username") or "").strip()[:64]
    throttle, address = wiring().logins, request.remote_addr or "-"
    try:
        throttle.check(username, address)
    except TooManyAttempts as exc:
        flash(str(exc), "error")
        return render_template("login.html", next=request.form.get("next", ""), username=username), 429
    actor = store().staff.authenticate(username, request.form.get("password") or "")
    state = store().staff.session_state(actor.id) if actor else None
    if state is None:
        throttle.failed(username, address)
        flash("用户名或密码错误", "error")
        return render_template("login.html", next=request.form.get("next", ""), username=username), 401
    throttle.succeeded(username, address)
    security.log_in(*state)
    return redirect(_safe_next(request.form.get("next")))


@desk.post("/logout")
def logout():
    wiring().handoffs.book.leave(g.actor)
    security.log_out()
    flash("已退出登录", "ok")
    return redirect(url_for("desk.login"))


# ----------------------------------------------------------------------------------- order page


def _may_work(order: dict) -> bool:
    """Whether to show the working forms at all (the store decides each action for real)."""
    role = g.actor.role
    if role == lc.ADMIN:
        return False
    return role != lc.JUDGE or order["assignee_id"] == g.actor.id


@desk.get("/orders/<number>")
def order_page(number: str):
    order = store().get_order(g.actor, number, wiring().clock())
    facts = wiring().case_facts.lookup(order["case_number"]) if order["case_number"] else None
    transitions = [
        t
        for t in lc.TRANSITIONS
        if t.source == order["status"]
        and t.action in order["actions"]
        and t.action not in (lc.ACCEPT, lc.ANSWER)
    ]
    targets = store().staff.list_users(g.actor) if lc.DISPATCH in order["actions"] else []
    may_work = _may_work(order)
    may_reply = lc.ANSWER in order["actions"] or (
        may_work
        and order["status"] in (lc.ANSWERED, lc.VISITED)
        and (order["assignee_id"] in (None, g.actor.id) or g.actor.role in (lc.SUPERVISOR, lc.CLERK))
    )
    return render_template(
        "order.html",
        order=order,
        facts=facts,
        transitions=transitions,
        targets=targets,
        may_work=may_work,
        may_reply=may_reply,
        may_rate=may_work
        and g.actor.role in (lc.CLERK, lc.SUPERVISOR)
        and order["status"] in (lc.ANSWERED, lc.VISITED, lc.CLOSED),
        canned=canned_for(wiring().canned, g.actor.role),
        may_finish=may_work
        and g.actor.role in (lc.CLERK, lc.SUPERVISOR)
        and order["status"] in (lc.ANSWERED, lc.VISITED),
        reached_outcomes=SUCCESSFUL_OUTCOMES,
        other_orders=store().other_orders(g.actor, number, wiring().clock()),
        reassign_targets=store().reassign_targets(order)
        if g.actor.role == lc.SUPERVISOR and order["status"] in REASSIGNABLE
        else [],
        handoff=wiring().handoffs.book.open_for_order(order["number"]),
        methods=CALLBACK_METHODS,
        purposes=CALLBACK_PURPOSES,
        outcomes=CALLBACK_OUTCOMES,
        now=now_local(),
        channel_label=CHANNEL_LABELS.get(order["channel"], order["channel"]),
    )


def _back_to(number: str, message: str):
    flash(message, "ok")
    return redirect(url_for("desk.order_page", number=number))


@desk.post("/orders/<number>/claim")
def claim(number: str):
    store().claim(g.actor, number)
    return _back_to(number, "已受理，该工单由您承办")


@desk.post("/orders/<number>/reply")
def reply(number: str):
    body = parse_reply({"body": request.form.get("body", "")})
    result = store().add_reply(g.actor, number, body)
    sink = current_app.config.get("DESK_REPLY_SINK")
    label = deliver_reply(sink, store().mark_delivery, number, result) or "待发送"
    return _back_to(number, f"答复已保存，{label}")


@desk.post("/orders/<number>/callback")
def callback(number: str):
    cb = parse_callback({k: request.form.get(k) or None for k in ("method", "purpose", "outcome", "note")})
    store().record_callback(g.actor, number, cb)
    return _back_to(number, "回访记录已保存")


@desk.post("/orders/<number>/rating")
def rating(number: str):
    try:
        score = int(request.form.get("score", ""))
    except ValueError as exc:
        raise InvalidInput("score", "请选择满意度") from exc
    score, comment = parse_rating({"score": score, "comment": request.form.get("comment") or None})
    store().rate(g.actor, number, score, comment)
    return _back_to(number, "满意度已记录")


@desk.post("/orders/<number>/finish")
def finish(number: str):
    """回访并办结: callback, satisfaction and close in one post (DeskStore.finish)."""
    fields = ("method", "outcome", "note", "score", "comment", "close", "close_note")
    done = parse_finish({k: request.form.get(k) or None for k in fields})
    view = store().finish(g.actor, number, done)
    if view["status"] == lc.CLOSED:
        return _back_to(number, "回访已记录，工单已办结")
    return _back_to(number, f"回访已记录，工单状态：{view['status']}")


@desk.post("/orders/<number>/transition")
def transition(number: str):
    action = request.form.get("action")
    if action not in lc.ACTIONS:
        abort(400)
    note = text_field({"note": request.form.get("note")}, "note", "说明", 1000, required=False)
    target = request.form.get("target_id")
    target_id = int(target) if target and target.isdigit() else None
    store().transition(g.actor, number, action, note, target_id)
    return _back_to(number, f"已{action}")


@desk.post("/orders/<number>/contact")
def contact(number: str):
    """补充联系方式: name and callback phone of an order a live handoff opened without them."""
    name = text_field({"name": request.form.get("citizen_name")}, "name", "姓名", 64) or ""
    phone = phone_field({"phone": request.form.get("callback_phone")})
    view = store().complete_contact(g.actor, number, name, phone)
    if view["phone_was_missing"]:
        # the SMS every order sends on creation (number and promise), now that there is a phone for it
        try:
            wiring().created_sms.order_created(store().delivery_target(number))
        except Exception:  # the stored contact stands whatever the SMS does
            log.exception("creation SMS for work order %s not queued", number)
    return _back_to(number, "联系方式已保存")


@desk.post("/orders/<number>/phone")
def phone(number: str):
    """The full callback phone, for the person about to call (audited); fetched by the page's script."""
    if g.actor.role == lc.ADMIN:
        raise AccessDenied("管理员不处理工单")
    return jsonify({"phone": store().reveal_phone(g.actor, number)})
