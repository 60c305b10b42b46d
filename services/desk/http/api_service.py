"""Endpoints for the action server (token DESK_API_TOKEN): create, look up, supplement and rate work orders.

A creation answer is sent only after the order is committed; retrying with the same conversation_id and
message_id returns the same order (200 instead of 201), so the bot can retry after any failure. A newly
stored order also gets the citizen an SMS with its number and promised first contact (service/notify.py); the retry
does not, and an SMS failure never changes the answer.

`POST /<number>/supplements` adds what the citizen wrote after a staff reply (群众补充) to an order of the same
conversation: 201 stored, 200 the same message_id again, 403 `other_conversation`, 404 no such order, 409 `closed`
(the bot then offers a new request).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app, jsonify

from ..domain.validation import NewWorkOrder, parse_new_order, parse_rating, text_field
from ..service.delivery import Target
from ..service.orders import SUPPLEMENT_MAX, NotTheirs, OrderClosed
from .auth import require_service
from .errors import error
from .request import json_body

log = logging.getLogger(__name__)
service_api = Blueprint("desk_service_api", __name__, url_prefix="/api/v1/workorders")


@service_api.before_request
def _authenticate() -> None:
    require_service()


def _store():
    return current_app.config["DESK_STORE"]


@service_api.post("")
def create():
    """Open a work order; 201 with number and promised deadlines, 200 when the key was seen before."""
    new = parse_new_order(json_body())
    store = _store()
    result = store.create_work_order(new)
    if result.created:
        _send_created_sms(new, result.view)
    store.faults.reach("after_commit", result.view["number"])
    return jsonify(result.view), 201 if result.created else 200


def _send_created_sms(new: NewWorkOrder, view: dict[str, Any]) -> None:
    """Queue the citizen's SMS for a committed order; whatever goes wrong there, the order stands."""
    try:
        target = Target(
            view["number"],
            new.channel,
            new.conversation_id,
            new.callback_phone,
            view.get("first_contact_due_label"),
        )
        current_app.config["DESK_WIRING"].created_sms.order_created(target)
    except Exception:  # never let the notice fail a stored creation
        log.exception("creation SMS for work order %s not queued", view.get("number"))


def _number_and_phone(data: dict) -> tuple[str, str]:
    number = text_field(data, "number", "工单编号", 32)
    phone = text_field(data, "phone", "手机号", 20)
    return number, phone


@service_api.post("/lookup")
def lookup():
    """A citizen's view of their order, by number and callback phone (POST keeps the phone out of URLs)."""
    number, phone = _number_and_phone(json_body())
    return jsonify(_store().lookup(number, phone))


@service_api.post("/rating")
def rate():
    """The citizen's satisfaction with an answered order (once)."""
    data = json_body()
    number, phone = _number_and_phone(data)
    score, comment = parse_rating(data)
    return jsonify(_store().rate_by_citizen(number, phone, score, comment))


@service_api.post("/<number>/supplements")
def supplement(number: str):
    """群众补充: the citizen's message in the order's own conversation, added to an order that is not closed."""
    data = json_body()
    conversation_id = text_field(data, "conversation_id", "会话标识", 128) or ""
    message_id = text_field(data, "message_id", "消息标识", 128) or ""
    text = text_field(data, "text", "补充内容", SUPPLEMENT_MAX) or ""
    channel = text_field(data, "channel", "渠道", 16, required=False)
    try:
        answer = _store().add_supplement(number, conversation_id, message_id, text, channel)
    except NotTheirs as exc:
        return error(403, "other_conversation", str(exc))
    except OrderClosed as exc:
        return error(409, "closed", str(exc))
    return jsonify(answer), 201 if answer["created"] else 200
