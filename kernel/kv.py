"""A tiny key-value store with expiry: in-process by default, Redis in production.

One-time codes, lookup rate limits, WeChat message de-duplication and the WeChat access
token must be shared by every process of a deployment, so they live behind this seam:
`MemoryKV` for the one-command run and single-process tests, `RedisKV` when `REDIS_URL`
is set. Both offer the same four atomic operations, which is all those features need.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class KV(Protocol):
    """The operations the features above rely on."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, ttl: float | None = None) -> None: ...

    def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool: ...

    def incr(self, key: str, ttl: float | None = None) -> int: ...

    def delete(self, key: str) -> None: ...


class MemoryKV:
    """Thread-safe in-process store; expiry is checked lazily on access."""

    def __init__(self, clock=time.monotonic) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self._clock():
            del self._data[key]
            return None
        return value

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self._clock() + ttl

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        with self._lock:
            self._data[key] = (value, self._expiry(ttl))

    def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._data[key] = (value, self._expiry(ttl))
            return True

    def incr(self, key: str, ttl: float | None = None) -> int:
        """Increment; the expiry is set when the counter is created, like INCR + EXPIRE NX."""
        with self._lock:
            current = self._live(key)
            if current is None:
                self._data[key] = ("1", self._expiry(ttl))
                return 1
            _, expires = self._data[key]
            value = int(current) + 1
            self._data[key] = (str(value), expires)
            return value

    def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)


class RedisKV:
    """The same operations on Redis, so several processes share one view."""

    def __init__(self, url: str, prefix: str = "court:") -> None:
        import redis  # imported here: no I/O or heavy import at module import time

        self._redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=3)
        self._prefix = prefix

    def _k(self, key: str) -> str:
        return self._prefix + key

    def get(self, key: str) -> str | None:
        return self._redis.get(self._k(key))

    def set(self, key: str, value: str, ttl: float | None = None) -> None:
        self._redis.set(self._k(key), value, px=None if ttl is None else int(ttl * 1000))

    def set_if_absent(self, key: str, value: str, ttl: float | None = None) -> bool:
        px = None if ttl is None else int(ttl * 1000)
        return bool(self._redis.set(self._k(key), value, nx=True, px=px))

    def incr(self, key: str, ttl: float | None = None) -> int:
        pipe = self._redis.pipeline()
        pipe.incr(self._k(key))
        if ttl is not None:
            pipe.expire(self._k(key), max(1, int(ttl)), nx=True)
        value, *_ = pipe.execute()
        return int(value)

    def delete(self, key: str) -> None:
        self._redis.delete(self._k(key))


_default: KV | None = None
_default_lock = threading.Lock()


def kv_from_url(url: str) -> KV:
    """A new store: Redis at `url`, or an in-process one when `url` is empty (the one-command run)."""
    url = url.strip()
    return RedisKV(url) if url else MemoryKV()


def shared_kv(url: str) -> KV:
    """The process-wide store, created on first use from `url` (a process's settings hold it, e.g.
    REDIS_URL): every feature of a process must see the same counters, so later calls return that one."""
    global _default
    with _default_lock:
        if _default is None:
            _default = kv_from_url(url)
        return _default
