"""Login throttling: after repeated failures an account (and an address) must wait before trying again.

Counters live in `kernel/kv.py` (Redis when REDIS_URL is set, else in process), keyed by username and by
client address, so guessing passwords through the page and through the API count together.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.kv import KV

USER_LIMIT = 5
ADDRESS_LIMIT = 20
WINDOW_SECONDS = 15 * 60
REFUSED = "登录失败次数过多，请15分钟后再试，或联系管理员。"


class TooManyAttempts(PermissionError):
    """Refused before checking the password; the message is shown as is."""


@dataclass
class LoginThrottle:
    kv: KV
    user_limit: int = USER_LIMIT
    address_limit: int = ADDRESS_LIMIT
    window: int = WINDOW_SECONDS

    def _keys(self, username: str, address: str) -> tuple[str, str]:
        return f"desk:login-fail:user:{username.lower()[:64]}", f"desk:login-fail:addr:{address[:64]}"

    def check(self, username: str, address: str) -> None:
        user_key, address_key = self._keys(username, address)
        if (
            int(self.kv.get(user_key) or 0) >= self.user_limit
            or int(self.kv.get(address_key) or 0) >= self.address_limit
        ):
            raise TooManyAttempts(REFUSED)

    def failed(self, username: str, address: str) -> None:
        for key in self._keys(username, address):
            self.kv.incr(key, ttl=self.window)

    def succeeded(self, username: str, address: str) -> None:
        self.kv.delete(self._keys(username, address)[0])
