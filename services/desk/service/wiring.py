"""The desk's connections to the outside, built once from settings: Rasa, the channels' push, SMS, court data.

`create_app(settings, store)` builds a `Wiring` from the settings unless a test hands one in (for example
with a fake clock). Every part speaks the real protocol to a URL from the settings, so tests point them at
loopback servers instead of replacing them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from kernel.kv import KV, shared_kv
from kernel.sms import SmsGateway
from kernel.sms_spool import gateway_for

from ..domain.clock import utcnow
from ..settings import DeskSettings
from .casefacts import CaseFacts
from .delivery import ChannelPush, Messenger
from .handoff import HandoffService
from .handoff_book import HandoffBook
from .notify import ClosureNotifier, CreationNotifier
from .orders import DeskStore
from .rasa import RasaClient
from .throttle import LoginThrottle

DEFAULT_CANNED = Path(__file__).parent.parent / "canned_replies.yml"  # beside the package, with the data


def load_canned(path: str = "") -> list[dict[str, Any]]:
    """常用回复: [{title, text, roles}] from DESK_CANNED_REPLIES or the packaged file; `roles` (optional)
    names who is offered it, so a judge is not offered "已转承办法官" about himself."""
    data: Any = yaml.safe_load(Path(path or DEFAULT_CANNED).read_text(encoding="utf-8")) or []
    return [
        {"title": str(item["title"]), "text": str(item["text"]), "roles": _roles(item.get("roles"))}
        for item in data
        if isinstance(item, dict) and item.get("title") and item.get("text")
    ]


def _roles(value: Any) -> tuple[str, ...]:
    """The roles of a canned reply: a list of role labels, one label, or none (everyone)."""
    if isinstance(value, str):
        value = [value]
    return tuple(str(role) for role in value) if isinstance(value, list) else ()


def canned_for(canned: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    """The canned replies offered to `role`: those without roles, and those naming it."""
    return [c for c in canned if not c.get("roles") or role in c["roles"]]


def sms_gateway(settings: DeskSettings) -> SmsGateway:
    """The gateway of SMS_BACKEND: the outbox by default, `http` a real gateway at SMS_HTTP_URL."""
    return gateway_for(settings)


@dataclass
class Wiring:
    rasa: RasaClient
    messenger: Messenger
    handoffs: HandoffService
    case_facts: CaseFacts
    canned: list[dict[str, Any]]
    clock: Callable[[], datetime]
    logins: LoginThrottle
    created_sms: CreationNotifier
    closed_notice: ClosureNotifier | None = None

    @classmethod
    def from_settings(
        cls,
        settings: DeskSettings,
        store: DeskStore,
        clock: Callable[[], datetime] = utcnow,
        sms: SmsGateway | None = None,
        kv: KV | None = None,
    ) -> Wiring:
        rasa = RasaClient(settings.rasa_url, settings.rasa_token)
        push = ChannelPush(
            settings.rasa_url,
            settings.channel_push_token,
            (settings.push_connect_timeout, settings.push_read_timeout),
        )
        sms = sms or sms_gateway(settings)
        messenger = Messenger(push, sms)
        book = HandoffBook(store.sessions, settings.timezone)
        handoffs = HandoffService(store, book, rasa, messenger, settings, clock)
        return cls(
            rasa,
            messenger,
            handoffs,
            CaseFacts(settings),
            load_canned(settings.canned_replies),
            clock,
            LoginThrottle(kv or shared_kv(settings.redis_url)),
            CreationNotifier(sms),
            ClosureNotifier(store.delivery_target, messenger),
        )
