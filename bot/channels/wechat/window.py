"""WeChat's customer-service window: when, and how many times, we may message a user unasked.

After a user's action WeChat grants a quota of customer-service messages (公众号客服消息下发额度,
rules since June 2023): a user message allows 5 messages within 48 hours, a menu click or a new
subscription 3 within 1 minute. Quotas do not add up; each new user message starts a fresh count.
Outside every grant WeChat answers 45015 (time) or 45047 (count), so we check first and fall back to
SMS instead of failing. Grants live in the KV store so every process counts the same sends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Grant:
    quota: int
    seconds: float


GRANTS = {
    "click": Grant(quota=3, seconds=60),
    "subscribe": Grant(quota=3, seconds=60),
    "message": Grant(quota=5, seconds=48 * 3600),
}
# Short grants are used first: they lapse within a minute anyway, sparing the 48-hour quota.
_ORDER = ("click", "subscribe", "message")
_SLACK = 3600  # extra KV lifetime so records outlive their window even with a skewed clock


class ServiceWindow:
    """Opens grants on user actions and hands out sends against them."""

    def __init__(self, kv, clock: Callable[[], float] = time.time) -> None:
        self._kv = kv
        self._clock = clock

    @staticmethod
    def _grant_key(openid: str, kind: str) -> str:
        return f"wechat:grant:{openid}:{kind}"

    @staticmethod
    def _used_key(openid: str, kind: str, grant_id: str) -> str:
        return f"wechat:used:{openid}:{kind}:{grant_id}"

    def open(self, openid: str, kind: str, grant_id: str) -> None:
        """Record a user action; `grant_id` (MsgId or CreateTime) makes a new action a new count."""
        grant = GRANTS[kind]
        expires = self._clock() + grant.seconds
        self._kv.set(self._grant_key(openid, kind), f"{grant_id}|{expires}", ttl=grant.seconds + _SLACK)

    def restore(self, openid: str, kind: str, grant_id: str, opened_at: float) -> None:
        """Re-open a grant from a queued turn when the KV store lost it (the in-process store of the
        embedded default forgets it in a restart): as opened at `opened_at`, never over a newer one."""
        grant = GRANTS[kind]
        expires = opened_at + grant.seconds
        if self._live(openid, kind) is None and expires > self._clock():
            ttl = expires - self._clock() + _SLACK
            self._kv.set_if_absent(self._grant_key(openid, kind), f"{grant_id}|{expires}", ttl=ttl)

    def _live(self, openid: str, kind: str) -> str | None:
        value = self._kv.get(self._grant_key(openid, kind))
        if not value:
            return None
        grant_id, expires = value.rsplit("|", 1)
        return grant_id if float(expires) > self._clock() else None

    def remaining(self, openid: str) -> int:
        """How many customer-service messages may still be sent now (without using any)."""
        total = 0
        for kind in _ORDER:
            grant_id = self._live(openid, kind)
            if grant_id is not None:
                used = int(self._kv.get(self._used_key(openid, kind, grant_id)) or 0)
                total += max(0, GRANTS[kind].quota - used)
        return total

    def consume(self, openid: str) -> bool:
        """Take one send from a live grant; False means WeChat would refuse it (use SMS instead)."""
        for kind in _ORDER:
            grant_id = self._live(openid, kind)
            if grant_id is None:
                continue
            grant = GRANTS[kind]
            used = self._kv.incr(self._used_key(openid, kind, grant_id), ttl=grant.seconds + _SLACK)
            if used <= grant.quota:
                return True
        return False
