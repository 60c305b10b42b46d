"""Settings of the work-order service, read once from the environment.

Everything a deployment may change lives here so that the factory `create_app(settings, store)` and the
store receive plain values and tests can build their own without touching `os.environ`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _time(value: str | None, default: time) -> time:
    if not value:
        return default
    hours, minutes = value.split(":", 1)
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class DeskSettings:
    """Values the service needs; defaults give the one-command demo run."""

    database_url: str = "sqlite:///var/desk.db"
    api_token: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8020
    timezone: str = "Asia/Shanghai"
    number_prefix: str = "GD"
    first_contact_days: int = 1
    answer_days: int = 2
    workday_end: time = time(17, 30)
    holidays_file: str = ""  # empty: the packaged services/desk/holidays.yml (workdays.py)
    staff_token_minutes: int = 480
    seed_demo: bool = True
    demo_password: str = "demo12368"
    # Demo mode (COURT_MODE is anything but "production"): demo-only pages such as /dev/sms exist.
    demo: bool = True
    fault_hook: str = ""
    # Staff desk pages (cookie sessions).
    session_minutes: int = 480
    session_idle_minutes: int = 60
    cookie_secure: bool = False
    canned_replies: str = ""
    # The Rasa server and the channels' staff push (live handoff, reply delivery).
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    channel_push_token: str = ""
    push_connect_timeout: float = 1.0
    push_read_timeout: float = 6.0
    # Live handoff.
    handoff_wait_seconds: int = 120
    presence_seconds: int = 30
    handoff_abandon_seconds: int = 300
    handoff_sweep_seconds: float = 5.0
    # SMS (services/sms.py) and the court-data service (case facts on the order page).
    sms_backend: str = "outbox"
    sms_outbox: str = "var/sms_outbox.jsonl"
    court_api_url: str = "http://127.0.0.1:8010"
    court_api_key: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> DeskSettings:
        """Build settings from DESK_* variables (see docs/workorders.md)."""
        env = dict(os.environ if env is None else env)
        defaults = cls()
        return cls(
            database_url=env.get("DESK_DATABASE_URL") or defaults.database_url,
            api_token=env.get("DESK_API_TOKEN", ""),
            secret_key=env.get("DESK_SECRET_KEY", ""),
            host=env.get("DESK_HOST") or defaults.host,
            port=int(env.get("DESK_PORT") or defaults.port),
            timezone=env.get("DESK_TIMEZONE") or defaults.timezone,
            number_prefix=env.get("DESK_NUMBER_PREFIX") or defaults.number_prefix,
            first_contact_days=int(env.get("DESK_FIRST_CONTACT_DAYS") or defaults.first_contact_days),
            answer_days=int(env.get("DESK_ANSWER_DAYS") or defaults.answer_days),
            workday_end=_time(env.get("DESK_WORKDAY_END"), defaults.workday_end),
            holidays_file=env.get("DESK_HOLIDAYS", ""),
            staff_token_minutes=int(env.get("DESK_STAFF_TOKEN_MINUTES") or defaults.staff_token_minutes),
            seed_demo=_bool(env.get("DESK_SEED_DEMO"), defaults.seed_demo),
            demo_password=env.get("DESK_DEMO_PASSWORD") or defaults.demo_password,
            demo=(env.get("COURT_MODE") or "").strip().lower() != "production",
            fault_hook=env.get("DESK_FAULT_HOOK", ""),
            session_minutes=int(env.get("DESK_SESSION_MINUTES") or defaults.session_minutes),
            session_idle_minutes=int(env.get("DESK_SESSION_IDLE_MINUTES") or defaults.session_idle_minutes),
            cookie_secure=_bool(env.get("DESK_COOKIE_SECURE"), defaults.cookie_secure),
            canned_replies=env.get("DESK_CANNED_REPLIES", ""),
            rasa_url=(env.get("RASA_URL") or defaults.rasa_url).rstrip("/"),
            rasa_token=env.get("RASA_TOKEN", ""),
            channel_push_token=env.get("CHANNEL_PUSH_TOKEN", ""),
            push_read_timeout=float(env.get("DESK_PUSH_TIMEOUT") or defaults.push_read_timeout),
            handoff_wait_seconds=int(env.get("HANDOFF_WAIT_SECONDS") or defaults.handoff_wait_seconds),
            presence_seconds=int(env.get("DESK_PRESENCE_SECONDS") or defaults.presence_seconds),
            handoff_abandon_seconds=int(env.get("HANDOFF_ABANDON_SECONDS") or defaults.handoff_abandon_seconds),
            handoff_sweep_seconds=float(env.get("DESK_HANDOFF_SWEEP_SECONDS") or defaults.handoff_sweep_seconds),
            sms_backend=(env.get("SMS_BACKEND") or defaults.sms_backend).strip().lower(),
            sms_outbox=env.get("SMS_OUTBOX") or defaults.sms_outbox,
            court_api_url=(env.get("COURT_API_URL") or defaults.court_api_url).rstrip("/"),
            court_api_key=env.get("COURT_API_KEY", ""),
        )
