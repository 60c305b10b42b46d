"""Values a later turn needs in clear, kept server-side for a short time.

The tracker store masks phone and ID numbers when a turn ends (bot/stores.py), so a callback phone
given in one turn is masked by the time the citizen confirms the work order two turns later. The raw
value is therefore stashed here, keyed by conversation, in the shared KV store (Redis in production),
and expires on its own.
"""

from __future__ import annotations

import secrets
import string

from actions.settings import kv

TTL_SECONDS = 60 * 60


def stash(conversation_id: str, name: str, value: str, ttl: float = TTL_SECONDS) -> None:
    kv().set(f"stash:{conversation_id}:{name}", value, ttl)


def unstash(conversation_id: str, name: str) -> str | None:
    return kv().get(f"stash:{conversation_id}:{name}")


def drop(conversation_id: str, name: str) -> None:
    kv().delete(f"stash:{conversation_id}:{name}")


def seal(conversation_id: str, name: str, secret: str, ttl: float = TTL_SECONDS) -> str:
    """Keep `secret` server-side for this conversation; the returned reference is what a slot holds.

    A verification id or an access grant in a slot would travel with the tracker (exports, the desk's
    view, a copied tracker): the reference opens nothing outside the conversation it was issued in."""
    reference = reference_token()
    stash(conversation_id, f"sealed:{name}:{reference}", secret, ttl)
    return reference


def reference_token() -> str:
    """16 random lower-case letters (75 bits). Letters only: the tracker store masks runs of digits that look
    like phone or card numbers, and a hex token held one in about 65 cases (ef39594183253d77), so the slot
    came back masked and a citizen's right code was refused as expired."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(16))


def unseal(conversation_id: str, name: str, reference: object) -> str | None:
    """The secret behind a slot's reference, in the conversation that sealed it; None otherwise."""
    if not isinstance(reference, str) or not reference:
        return None
    return unstash(conversation_id, f"sealed:{name}:{reference}")
