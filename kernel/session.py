"""What a new session keeps of the one before: shared by the action server's session start
(actions/core.py) and the Rasa process's own (bot/local_actions.py), so both start sessions alike.

Nothing is carried over but the order whose staff reply is the latest thing in the conversation
(`supplement_order`, no personal data): a reply often comes hours after the citizen's last message
(actions/supplement.py). So a verification ends with its session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kernel.names import Slot

CARRIED_OVER: tuple[str, ...] = (Slot.SUPPLEMENT_ORDER,)


def carried_over(get_slot: Callable[[str], Any]) -> dict[str, Any]:
    """The slots (name → value) a new session sets again: those of CARRIED_OVER that hold a value."""
    return {name: value for name in CARRIED_OVER if (value := get_slot(name))}
