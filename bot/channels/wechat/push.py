"""`POST /webhooks/wechat/push`: the staff desk hands a work-order reply to the WeChat channel.

The contract, its checks and its refusals are the ones every channel shares (bot/channels/common.py):
`Authorization: Bearer <CHANNEL_PUSH_TOKEN>` and JSON `{recipient_id, text, sender_label?}`; WeChat
also takes an optional `phone`. Here the recipient is an OpenID and the reply goes out as a
customer-service message while WeChat's window allows it, else by SMS to `phone` (or the number
remembered for the OpenID), else it is reported as undelivered so the desk can call the citizen back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.channels.common import LABEL_NOISE, PushRefused, PushRequest
from bot.channels.wechat.outbound import SMS, UNDELIVERED, WECHAT
from kernel.nlu.phone import canonical_phone


@dataclass(frozen=True)
class StaffReply:
    """A validated push: who gets what, and the phone for the SMS fallback (canonical, or None)."""

    openid: str
    text: str
    phone: str | None


def staff_reply(push: PushRequest) -> StaffReply:
    """The WeChat text of a push: WeChat has no speaker field, so the label leads the text in 【】.

    Buttons are not sent: a customer-service text has none, and numbered replies belong to the bot."""
    message = push.message
    label = LABEL_NOISE.sub("", message["sender_label"])  # cannot fake a second line or speaker
    return StaffReply(message["recipient_id"], f"【{label}】{message['text'].strip()}", _phone(push.body))


def _phone(body: dict[str, Any]) -> str | None:
    value = body.get("phone")
    if value is None or value == "":
        return None
    phone = canonical_phone(value) if isinstance(value, str) else None
    if phone is None:
        raise PushRefused(400, "phone 必须是有效的手机号码")
    return phone


def outcome(routes: list[str]) -> dict[str, Any]:
    """The desk's view of a delivery: where the reply went as a whole.

    Any piece undelivered makes the reply undelivered (the desk must call back); otherwise SMS if any
    piece needed it (WeChat refused part-way), else customer service."""
    if not routes or UNDELIVERED in routes:
        via = "undelivered"
    elif SMS in routes:
        via = "sms"
    else:
        via = "customer_service" if all(route == WECHAT for route in routes) else "undelivered"
    return {"delivered": via != "undelivered", "via": via, "parts": len(routes)}
