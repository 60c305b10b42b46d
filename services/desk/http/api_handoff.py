"""Live-handoff endpoints for the action server (token DESK_API_TOKEN).

`GET /api/v1/handoff/status` → `{clerks_online, waiting, wait_seconds}`: whether offering a live chat makes
sense now. `POST /api/v1/handoff {number, conversation_id, channel}` → the queued request (201; 200 when the
conversation already has an open one). The action pauses the conversation itself (ConversationPaused); the
desk resumes it when the chat ends or nobody took it in time.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..domain.terms import CHANNELS
from ..domain.validation import choice_field, text_field
from .auth import require_service
from .request import json_body

handoff_api = Blueprint("desk_handoff_api", __name__, url_prefix="/api/v1/handoff")


@handoff_api.before_request
def _authenticate() -> None:
    require_service()


def _handoffs():
    return current_app.config["DESK_WIRING"].handoffs


@handoff_api.get("/status")
def status():
    return jsonify(_handoffs().status())


@handoff_api.post("")
def request_handoff():
    data = json_body()
    number = text_field(data, "number", "工单编号", 32)
    conversation_id = text_field(data, "conversation_id", "会话编号", 128)
    channel = choice_field(data, "channel", "渠道", CHANNELS)
    view, created = _handoffs().request(number, conversation_id, channel)
    return jsonify(view), 201 if created else 200
