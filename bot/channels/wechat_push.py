"""`POST /webhooks/wechat/push`: the staff desk hands a work-order reply to the WeChat channel.

The same contract as the web chat's push endpoint: `Authorization: Bearer <CHANNEL_PUSH_TOKEN>`
and JSON `{recipient_id, text, phone?, sender_label?}`. Here the recipient is an OpenID and the
reply goes out as a customer-service message while WeChat's window allows it, else by SMS to
`phone` (or the number remembered for the OpenID), else it is reported as undelivered so the desk
can call the citizen back. Reasons are Chinese, because they end up in front of staff.
"""

from __future__ import annotations

import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from bot.channels.wechat_outbound import SMS, UNDELIVERED, WECHAT
from kernel.contracts import SENDER_LABEL_MAX, STAFF_LABEL
from kernel.nlu.phone import canonical_phone

MAX_BODY = 32 * 1024  # MAX_TEXT CJK characters are 24 KB as \uXXXX escapes (json.dumps' default)
MAX_TEXT = 4000
MAX_OPENID = 128
_OPENID = re.compile(r"[A-Za-z0-9_-]+")
_LABEL_NOISE = re.compile(r"[\s【】\[\]]+")


class PushRefused(Exception):
    """A push the channel will not act on: HTTP status and a reason for the caller."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class StaffReply:
    """A validated push: who gets what, and the phone for the SMS fallback (canonical, or None)."""

    openid: str
    text: str
    phone: str | None


def authorize(expected: str, header: str | None) -> None:
    """503 while no token is configured (push is off, not open); 401 unless the header matches.

    The whole header is compared in constant time, so neither the scheme nor the token leaks by timing."""
    if not expected:
        raise PushRefused(503, "推送未启用：未设置 CHANNEL_PUSH_TOKEN")
    given = (header or "").encode("utf-8", "replace")
    if not hmac.compare_digest(given, f"Bearer {expected}".encode()):
        raise PushRefused(401, "缺少或错误的推送令牌（Authorization: Bearer）")


def parse(body: bytes) -> StaffReply:
    """The reply a push asks for, or PushRefused(400) naming the first thing wrong with it."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise PushRefused(400, "请求体不是有效的 JSON（UTF-8）") from None
    if not isinstance(data, dict):
        raise PushRefused(400, "请求体必须是 JSON 对象")
    openid = data.get("recipient_id")
    if not isinstance(openid, str) or not 0 < len(openid) <= MAX_OPENID or not _OPENID.fullmatch(openid):
        raise PushRefused(400, "recipient_id 必须是微信用户的 OpenID")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise PushRefused(400, "text 不能为空")
    if len(text) > MAX_TEXT:
        raise PushRefused(400, f"text 不能超过 {MAX_TEXT} 个字符")
    return StaffReply(
        openid, f"【{_label(data.get('sender_label'))}】{text.strip()}", _phone(data.get("phone"))
    )


def _label(value: Any) -> str:
    """Who speaks: the desk's label (a name, "承办法官" ...) or 工作人员; brackets and breaks removed
    so a label cannot fake a second line or a second speaker."""
    if value is None:
        return STAFF_LABEL
    label = _LABEL_NOISE.sub("", value) if isinstance(value, str) else ""
    if not label or len(label) > SENDER_LABEL_MAX:
        raise PushRefused(400, f"sender_label 必须是不超过 {SENDER_LABEL_MAX} 个字的名称")
    return label


def _phone(value: Any) -> str | None:
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
