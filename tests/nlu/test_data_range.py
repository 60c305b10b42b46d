"""The training data has range, not template permutations (issue 9): enough examples per label, and no two
examples so alike that one teaches nothing the other does not (character 3-gram Jaccard > 0.8)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from kernel.names import CASE_SPECIFIC_INTENTS, FAQ_KEYS
from tests.nlu.test_training_data import training

NEAR = 0.8
SMALL_TALK = ("greet", "goodbye", "thank", "affirm", "deny", "bot_challenge")
MINIMUM = {
    **{intent: 250 for intent in (*CASE_SPECIFIC_INTENTS, "inform", "legal_advice", "out_of_scope")},
    **{f"faq/{key}": 40 for key in FAQ_KEYS},
    **{intent: 40 for intent in SMALL_TALK},
}


def label(message) -> str:
    return message.get("intent_response_key") or message.get("intent")


def grams(text: str) -> frozenset[str]:
    text = "".join(ch for ch in text.lower() if not ch.isspace())
    return frozenset(text[i : i + 3] for i in range(max(1, len(text) - 2)))


def near_duplicates(texts: list[str], threshold: float = NEAR) -> list[tuple[str, str, float]]:
    """Pairs above the threshold, found through an inverted index of 3-grams (no all-pairs scan)."""
    sets = [grams(t) for t in texts]
    index: dict[str, list[int]] = defaultdict(list)
    found = []
    for i, g in enumerate(sets):
        shared = Counter(j for gram in g for j in index[gram])
        for j, common in shared.items():
            score = common / len(g | sets[j])
            if score > threshold:
                found.append((texts[j], texts[i], round(score, 2)))
        for gram in g:
            index[gram].append(i)
    return found


@pytest.mark.parametrize(("name", "minimum"), sorted(MINIMUM.items()))
def test_every_label_has_enough_examples(name, minimum):
    assert Counter(label(m) for m in training().intent_examples)[name] >= minimum


def test_no_two_training_examples_are_near_duplicates():
    assert near_duplicates([m.get("text") for m in training().intent_examples]) == []


def test_the_check_finds_a_template_permutation():
    texts = ["我想查一下我的案子到哪一步了", "我想查一下我的案子到哪一步啦", "诉讼费怎么交"]
    assert [(a, b) for a, b, _ in near_duplicates(texts)] == [(texts[0], texts[1])]
