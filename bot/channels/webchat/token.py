"""Server-signed session tokens for the web chat.

Rasa's socket.io channel lets a client name any conversation id (`session_persistence`), so anyone who
learns an id can read and write that conversation. The web chat instead hands out the id together
with a token that only this server can produce: HMAC-SHA256 over the id and an expiry time, keyed by
WEBCHAT_SECRET. A token proves "the server issued this very id to the bearer" and nothing else; it
is stateless, so no session table is needed and restarts keep conversations as long as the secret
stays the same.

Token format: ``v1.<expires_at unix seconds>.<hex HMAC-SHA256("webchat.v1|<session_id>|<expires_at>")>``
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

MIN_SECRET_LENGTH = 16
DEFAULT_TTL_SECONDS = 7 * 24 * 3600
_SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
_TOKEN = re.compile(r"^v1\.([0-9]{1,12})\.([0-9a-f]{64})$")


class TokenError(str, Enum):
    """Why a token was refused; the value is the code sent to the page."""

    MISSING = "missing"
    MALFORMED = "malformed"
    FORGED = "forged"
    EXPIRED = "expired"


@dataclass(frozen=True)
class IssuedSession:
    session_id: str
    token: str
    expires_at: int

    def as_dict(self) -> dict[str, object]:
        return {"session_id": self.session_id, "token": self.token, "expires_at": self.expires_at}


class SessionSigner:
    """Issues and checks session tokens. `clock` is injectable so expiry is testable without sleeping."""

    def __init__(
        self,
        secret: str,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"WEBCHAT_SECRET must be at least {MIN_SECRET_LENGTH} characters long")
        if ttl_seconds <= 0:
            raise ValueError("the web chat token lifetime must be positive")
        self._key = secret.encode("utf-8")
        self.ttl_seconds = ttl_seconds
        self._clock = clock

    def _signature(self, session_id: str, expires_at: int) -> str:
        message = f"webchat.v1|{session_id}|{expires_at}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def sign(self, session_id: str) -> IssuedSession:
        """A fresh token for `session_id`, valid for the configured lifetime from now."""
        expires_at = int(self._clock()) + self.ttl_seconds
        token = f"v1.{expires_at}.{self._signature(session_id, expires_at)}"
        return IssuedSession(session_id, token, expires_at)

    def issue(self) -> IssuedSession:
        """A brand-new conversation id (random, unguessable) with its token."""
        return self.sign(uuid.uuid4().hex)

    def verify(self, session_id: object, token: object) -> TokenError | None:
        """None when `token` was issued by this server for exactly `session_id` and has not expired."""
        if not session_id or not token:
            return TokenError.MISSING
        if not isinstance(session_id, str) or not isinstance(token, str) or not _SESSION_ID.match(session_id):
            return TokenError.MALFORMED
        match = _TOKEN.match(token)
        if not match:
            return TokenError.MALFORMED
        expires_at = int(match.group(1))
        expected = self._signature(session_id, expires_at)
        if not hmac.compare_digest(expected, match.group(2)):
            return TokenError.FORGED
        if expires_at <= self._clock():
            return TokenError.EXPIRED
        return None


def ephemeral_secret() -> str:
    """A per-process secret for demos without WEBCHAT_SECRET (conversations then end with the process)."""
    return secrets.token_urlsafe(32)
