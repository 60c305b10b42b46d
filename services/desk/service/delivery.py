"""Getting staff words to the citizen: the channel's push while the conversation is live, SMS otherwise.

The channels offer a push endpoint inside the Rasa process (`POST {RASA_URL}/webhooks/webchat/push` and
`…/wechat/push`, bearer CHANNEL_PUSH_TOKEN, `{recipient_id, text, sender_label}` → `{delivered, via?,
recorded?}`). The web chat delivers only to an open page; the WeChat push falls back to SMS itself outside
WeChat's 48-hour window (`via: "sms"`). The REST channel has no push. Whatever the channel cannot deliver
goes as SMS to the callback phone through kernel/sms.py, so an answer is never silently lost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from kernel.contracts import PUSH_PATHS, SENDER_LABEL_MAX, STAFF_LABEL, supplement_event
from kernel.sms import SmsError, SmsGateway
from kernel.sms_spool import SPOOLED_PREFIX

from ..domain import lifecycle as lc

log = logging.getLogger(__name__)

DELIVERED = {"web": "已送达（网页）", "wechat": "已送达（微信）", "sms": "已送达（短信）"}
FAILED = "发送失败"
QUEUED = "短信待重发"  # the gateway refused it; kept in the SMS spool and sent again (kernel/sms_spool.py)


class PushUnavailable(RuntimeError):
    """The channel has no push, or it could not be reached or refused the call: use SMS instead."""


@dataclass(frozen=True)
class PushResult:
    delivered: bool
    via: str | None = None
    recorded: bool = False


@dataclass(frozen=True)
class Target:
    """Where a citizen can be reached for one work order (the full phone: for SMS only, never shown)."""

    number: str
    channel: str
    conversation_id: str | None
    phone: str
    first_contact_due_label: str | None = None


@dataclass(frozen=True)
class Sent:
    """How a message went: the label recorded on a reply, the route, and whether Rasa's transcript has it."""

    label: str
    via: str  # web | wechat | sms | none
    delivered: bool
    recorded: bool = False


class ChannelPush:
    """The channels' staff push endpoints in the Rasa process."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: tuple[float, float] = (1.0, 6.0),
        session: requests.Session | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.session = session or requests.Session()

    def push(self, channel: str, recipient_id: str, text: str, sender_label: str = STAFF_LABEL) -> PushResult:
        path = PUSH_PATHS.get(channel)
        if path is None:
            raise PushUnavailable(f"渠道 {channel} 没有推送接口")
        if not self.token:
            raise PushUnavailable("CHANNEL_PUSH_TOKEN 未配置")
        body = {"recipient_id": recipient_id, "text": text, "sender_label": sender_label[:SENDER_LABEL_MAX]}
        try:
            response = self.session.post(
                self.base_url + path,
                json=body,
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {self.token}"},
            )
        except requests.RequestException as exc:
            raise PushUnavailable(f"推送接口无法连接（{type(exc).__name__}）") from exc
        if response.status_code != 200:
            raise PushUnavailable(f"推送接口拒绝（HTTP {response.status_code}）")
        try:
            answer = response.json()
        except ValueError as exc:
            raise PushUnavailable("推送接口应答不是 JSON") from exc
        if not isinstance(answer, dict):
            raise PushUnavailable("推送接口应答格式不对")
        via = answer.get("via") if isinstance(answer.get("via"), str) else None
        return PushResult(answer.get("delivered") is True, via, answer.get("recorded") is True)


class Messenger:
    """Sends staff text to a citizen by the best route and says how it went."""

    def __init__(self, push: ChannelPush, sms: SmsGateway) -> None:
        self.push = push
        self.sms = sms

    def _try_push(self, target: Target, text: str, label: str) -> PushResult | None:
        if not target.conversation_id or target.channel not in PUSH_PATHS:
            return None
        try:
            return self.push.push(target.channel, target.conversation_id, text, label)
        except PushUnavailable as exc:
            log.warning("push for work order %s not possible: %s", target.number, exc)
            return None

    @staticmethod
    def _pushed(target: Target, result: PushResult) -> Sent:
        via = "sms" if result.via == "sms" else target.channel
        return Sent(DELIVERED[via], via, True, result.recorded)

    def _sms(self, target: Target, text: str, recorded: bool) -> Sent:
        if not target.phone:  # an order a live handoff opened before the clerk had the phone
            log.warning("no callback phone on work order %s yet: no SMS sent", target.number)
            return Sent(FAILED, "none", False, recorded)
        try:
            message_id = self.sms.send(target.phone, text, purpose="workorder")
        except SmsError as exc:
            log.warning("SMS for work order %s failed: %s", target.number, exc)
            return Sent(FAILED, "none", False, recorded)
        if message_id.startswith(SPOOLED_PREFIX):
            return Sent(QUEUED, "sms", False, recorded)
        return Sent(DELIVERED["sms"], "sms", True, recorded)

    def deliver(self, target: Target, text: str, sms_text: str, label: str = STAFF_LABEL) -> Sent:
        """In the citizen's channel if they are there now, otherwise SMS to the callback phone."""
        result = self._try_push(target, text, label)
        if result is not None and result.delivered:
            return self._pushed(target, result)
        return self._sms(target, sms_text, result.recorded if result else False)

    def chat(self, target: Target, text: str, label: str = STAFF_LABEL) -> Sent:
        """A line of a live chat: pushed; SMS only when the channel has no push at all (REST, push down).

        A web page that has been closed gets no SMS for each chat line: the line is kept in the transcript
        and the desk tells the clerk it was not delivered.
        """
        result = self._try_push(target, text, label)
        if result is None:
            return self._sms(target, text, False)
        if result.delivered:
            return self._pushed(target, result)
        return Sent("未送达", "none", False, result.recorded)


def reply_texts(number: str, body: str) -> tuple[str, str]:
    """(chat text, SMS text) of a work-order answer."""
    chat = f"关于您的工单 {number}，工作人员答复如下：\n{body}"
    sms = f"您的工单{number}已有答复：{body}（如有疑问可回复智能助手“查询工单”）"
    return chat, sms


class ConversationLog(Protocol):
    """What the reply sink needs of the Rasa HTTP API (service/rasa.py `RasaClient`)."""

    def append(self, conversation_id: str, event: dict[str, Any]) -> None: ...

    def record_staff_line(self, conversation_id: str, text: str, staff_name: str) -> None: ...


def make_reply_sink(
    target_of: Callable[[str], Target], messenger: Messenger, conversations: ConversationLog | None = None
) -> Callable[[dict[str, Any], dict[str, Any]], str]:
    """The app's `reply_sink`: deliver a stored answer and return the label to record on it.

    With `conversations`, an answer on an open order that went to the citizen's chat conversation (web or
    WeChat, even when it had to go by SMS) is left in that conversation as the latest thing: the staff line,
    if the channel did not record it, and the slot naming the order, so that the citizen's next message
    there is added to the order as 群众补充 (actions/supplement.py).
    """

    def sink(order: dict[str, Any], reply: dict[str, Any]) -> str:
        target = target_of(order["number"])
        chat, sms = reply_texts(target.number, reply["body"])
        sent = messenger.deliver(target, chat, sms)
        if conversations is not None and sent.delivered and order.get("status") != lc.CLOSED:
            await_supplement(conversations, target, chat, sent)
        return sent.label

    return sink


def await_supplement(conversations: ConversationLog, target: Target, chat: str, sent: Sent) -> bool:
    """Name the order in the citizen's chat conversation after its answer; False when that is not possible."""
    if not target.conversation_id or target.channel not in PUSH_PATHS:
        return False
    try:
        if not sent.recorded:
            conversations.record_staff_line(target.conversation_id, chat, STAFF_LABEL)
        conversations.append(target.conversation_id, supplement_event(target.number))
    except Exception as exc:  # noqa: BLE001 - the answer went out; only the follow-up link is lost
        log.warning("work order %s not linked to its conversation: %s", target.number, exc)
        return False
    return True


# Called after a reply is stored: (order detail, reply view) -> delivery status to record, or None.
ReplySink = Callable[[dict[str, Any], dict[str, Any]], "str | None"]


def deliver_reply(
    sink: ReplySink | None, mark_delivery: Callable[[int, str], Any], number: str, result: dict[str, Any]
) -> str | None:
    """Hand a stored reply to `sink` and record how it went (`mark_delivery(reply id, label)`).

    Shared by the staff API and the desk page, so both answer alike; a sink failure keeps the reply, since
    staff retry delivery and the stored answer stands.
    """
    if sink is None:
        return None
    try:
        delivery = sink(result["order"], result["reply"])
    except Exception:  # delivery is retried by staff; the stored reply stands
        log.exception("reply delivery failed for %s", number)
        delivery = FAILED
    if delivery:
        mark_delivery(result["reply"]["id"], delivery)
        result["reply"]["delivery"] = delivery
    return delivery
