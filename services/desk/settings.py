"""Settings of the work-order service, read once from the environment.

Everything a deployment may change lives here so that the factory `create_app(settings, store)` and the
store receive plain values and tests can build their own without touching `os.environ`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from kernel.retention import TrackerConfigError, tracker_db_url
from kernel.sms import DEFAULT_SIGN_NAME, DEFAULT_SPOOL


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _time(value: str | None, default: time) -> time:
    if not value:
        return default
    hours, minutes = value.split(":", 1)
    return time(int(hours), int(minutes))


def _tracker_db_url(env: dict[str, str]) -> str:
    """The SQL tracker store Rasa writes to, read from its endpoints file; empty when there is none."""
    path = Path(env.get("RASA_ENDPOINTS") or "endpoints.yml")
    if not path.is_file():
        return ""
    try:
        return tracker_db_url(path.read_text(encoding="utf-8"), env) or ""
    except TrackerConfigError:
        return ""  # a variable of that file is not set here: the retention job says it has no tracker store


DEFAULT_DEMO_PASSWORD = "demo12368"  # printed in README, docs and .env.example: never in production
MIN_SECRET_KEY = 32
MIN_DEMO_PASSWORD = 12


def _demo_mode(env: dict[str, str]) -> bool:
    return (env.get("COURT_MODE") or "").strip().lower() != "production"


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
    holidays_file: str = ""  # empty: the packaged services/desk/holidays.yml (domain/workdays.py)
    staff_token_minutes: int = 60
    seed_demo: bool = True
    demo_password: str = DEFAULT_DEMO_PASSWORD
    # Demo mode (COURT_MODE is anything but "production"): demo-only pages such as /dev/sms exist.
    demo: bool = True
    fault_hook: str = ""
    # Staff desk pages (cookie sessions).
    session_minutes: int = 480
    session_idle_minutes: int = 30
    cookie_secure: bool = False
    canned_replies: str = ""
    # 即将到期 view: deadlines within this many hours; 0 = by the end of the next working day.
    due_soon_hours: int = 0
    # How often the queue page asks for new orders (seconds).
    queue_poll_seconds: int = 15
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
    # SMS (kernel/sms.py) and the court-data service (case facts on the order page).
    sms_backend: str = "outbox"
    sms_outbox: str = "var/sms_outbox.jsonl"
    sms_http_url: str = ""
    sms_http_key: str = ""
    sms_sign_name: str = DEFAULT_SIGN_NAME
    sms_spool: str = DEFAULT_SPOOL
    court_api_url: str = "http://127.0.0.1:8010"
    court_api_key: str = ""
    court_client: str = ""  # module:factory of a real court-system adapter (configured by its own variables)
    # Shared counters (login throttle): Redis when set, else in-process.
    redis_url: str = ""
    # Callback phones at rest (db/phones.py): Fernet key; demo mode generates one into a 0600 file if unset.
    phone_key: str = ""
    phone_key_file: str = ""
    # The process: log level, waitress threads, how often overdue orders are flagged.
    log_level: str = "INFO"
    threads: int = 8
    overdue_sweep_seconds: float = 300.0
    # Retention (retention.py): personal data of orders closed longer ago, and conversation events in the
    # tracker store, are purged daily; 0 switches the job off. The tracker store's database URL: empty means
    # the SQL store named by RASA_ENDPOINTS (endpoints.yml: var/tracker.db).
    retention_days: int = 180
    tracker_db_url: str = ""

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
            # demo accounts: by default in demo mode only; production needs DESK_SEED_DEMO=true (and a password)
            seed_demo=_bool(env.get("DESK_SEED_DEMO"), _demo_mode(env)),
            demo_password=env.get("DESK_DEMO_PASSWORD") or defaults.demo_password,
            demo=_demo_mode(env),
            fault_hook=env.get("DESK_FAULT_HOOK", ""),
            session_minutes=int(env.get("DESK_SESSION_MINUTES") or defaults.session_minutes),
            session_idle_minutes=int(env.get("DESK_SESSION_IDLE_MINUTES") or defaults.session_idle_minutes),
            cookie_secure=_bool(env.get("DESK_COOKIE_SECURE"), defaults.cookie_secure),
            canned_replies=env.get("DESK_CANNED_REPLIES", ""),
            due_soon_hours=int(env.get("DESK_DUE_SOON_HOURS") or defaults.due_soon_hours),
            queue_poll_seconds=int(env.get("DESK_QUEUE_POLL_SECONDS") or defaults.queue_poll_seconds),
            rasa_url=(env.get("RASA_URL") or defaults.rasa_url).rstrip("/"),
            rasa_token=env.get("RASA_TOKEN", ""),
            channel_push_token=env.get("CHANNEL_PUSH_TOKEN", ""),
            push_read_timeout=float(env.get("DESK_PUSH_TIMEOUT") or defaults.push_read_timeout),
            handoff_wait_seconds=int(env.get("HANDOFF_WAIT_SECONDS") or defaults.handoff_wait_seconds),
            presence_seconds=int(env.get("DESK_PRESENCE_SECONDS") or defaults.presence_seconds),
            handoff_abandon_seconds=int(
                env.get("HANDOFF_ABANDON_SECONDS") or defaults.handoff_abandon_seconds
            ),
            handoff_sweep_seconds=float(
                env.get("DESK_HANDOFF_SWEEP_SECONDS") or defaults.handoff_sweep_seconds
            ),
            sms_backend=(env.get("SMS_BACKEND") or defaults.sms_backend).strip().lower(),
            sms_outbox=env.get("SMS_OUTBOX") or defaults.sms_outbox,
            sms_http_url=env.get("SMS_HTTP_URL", ""),
            sms_http_key=env.get("SMS_HTTP_KEY", ""),
            sms_sign_name=env.get("SMS_SIGN_NAME") or defaults.sms_sign_name,
            sms_spool=env.get("SMS_SPOOL", defaults.sms_spool),
            court_api_url=(env.get("COURT_API_URL") or defaults.court_api_url).rstrip("/"),
            court_api_key=env.get("COURT_API_KEY", ""),
            court_client=env.get("COURT_CLIENT", "").strip(),
            redis_url=env.get("REDIS_URL", "").strip(),
            phone_key=env.get("DESK_PHONE_KEY", "").strip(),
            phone_key_file=env.get("DESK_PHONE_KEY_FILE", ""),
            log_level=(env.get("DESK_LOG_LEVEL") or defaults.log_level).upper(),
            threads=int(env.get("DESK_THREADS") or defaults.threads),
            overdue_sweep_seconds=float(
                env.get("DESK_OVERDUE_SWEEP_SECONDS") or defaults.overdue_sweep_seconds
            ),
            retention_days=int(env.get("RETENTION_DAYS") or defaults.retention_days),
            tracker_db_url=env.get("RETENTION_TRACKER_DB_URL", "").strip() or _tracker_db_url(env),
        )

    def production_problems(self) -> list[str]:
        """Why the desk must not start in production mode (empty in demo mode or when all is well)."""
        if self.demo:
            return []
        problems = []
        if len(self.secret_key) < MIN_SECRET_KEY:
            problems.append(
                f"DESK_SECRET_KEY 未设置或少于{MIN_SECRET_KEY}个字符"
                "（生产模式必须设置随机长密钥，例如 python -c 'import secrets; print(secrets.token_hex(32))'）"
            )
        if self.seed_demo and (
            self.demo_password == DEFAULT_DEMO_PASSWORD or len(self.demo_password) < MIN_DEMO_PASSWORD
        ):
            problems.append(
                f"DESK_SEED_DEMO=true 时 DESK_DEMO_PASSWORD 不能是公开的演示密码，且至少{MIN_DEMO_PASSWORD}位"
                "（生产模式请设置 DESK_SEED_DEMO=false 并由管理员创建账号）"
            )
        if not self.phone_key:
            problems.append(
                'DESK_PHONE_KEY 未设置（回电号码加密密钥，生成：python -c "from cryptography.fernet '
                'import Fernet; print(Fernet.generate_key().decode())"）'
            )
        return problems
