"""Settings of the court-data service, read from COURTDATA_* environment variables (defaults in one place)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

from kernel.sms import DEFAULT_OUTBOX, DEFAULT_SIGN_NAME, DEFAULT_SPOOL, SmsGateway
from kernel.sms_spool import gateway_for

DEFAULT_FILE = Path(__file__).with_name("demo_data.json")
ENV = {  # field -> environment variable
    "data_file": "COURTDATA_FILE",
    "host": "COURTDATA_HOST",
    "port": "COURTDATA_PORT",
    "api_key": "COURTDATA_API_KEY",
    "admin_key": "COURTDATA_ADMIN_KEY",
    "otp_ttl": "COURTDATA_OTP_TTL",
    "token_ttl": "COURTDATA_TOKEN_TTL",
    "max_attempts": "COURTDATA_MAX_ATTEMPTS",
    "lock_seconds": "COURTDATA_LOCK_SECONDS",
    "resend_seconds": "COURTDATA_RESEND_SECONDS",
    "sms_daily_limit": "COURTDATA_SMS_DAILY_LIMIT",
    "rate_limit": "COURTDATA_RATE_LIMIT",
    "fault": "COURTDATA_FAULT",
    "threads": "COURTDATA_THREADS",
    "sms_sign": "COURTDATA_SMS_SIGN",
    "identity_max_failures": "COURTDATA_IDENTITY_MAX_FAILURES",
    "identity_window": "COURTDATA_IDENTITY_WINDOW",
    "trusted_callers": "COURTDATA_TRUSTED_CALLERS",
    "client_address_header": "COURTDATA_CLIENT_ADDRESS_HEADER",
    "audit_log": "COURTDATA_AUDIT_LOG",
    "debtor_daily_limit": "COURTDATA_DEBTOR_DAILY_LIMIT",
    # shared with the other processes (kernel/sms.py, kernel/kv.py)
    "sms_backend": "SMS_BACKEND",
    "sms_outbox": "SMS_OUTBOX",
    "sms_http_url": "SMS_HTTP_URL",
    "sms_http_key": "SMS_HTTP_KEY",
    "sms_sign_name": "SMS_SIGN_NAME",
    "sms_spool": "SMS_SPOOL",
    "redis_url": "REDIS_URL",
}


@dataclass(frozen=True)
class Settings:
    """Why each default: a code lives 5 minutes, a grant 30 (one conversation), three tries then 30 minutes."""

    data_file: Path = DEFAULT_FILE
    host: str = "127.0.0.1"
    port: int = 8010
    api_key: str = ""  # empty: no bearer key required (local demo)
    # the admin fault switch's own key: whoever reads data must not be able to take the service down;
    # empty: the switch does not exist (404)
    admin_key: str = ""
    otp_ttl: int = 300
    token_ttl: int = 1800
    max_attempts: int = 3
    lock_seconds: int = 1800
    resend_seconds: int = 60
    sms_daily_limit: int = 10
    rate_limit: int = 1200  # requests per minute per caller (the bot is one caller); 0 switches it off
    fault: str = ""  # "", "fail" or "slow:SECONDS" (tests and drills)
    threads: int = 8
    sms_sign: str = "北京市第三中级人民法院"
    # failed identity matches per case+identifier and per client address: after this many within
    # identity_window seconds, a cool-down of identity_window seconds without checking the match
    identity_max_failures: int = 5
    identity_window: int = 3600
    # addresses of callers (the action server, a proxy) whose client_address_header is believed; empty:
    # nobody's, the client address is the caller's own address
    trusted_callers: str = ""
    client_address_header: str = "X-Client-Address"
    audit_log: Path = Path("var/courtdata_audit.jsonl")
    # dishonest-debtor searches per end client (its address, or the key a trusted caller forwards) per
    # day: a brake on walking the list; the assistant's own per-citizen limit is lower. 0 switches it off
    debtor_daily_limit: int = 100
    # the SMS gateway that sends the codes, and the store of codes, counters and locks
    sms_backend: str = "outbox"
    sms_outbox: str = DEFAULT_OUTBOX
    sms_http_url: str = ""
    sms_http_key: str = ""
    sms_sign_name: str = DEFAULT_SIGN_NAME
    sms_spool: str = DEFAULT_SPOOL
    redis_url: str = ""  # empty: in-process (one worker); Redis to share them between replicas

    def sms_gateway(self) -> SmsGateway:
        return gateway_for(self)

    @property
    def trusted(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.trusted_callers.split(",") if a.strip())

    def is_trusted(self, caller: str) -> bool:
        """Whether a caller may forward the citizen's address: an address listed, or inside a listed network.

        Networks (10.244.0.0/16) are for clusters, where the assistant's pods get a new address at every
        start (deploy/k8s); on one machine the list holds loopback addresses only."""
        try:
            address = ipaddress.ip_address(caller)
        except ValueError:
            return False
        return any(address in network for network in _networks(self.trusted))

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build from the environment; a malformed number stops the start with the variable's name."""
        env = dict(os.environ if env is None else env)
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(ENV[f.name])
            if raw is None or raw.strip() == "":
                continue
            if f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise ValueError(f"{ENV[f.name]} must be a whole number, got {raw!r}") from None
            elif f.name in ("data_file", "audit_log"):
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw.strip()
        settings = cls(**values)
        bad = [e for e in settings.trusted if _network(e) is None]
        if bad:
            raise ValueError(
                f"COURTDATA_TRUSTED_CALLERS: not an address or network: {', '.join(sorted(bad))}"
            )
        return settings


@lru_cache(maxsize=8)
def _networks(entries: frozenset[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """The trusted entries as networks (a single address is a /32 or /128); from_env refuses malformed ones."""
    return tuple(n for n in map(_network, entries) if n is not None)


def _network(entry: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None
