"""What the citizen is told without asking: the SMS when a work order is opened (its number and the
promised first contact), and a notice when it is closed (ClosureNotifier, below).

`api_service.create` hands the order over after the creating transaction has committed, and only when that
call stored it (`Created.created`): an idempotent retry (same conversation_id + message_id) sends nothing.
The text goes to the callback phone through kernel/sms.py (outbox or HTTP gateway, SMS_BACKEND).

The send runs on one worker thread, off the request: an HTTP gateway may take its full timeouts (2 s + 3 s)
to fail, and the action server gives the creation call 4 s. A failure is logged with the phone masked and
the order stands; nothing is retried, so an SMS is sent at most once (a crash between the commit and the
send loses it, the order and the bot's answer do not depend on it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor

from kernel.privacy import mask_phone, mask_text
from kernel.sms import SmsGateway

from .delivery import Messenger, Sent, Target
from .handoff import SYSTEM_LABEL  # the sender shown for the desk's own notices (not a person)

log = logging.getLogger(__name__)

CREATED_SMS = (
    "您的诉求已登记为工单{number}，工作人员将在{due}前与您联系，请保持电话畅通。"
    "可凭工单编号和本手机号向智能助手查询办理进度。"
)
SMS_PURPOSE = "workorder"


def created_text(number: str, first_contact_label: str | None) -> str:
    """The SMS a citizen gets when their work order is stored."""
    return CREATED_SMS.format(number=number, due=first_contact_label or "承诺时限")


class CreationNotifier:
    """Sends the creation SMS in the background; never raises into the caller."""

    def __init__(self, sms: SmsGateway, executor: Executor | None = None) -> None:
        self.sms = sms
        self._executor = executor or ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-created-sms")

    def order_created(self, target: Target) -> Future | None:
        """Queue the SMS for a newly stored order; the future says whether it was accepted by the gateway."""
        try:
            return self._executor.submit(self.send, target)
        except RuntimeError as exc:  # executor shut down (process exiting): the order stands
            log.warning(
                "creation SMS for work order %s to %s not queued: %s",
                target.number,
                mask_phone(target.phone),
                exc,
            )
            return None

    def send(self, target: Target) -> bool:
        """Send now; False (and a masked warning) when the gateway did not take it."""
        try:
            self.sms.send(
                target.phone, created_text(target.number, target.first_contact_due_label), purpose=SMS_PURPOSE
            )
        except Exception as exc:  # any gateway failure: log it, the order is already stored
            log.warning(
                "creation SMS for work order %s to %s failed: %s",
                target.number,
                mask_phone(target.phone),
                mask_text(str(exc)),
            )
            return False
        return True

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every SMS queued so far has been tried (one worker: the queue is FIFO)."""
        self._executor.submit(lambda: None).result(timeout)


CLOSED_CHAT = "您的工单 {number} 已办结。感谢您的耐心；如仍有问题，可以随时在这里告诉我，或拨打 12368。"
CLOSED_SMS = "您的工单{number}已办结。如仍有问题，可向智能助手发送“查询工单”或拨打12368诉讼服务热线。"


def closed_texts(number: str) -> tuple[str, str]:
    """(chat text, SMS text) telling a citizen their order is closed, with its number."""
    return CLOSED_CHAT.format(number=number), CLOSED_SMS.format(number=number)


class ClosureNotifier:
    """Tells the citizen that their work order was closed: in their channel while the conversation is live
    (an open web page; WeChat inside its 48-hour window), otherwise by SMS to the callback phone (the
    Messenger's route, the same as an answer's).

    An answer already reaches the citizen when it is stored (delivery.make_reply_sink); a close had no word
    to them at all, so an order closed without a reply (a duplicate, a withdrawn request) or after the
    callback ended in silence. Runs off the request on one worker thread (a push may take its timeouts)."""

    def __init__(
        self,
        target_of: Callable[[str], Target],
        messenger: Messenger,
        executor: Executor | None = None,
    ) -> None:
        self.target_of = target_of
        self.messenger = messenger
        self._executor = executor or ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="desk-closed-notice"
        )

    def order_closed(self, number: str) -> Future | None:
        """Queue the notice for an order whose close has been committed."""
        try:
            return self._executor.submit(self.send, number)
        except RuntimeError as exc:  # executor shut down (process exiting): the order stays closed
            log.warning("close notice for work order %s not queued: %s", number, exc)
            return None

    def send(self, number: str) -> Sent | None:
        """Deliver now; None (and a masked warning) when it could not be tried."""
        try:
            target = self.target_of(number)
            chat, sms = closed_texts(target.number)
            sent = self.messenger.deliver(target, chat, sms, SYSTEM_LABEL)
        except Exception as exc:  # noqa: BLE001 - the close stands whatever happens to the notice
            log.warning("close notice for work order %s failed: %s", number, mask_text(str(exc)))
            return None
        log.info("close notice for work order %s: %s", number, sent.label)
        return sent

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every notice queued so far has been tried."""
        self._executor.submit(lambda: None).result(timeout)
