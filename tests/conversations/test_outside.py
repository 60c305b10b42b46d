"""The conversations written by someone who never saw the training data, against a model trained in the run.

Each must go right: the effects its writer expected happen (tests/conversations/runner.py). The
figures by category are printed by `benchmarks/conversations.py`.
"""

from __future__ import annotations

import pytest

from tests.conversations.runner import HERE, load, play

pytestmark = pytest.mark.slow
CONVERSATIONS = load(HERE / "outside")


@pytest.mark.parametrize("conversation", CONVERSATIONS, ids=[c["id"] for c in CONVERSATIONS])
def test_conversation(stack, conversation):
    outcome = play(stack, conversation, f"conv-{conversation['id']}")
    shown = "\n".join(f"  > {typed}\n    {said[:300]}" for typed, said in outcome.transcript)
    assert outcome.ok, f"{outcome.problems}\n{shown}"
