"""A sealed reference in a slot comes back from the masking tracker store unchanged.

Found by the blind conversations: about one verification in 65 had a hex reference with a run of digits that
the store masks as a phone or card number (ef395****3253d77), so the citizen's right code was refused as
expired. The references are letters now; this checks the effect through the store's own masking.
"""

from __future__ import annotations

from actions.stash import seal, unseal
from bot.stores import mask_events
from kernel.names import Slot


def test_a_thousand_verification_references_survive_the_tracker_stores_masking():
    refused = 0
    for n in range(1000):
        reference = seal("conv-sealed", "verification", f"verification-{n}")
        stored = mask_events([{"event": "slot", "name": Slot.CP_VERIFICATION, "value": reference}])[0]
        refused += unseal("conv-sealed", "verification", stored["value"]) != f"verification-{n}"
    assert refused == 0
