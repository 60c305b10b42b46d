"""State of the WeChat stand-in: issued access tokens, customer-service windows, delivered messages."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field

# The same grants WeChat applies (see bot/channels/wechat_window.py for the source of the figures).
GRANTS = {"message": (5, 48 * 3600.0), "click": (3, 60.0), "subscribe": (3, 60.0)}
OLD_TOKEN_GRACE = 300.0  # WeChat keeps the previous access_token valid for 5 minutes


@dataclass
class _Grant:
    grant_id: str
    expires: float
    quota: int
    used: int = 0


@dataclass
class StubStore:
    """Thread-safe in-memory state; one per stand-in process (tests make their own)."""

    tokens: dict[str, float] = field(default_factory=dict)  # token -> expires_at
    current: str | None = None
    token_requests: int = 0
    messages: list[dict] = field(default_factory=list)
    _grants: dict[str, dict[str, _Grant]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def issue_token(self, now: float, expires_in: int) -> str:
        with self._lock:
            self.token_requests += 1
            if self.current in self.tokens:
                self.tokens[self.current] = min(self.tokens[self.current], now + OLD_TOKEN_GRACE)
            token = secrets.token_urlsafe(48)
            self.tokens[token] = now + expires_in
            self.current = token
            return token

    def token_state(self, token: str, now: float) -> str:
        """ "valid", "expired" or "invalid"."""
        with self._lock:
            expires = self.tokens.get(token)
        if expires is None:
            return "invalid"
        return "valid" if now < expires else "expired"

    def expire_tokens(self) -> None:
        """Test hook: WeChat may revoke a token early (e.g. the secret was reset)."""
        with self._lock:
            for token in self.tokens:
                self.tokens[token] = 0.0

    def record_interaction(self, openid: str, kind: str, grant_id: str, now: float) -> None:
        """A user action seen by WeChat: opens (or renews) the customer-service grant of its kind."""
        quota, seconds = GRANTS[kind]
        with self._lock:
            grants = self._grants.setdefault(openid, {})
            old = grants.get(kind)
            if old is None or old.grant_id != grant_id:
                grants[kind] = _Grant(grant_id, now + seconds, quota)

    def use_grant(self, openid: str, now: float) -> int:
        """0 if a send is allowed (and counted); else WeChat's errcode 45015 (time) or 45047 (count)."""
        with self._lock:
            live = [g for g in self._grants.get(openid, {}).values() if g.expires > now]
            if not live:
                return 45015
            for grant in sorted(live, key=lambda g: g.expires):
                if grant.used < grant.quota:
                    grant.used += 1
                    return 0
            return 45047

    def deliver(self, message: dict) -> dict:
        with self._lock:
            message = {**message, "seq": len(self.messages) + 1}
            self.messages.append(message)
            return message

    def delivered(self, touser: str | None = None, after: int = 0) -> list[dict]:
        with self._lock:
            return [
                m for m in self.messages if m["seq"] > after and (touser is None or m["touser"] == touser)
            ]
