"""Values a later turn needs in clear, kept server-side for a short time.

The tracker store masks phone and ID numbers when a turn ends (bot/stores.py), so a callback phone
given in one turn is masked by the time the citizen confirms the work order two turns later. The raw
value is therefore stashed here, keyed by conversation, in the shared KV store (Redis in production),
and expires on its own.
"""

from __future__ import annotations

from actions.settings import kv

TTL_SECONDS = 60 * 60


def stash(conversation_id: str, name: str, value: str, ttl: float = TTL_SECONDS) -> None:
    kv().set(f"stash:{conversation_id}:{name}", value, ttl)


def unstash(conversation_id: str, name: str) -> str | None:
    return kv().get(f"stash:{conversation_id}:{name}")


def drop(conversation_id: str, name: str) -> None:
    kv().delete(f"stash:{conversation_id}:{name}")
