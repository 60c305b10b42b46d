"""Messages to a WeChat user that are not a passive reply: slow bot answers and staff replies.

Order of preference: a customer-service message while WeChat's window is open, else an SMS through
the outbox (kernel/sms.py) to the phone number we know for that OpenID, else a logged (masked)
"could not deliver". The desk calls `send_to_wechat_user`; the channel uses `Outbox.deliver`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from bot.channels.common import mask_conversation
from bot.channels.wechat.api import WeChatApi, WeChatApiError
from bot.channels.wechat.text import split_text
from bot.channels.wechat.window import ServiceWindow
from kernel.kv import KV
from kernel.privacy import mask_phone
from kernel.sms import SmsGateway

logger = logging.getLogger(__name__)

PHONE_TTL = 180 * 24 * 3600
WECHAT, SMS, UNDELIVERED = "wechat", "sms", "undelivered"
# An SMS arrives out of context: say where the answer comes from.
SMS_PREFIX = "您在微信诉讼服务号的咨询有新回复：\n"


def sms_sender(gateway: SmsGateway) -> Callable[[str, str], None]:
    """The fallback's sender over the project's SMS adapter (outbox file or gateway, by SMS_BACKEND)."""

    def send(phone: str, text: str) -> None:
        gateway.send(phone, text, purpose="wechat")

    return send


class PhoneBook:
    """OpenID → phone number, for the SMS fallback; filled when a user's phone is verified."""

    def __init__(self, kv: KV, ttl: float = PHONE_TTL) -> None:
        self._kv = kv
        self._ttl = ttl

    def remember(self, openid: str, phone: str) -> None:
        self._kv.set(f"wechat:phone:{openid}", phone, ttl=self._ttl)

    def lookup(self, openid: str) -> str | None:
        return self._kv.get(f"wechat:phone:{openid}")


class Outbox:
    """Delivers text to one user by the best route still open, never silently dropping it."""

    def __init__(
        self,
        api: WeChatApi,
        window: ServiceWindow,
        phones: PhoneBook,
        sms_sender: Callable[[str, str], None],
        text_limit: int = 2048,
    ) -> None:
        self._api = api
        self._window = window
        self.phones = phones
        self._sms = sms_sender
        self._limit = text_limit

    def deliver(
        self,
        openid: str,
        pieces: list[str],
        phone: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[str]:
        """Send each piece (already within WeChat's size limit); returns the route each piece took.

        `progress(n)` is called once the first n pieces are out (by WeChat, SMS or given up), so a
        durable caller can record how far it got and never send those again."""
        routes: list[str] = []
        report = progress or (lambda _: None)
        for index, piece in enumerate(pieces):
            if not self._window.consume(openid):
                why = "window closed"
            else:
                try:
                    self._api.send_text(openid, piece)
                except WeChatApiError as exc:
                    why = f"WeChat errcode {exc.errcode}"
                else:
                    routes.append(WECHAT)
                    report(len(routes))
                    continue
            routes += self._fallback(openid, pieces[index:], phone, why)
            report(len(routes))
            return routes
        return routes

    def send(self, openid: str, text: str, phone: str | None = None) -> list[str]:
        """Like `deliver`, for text of any length, kept on one route where it can be: when the window
        has fewer sends left than the text has pieces and a phone is known, all of it goes by SMS, so
        nobody reads the start of a reply in WeChat and its end in a text message."""
        pieces = split_text(text, self._limit)
        if (
            len(pieces) > 1
            and self._window.remaining(openid) < len(pieces)
            and (phone or self.phones.lookup(openid))
        ):
            return self._fallback(openid, pieces, phone, f"window too small for {len(pieces)} parts")
        return self.deliver(openid, pieces, phone)

    def _fallback(self, openid: str, pieces: list[str], phone: str | None, why: str) -> list[str]:
        number = phone or self.phones.lookup(openid)
        who = mask_conversation(openid)
        if not number:
            logger.warning(
                "wechat: could not deliver %d message(s) to %s (%s, no phone known)", len(pieces), who, why
            )
            return [UNDELIVERED] * len(pieces)
        try:
            self._sms(number, SMS_PREFIX + "\n".join(pieces))
        except Exception:
            logger.exception("wechat: SMS fallback to %s for %s failed", mask_phone(number), who)
            return [UNDELIVERED] * len(pieces)
        logger.info("wechat: %s for %s, sent by SMS to %s", why, who, mask_phone(number))
        return [SMS] * len(pieces)


_default: Outbox | None = None
_default_lock = threading.Lock()


def default_outbox() -> Outbox:
    """The process-wide outbox from WECHAT_* variables and the shared KV store (built on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            from bot.channels.wechat.settings import WeChatSettings

            settings = WeChatSettings.load()
            kv = settings.kv()
            api = WeChatApi(settings.api_base, settings.app_id, settings.app_secret, kv)
            _default = Outbox(
                api,
                ServiceWindow(kv),
                PhoneBook(kv),
                sms_sender(settings.sms_gateway()),
                text_limit=settings.text_limit,
            )
        return _default


def send_to_wechat_user(openid: str, text: str, phone: str | None = None) -> list[str]:
    """Push a staff reply (or any notice) to a WeChat user: customer-service message while WeChat's
    window is open, else SMS to `phone` (or the number remembered for the OpenID).

    Blocking (HTTP): call it from a worker thread in async code. Returns the route of each piece
    ("wechat", "sms" or "undelivered"); long text is split to WeChat's size limit.
    """
    return default_outbox().send(openid, text, phone)


def remember_phone(openid: str, phone: str) -> None:
    """Record a verified phone number for an OpenID, so that answers WeChat cannot deliver go by SMS."""
    default_outbox().phones.remember(openid, phone)
