"""Configuration of the WeChat channel: credentials.yml values first, environment variables second."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.channels.wechat.queue import TurnQueue
from bot.channels.wechat.queue_redis import RedisTurnQueue
from bot.channels.wechat.queue_sqlite import SqliteTurnQueue
from bot.channels.wechat.security import aes_key
from kernel.kv import KV, shared_kv
from kernel.sms import DEFAULT_OUTBOX, DEFAULT_SIGN_NAME, DEFAULT_SPOOL, SmsGateway
from kernel.sms_spool import gateway_for

DEFAULT_API_BASE = "https://api.weixin.qq.com"

# field name -> (environment variable, default)
_SOURCES: dict[str, tuple[str, str]] = {
    "token": ("WECHAT_TOKEN", ""),
    "app_id": ("WECHAT_APP_ID", ""),
    "app_secret": ("WECHAT_APP_SECRET", ""),
    "encoding_aes_key": ("WECHAT_ENCODING_AES_KEY", ""),
    "api_base": ("WECHAT_API_BASE", DEFAULT_API_BASE),
    "reply_budget": ("WECHAT_REPLY_BUDGET", "4.0"),
    "timestamp_window": ("WECHAT_TIMESTAMP_WINDOW", "300"),
    "max_body": ("WECHAT_MAX_BODY", "65536"),
    "text_limit": ("WECHAT_TEXT_LIMIT", "2048"),
    "push_token": ("CHANNEL_PUSH_TOKEN", ""),
    "queue_db": ("WECHAT_QUEUE_DB", "var/wechat_turns.db"),
    "queue_idle": ("WECHAT_QUEUE_IDLE", "10"),
    # shared with the other processes: the store of tokens, windows and dedupe keys; the SMS gateway of
    # the fallback; the served court's facts (welcome text)
    "redis_url": ("REDIS_URL", ""),
    "sms_backend": ("SMS_BACKEND", "outbox"),
    "sms_outbox": ("SMS_OUTBOX", DEFAULT_OUTBOX),
    "sms_http_url": ("SMS_HTTP_URL", ""),
    "sms_http_key": ("SMS_HTTP_KEY", ""),
    "sms_sign_name": ("SMS_SIGN_NAME", DEFAULT_SIGN_NAME),
    "sms_spool": ("SMS_SPOOL", DEFAULT_SPOOL),
    "court_settings": ("COURT_SETTINGS", ""),
}


@dataclass(frozen=True)
class WeChatSettings:
    """Everything the channel and the outbound helper need to know.

    With an EncodingAESKey set, only encrypted callbacks (compatible or safe mode) are accepted: in
    those modes WeChat always sends `encrypt_type=aes`, and only the encrypted part is covered by a
    signature. Leave it empty to run the Official Account in plaintext mode.
    """

    token: str = field(repr=False)  # secrets stay out of logs and tracebacks
    app_id: str
    app_secret: str = field(default="", repr=False)
    encoding_aes_key: str = field(default="", repr=False)
    api_base: str = DEFAULT_API_BASE
    reply_budget: float = 4.0  # WeChat waits 5 s for a passive reply; keep 1 s for the network
    timestamp_window: float = 300.0
    max_body: int = 64 * 1024
    text_limit: int = 2048
    push_token: str = field(default="", repr=False)  # the desk's bearer token; push is off without it
    # accepted turns wait here until answered (queue.py): this SQLite file without REDIS_URL, else a stream
    queue_db: str = "var/wechat_turns.db"
    queue_idle: float = 10.0  # seconds without a heartbeat before another worker takes a turn over
    redis_url: str = ""
    sms_backend: str = "outbox"
    sms_outbox: str = DEFAULT_OUTBOX
    sms_http_url: str = ""
    sms_http_key: str = field(default="", repr=False)
    sms_sign_name: str = DEFAULT_SIGN_NAME
    sms_spool: str = DEFAULT_SPOOL
    court_settings: str = ""  # empty: the packaged kernel/court.yml

    def __post_init__(self) -> None:
        if not self.token or not self.app_id:
            raise ValueError("the WeChat channel needs WECHAT_TOKEN and WECHAT_APP_ID")
        if self.encoding_aes_key:
            aes_key(self.encoding_aes_key)  # fail at start-up, not on the first message

    def sms_gateway(self) -> SmsGateway:
        return gateway_for(self)

    def kv(self) -> KV:
        return shared_kv(self.redis_url)

    def turn_queue(self) -> TurnQueue:
        """Redis when REDIS_URL is set (every replica shares it), else the local SQLite file."""
        if self.redis_url:
            return RedisTurnQueue(self.redis_url)
        return SqliteTurnQueue(self.queue_db)

    @property
    def key(self) -> bytes | None:
        return aes_key(self.encoding_aes_key) if self.encoding_aes_key else None

    @classmethod
    def load(
        cls, credentials: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> WeChatSettings:
        """A non-empty credentials.yml value wins; otherwise the environment variable, then the default."""
        credentials = credentials or {}
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for name, (variable, default) in _SOURCES.items():
            given = credentials.get(name)
            raw = str(given).strip() if given not in (None, "") else env.get(variable, default).strip()
            values[name] = raw or default
        for name in ("reply_budget", "timestamp_window", "queue_idle"):
            values[name] = float(values[name])
        for name in ("max_body", "text_limit"):
            values[name] = int(values[name])
        return cls(**values)
