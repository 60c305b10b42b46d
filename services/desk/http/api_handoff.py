"""Live-handoff endpoints for the action server (token DESK_API_TOKEN).

`GET /api/v1/handoff/status` → `{clerks_online, waiting, wait_seconds}`: whether offering a live chat makes
sense now. `POST /api/v1/handoff {number, conversation_id, channel}` → the queued request (201; 200 when the
conversation already has an open one). Without `number`, `{conversation_id, channel (web|wechat), summary,
message_id?, transcript?}` first stores a 人工咨询 order from what the bot knows (no name or phone: the clerk
fills them in on the desk), then queues it; idempotent by (conversation_id, message_id). Either answer holds
`number`, `position` (place in the queue, 1 = next) and `expected_wait_seconds`. The action pauses the conversation itself (ConversationPaused); the
desk resumes it when the chat ends or nobody took it in time.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from ..domain.terms import CHANNELS
from ..domain.validation import choice_field, parse_live_open, text_field
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
    if data.get("number") is None:
        live = parse_live_open(data)
        view, created = _handoffs().open_live(
            live.conversation_id, live.channel, live.summary, live.message_id, live.transcript
        )
        return jsonify(view), 201 if created else 200
    number = text_field(data, "number", "工单编号", 32)
    conversation_id = text_field(data, "conversation_id", "会话编号", 128)
    channel = choice_field(data, "channel", "渠道", CHANNELS)
    view, created = _handoffs().request(number, conversation_id, channel)
    return jsonify(view), 201 if created else 200
