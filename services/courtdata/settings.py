"""Settings of the court-data service, read from COURTDATA_* environment variables (defaults in one place)."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_FILE = Path(__file__).with_name("demo_data.json")
ENV = {  # field -> environment variable
    "data_file": "COURTDATA_FILE", "host": "COURTDATA_HOST", "port": "COURTDATA_PORT",
    "api_key": "COURTDATA_API_KEY", "otp_ttl": "COURTDATA_OTP_TTL", "token_ttl": "COURTDATA_TOKEN_TTL",
    "max_attempts": "COURTDATA_MAX_ATTEMPTS", "lock_seconds": "COURTDATA_LOCK_SECONDS",
    "resend_seconds": "COURTDATA_RESEND_SECONDS", "sms_daily_limit": "COURTDATA_SMS_DAILY_LIMIT",
    "rate_limit": "COURTDATA_RATE_LIMIT", "fault": "COURTDATA_FAULT", "threads": "COURTDATA_THREADS",
    "sms_sign": "COURTDATA_SMS_SIGN",
}


@dataclass(frozen=True)
class Settings:
    """Why each default: a code lives 5 minutes, a grant 30 (one conversation), three tries then 30 minutes."""

    data_file: Path = DEFAULT_FILE
    host: str = "127.0.0.1"
    port: int = 8010
    api_key: str = ""  # empty: no bearer key required (local demo); the admin fault switch is then off
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
            elif f.name == "data_file":
                values[f.name] = Path(raw)
            else:
                values[f.name] = raw.strip()
        return cls(**values)
