"""Everything the actions need from the environment, read once per process into one frozen object.

The kernel's clients and stores take plain values; this module is where the action server's process reads
its variables (on first use, never at import, so importing an action reads nothing) and where it keeps the
objects that must be shared by every action of the process: one court-data client (one connection pool) and
one KV store. Tests build their own with `ActionSettings.from_env({...})` and install it with `configure`.
A malformed number stops the start with the variable's name (bot/action_server.py asks `start_problems`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from kernel.clients.court import (
    CONNECT_TIMEOUT,
    DEADLINE,
    DEFAULT_URL,
    READ_TIMEOUT,
    AsyncCourtClient,
    make_client,
)
from kernel.clients.workorders import WorkOrderClient
from kernel.court import load_court_settings
from kernel.kv import KV, shared_kv

DEFAULT_DESK_URL = "http://127.0.0.1:8020"
T = TypeVar("T", int, float)


class SettingsError(ValueError):
    """A variable holds a value the actions cannot use; the message names it."""


def _number(env: Mapping[str, str], name: str, default: T, kind: Callable[[str], T]) -> T:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw!r}") from None


@dataclass(frozen=True)
class ActionSettings:
    """The action server's values; the defaults are those of the one-command demo run (.env.example)."""

    court_api_url: str = DEFAULT_URL
    court_api_key: str = ""
    court_connect_timeout: float = CONNECT_TIMEOUT
    court_read_timeout: float = READ_TIMEOUT
    court_deadline: float = DEADLINE
    court_client: str = ""  # module:factory of another court system's adapter
    desk_url: str = DEFAULT_DESK_URL
    desk_api_token: str = ""
    redis_url: str = ""  # empty: an in-process store
    debtor_limit_per_conversation: int = 5
    debtor_limit_per_day: int = 10
    # lookups of one name+ID (or organisation+credit code) per day across every client: an enumeration brake
    debtor_limit_per_identity: int = 20
    court_settings: str = ""  # empty: kernel/court.yml
    production: bool = False
    # handed to a COURT_CLIENT adapter, which reads its own variables; not compared, not shown
    adapter_env: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ActionSettings:
        """Read the variables of `env` (default: the process environment); SettingsError names a bad one."""
        env = dict(os.environ if env is None else env)
        d = cls()
        return cls(
            court_api_url=(env.get("COURT_API_URL") or "").strip() or d.court_api_url,
            court_api_key=env.get("COURT_API_KEY", "").strip(),
            court_connect_timeout=_number(env, "COURT_CONNECT_TIMEOUT", d.court_connect_timeout, float),
            court_read_timeout=_number(env, "COURT_READ_TIMEOUT", d.court_read_timeout, float),
            court_deadline=_number(env, "COURT_DEADLINE", d.court_deadline, float),
            court_client=env.get("COURT_CLIENT", "").strip(),
            desk_url=(env.get("DESK_URL") or "").strip() or d.desk_url,
            desk_api_token=env.get("DESK_API_TOKEN", "").strip(),
            redis_url=env.get("REDIS_URL", "").strip(),
            debtor_limit_per_conversation=_number(
                env, "DEBTOR_LIMIT_PER_CONVERSATION", d.debtor_limit_per_conversation, int
            ),
            debtor_limit_per_day=_number(env, "DEBTOR_LIMIT_PER_DAY", d.debtor_limit_per_day, int),
            debtor_limit_per_identity=_number(
                env, "DEBTOR_LIMIT_PER_IDENTITY", d.debtor_limit_per_identity, int
            ),
            court_settings=env.get("COURT_SETTINGS", "").strip(),
            production=(env.get("COURT_MODE") or "").strip().lower() == "production",
            adapter_env=env,
        )

    def production_problems(self) -> list[str]:
        """Why the action server must not start in production mode (empty in demo mode or when all is well):
        the demo run generates these secrets, a production deployment must set its own."""
        if not self.production:
            return []
        problems = []
        if not self.desk_api_token:
            problems.append(
                "DESK_API_TOKEN is not set (COURT_MODE=production): the work-order service "
                "refuses the actions without its API token"
            )
        if not self.court_api_key and not self.court_client:
            problems.append(
                "COURT_API_KEY is not set (COURT_MODE=production): the court-data service must "
                "not be called without its key"
            )
        return problems


_lock = threading.Lock()
_settings: ActionSettings | None = None
_court: AsyncCourtClient | None = None


def configure(settings: ActionSettings | None) -> None:
    """Install `settings` as the process's (None: read the environment again on next use); drops the shared
    court client so the next action builds one from them. The KV store stays: it holds live counters."""
    global _settings, _court
    with _lock:
        _settings, _court = settings, None


def settings() -> ActionSettings:
    """The process's settings, read from the environment on first use."""
    global _settings
    with _lock:
        if _settings is None:
            _settings = ActionSettings.from_env()
        return _settings


def start_problems() -> list[str]:
    """What stops the action server at start: a malformed variable, or a missing secret in production."""
    try:
        return settings().production_problems()
    except SettingsError as exc:
        return [str(exc)]


def shared_client() -> AsyncCourtClient:
    """The process's one court-data client (one connection pool), created on first use."""
    global _court
    current = settings()
    with _lock:
        if _court is None:
            client = make_client(
                current.court_api_url,
                current.court_api_key,
                current.court_connect_timeout,
                current.court_read_timeout,
                adapter=current.court_client,
                adapter_env=current.adapter_env,
            )
            _court = AsyncCourtClient(client, current.court_deadline)
        return _court


def workorder_client() -> WorkOrderClient:
    """A client of the work-order service (a new session per action run, as the calls are few)."""
    current = settings()
    return WorkOrderClient(current.desk_url, current.desk_api_token)


def kv() -> KV:
    """The process-wide KV store (Redis when REDIS_URL is set), shared with anything else in the process."""
    return shared_kv(settings().redis_url)


def court_info() -> dict[str, str]:
    """Hours, address and phone of the court being served (COURT_SETTINGS), for the responses' slots."""
    return load_court_settings(settings().court_settings)


def debtor_limits() -> tuple[int, int, int]:
    """Dishonest-debtor lookups allowed (per conversation, per client a day, per searched identity a day)."""
    current = settings()
    return (
        current.debtor_limit_per_conversation,
        current.debtor_limit_per_day,
        current.debtor_limit_per_identity,
    )
