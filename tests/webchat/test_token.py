"""The session token: only this server can bind a conversation id to a browser, and only for a while."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.webchat.token import SessionSigner, TokenError

SECRET = "a-long-enough-secret-for-tests"
NOW = 1_800_000_000.0
SID = "0123456789abcdef0123456789abcdef"
OTHER = "fedcba9876543210fedcba9876543210"


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def signer(clock: Clock | None = None, secret: str = SECRET, ttl: int = 3600) -> SessionSigner:
    return SessionSigner(secret, ttl, clock or Clock())


def test_issued_session_verifies_and_ids_differ() -> None:
    s = signer()
    first, second = s.issue(), s.issue()
    assert s.verify(first.session_id, first.token) is None
    assert first.session_id != second.session_id
    assert first.expires_at == int(NOW) + 3600


def _flip_last(token: str) -> str:
    return token[:-1] + ("0" if token[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("case", "make", "expected"),
    [
        ("valid", lambda t: (SID, t), None),
        ("no token", lambda t: (SID, None), TokenError.MISSING),
        ("empty token", lambda t: (SID, ""), TokenError.MISSING),
        ("no session id", lambda t: (None, t), TokenError.MISSING),
        ("token of another id", lambda t: (OTHER, t), TokenError.FORGED),
        ("last hex digit changed", lambda t: (SID, _flip_last(t)), TokenError.FORGED),
        (
            "expiry pushed later",
            lambda t: (SID, t.replace(f".{int(NOW) + 3600}.", f".{int(NOW) + 99999}.")),
            TokenError.FORGED,
        ),
        ("upper-case id", lambda t: (SID.upper(), t), TokenError.MALFORMED),
        ("id with a path", lambda t: ("../" + SID, t), TokenError.MALFORMED),
        ("id not a string", lambda t: (12345, t), TokenError.MALFORMED),
        ("token not a string", lambda t: (SID, {"sig": t}), TokenError.MALFORMED),
        ("unknown version", lambda t: (SID, "v2" + t[2:]), TokenError.MALFORMED),
        ("truncated signature", lambda t: (SID, t[:-2]), TokenError.MALFORMED),
    ],
)
def test_verify_table(case: str, make, expected: TokenError | None) -> None:
    s = signer()
    session_id, token = make(s.sign(SID).token)
    assert s.verify(session_id, token) == expected, case


@pytest.mark.parametrize(
    ("seconds_later", "expected"),
    [(0, None), (3599, None), (3600, TokenError.EXPIRED), (10**6, TokenError.EXPIRED)],
)
def test_expiry(seconds_later: int, expected: TokenError | None) -> None:
    clock = Clock()
    s = signer(clock)
    token = s.sign(SID).token
    clock.now = NOW + seconds_later
    assert s.verify(SID, token) == expected


def test_token_of_another_secret_is_forged() -> None:
    token = signer(secret="another-secret-of-this-length").sign(SID).token
    assert signer().verify(SID, token) == TokenError.FORGED


def test_forged_check_comes_before_expiry() -> None:
    """A forged token is refused as forged, whatever expiry it claims: nothing is learnt from it."""
    clock = Clock()
    token = _flip_last(signer(clock).sign(SID).token)
    clock.now = NOW + 10**6
    assert signer(clock).verify(SID, token) == TokenError.FORGED


@pytest.mark.parametrize(("secret", "ttl"), [("short", 3600), ("", 3600), (SECRET, 0), (SECRET, -5)])
def test_refuses_weak_configuration(secret: str, ttl: int) -> None:
    with pytest.raises(ValueError):
        SessionSigner(secret, ttl)


@given(st.text(max_size=80))
def test_arbitrary_tokens_never_verify(token: str) -> None:
    assert signer().verify(SID, token) is not None
