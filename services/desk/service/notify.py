"""The citizen's SMS when a work order is opened: its number and the promised first contact.

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
from concurrent.futures import Executor, Future, ThreadPoolExecutor

from kernel.privacy import mask_phone, mask_text
from kernel.sms import SmsGateway

from .delivery import Target

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
