"""De-duplication of WeChat's retries (it sends a callback again when it hears nothing for 5 s)."""

from __future__ import annotations

from kernel.kv import KV


class Deduper:
    """One turn per WeChat message across processes. The record also keeps the passive reply, so a
    retry that arrives after the turn (WeChat lost our answer) gets the same answer, not a new turn;
    and while a turn runs it names the process that runs it, so a retry can tell a stopped one."""

    PROCESSING, ASYNC, PASSIVE = "processing:", "async", "passive:"

    def __init__(self, kv: KV, ttl: float) -> None:
        self._kv = kv
        self._ttl = ttl

    def claim(self, key: str, owner: str) -> str | None:
        """None if this process owns the message now; otherwise the existing record."""
        if self._kv.set_if_absent(f"wechat:dedupe:{key}", self.PROCESSING + owner, ttl=self._ttl):
            return None
        return self._kv.get(f"wechat:dedupe:{key}") or self.PROCESSING

    def finish(self, key: str, record: str) -> None:
        self._kv.set(f"wechat:dedupe:{key}", record, ttl=self._ttl)

    def release(self, key: str) -> None:
        """Give a claim back (the turn was not accepted after all); best effort."""
        try:
            self._kv.delete(f"wechat:dedupe:{key}")
        except Exception:  # the KV store failing too: the claim expires with its TTL
            pass

    def mark_retried(self, key: str) -> None:
        self._kv.set(f"wechat:retried:{key}", "1", ttl=self._ttl)

    def retried(self, key: str) -> bool:
        return self._kv.get(f"wechat:retried:{key}") is not None

    def take_over(self, key: str, owner: str) -> bool:
        """Only one retry takes over a stopped process's turn."""
        return self._kv.set_if_absent(f"wechat:takeover:{key}", owner, ttl=self._ttl)

    def clear_retried(self, key: str) -> None:
        """The retry that took a turn over is the connection WeChat waits on now: it may answer
        passively, so the mark its own arrival left goes (a later retry sets it again)."""
        self._kv.delete(f"wechat:retried:{key}")
