"""Names used in code exist in domain.yml, and every custom action the domain lists is served."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kernel import names

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
CONTRACT = (
    yaml.safe_load((ROOT.parent / "shared" / "contract" / "nlu.yml").read_text(encoding="utf-8"))
    if (ROOT.parent / "shared" / "contract" / "nlu.yml").exists()
    else None
)


def constants(cls) -> dict[str, str]:
    return {k: v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str)}


@pytest.mark.parametrize("name", sorted(set(constants(names.Intent).values()) - {"nlu_fallback"}))
def test_intent_is_in_domain(name):
    assert name in DOMAIN["intents"]


@pytest.mark.parametrize("name", sorted(constants(names.Entity).values()))
def test_entity_is_in_domain(name):
    assert name in DOMAIN["entities"]


@pytest.mark.parametrize("name", sorted(set(constants(names.Slot).values()) - {"requested_slot"}))
def test_slot_is_in_domain(name):
    assert name in DOMAIN["slots"]


@pytest.mark.parametrize("name", sorted(constants(names.Form).values()))
def test_form_is_in_domain(name):
    assert name in DOMAIN["forms"]


@pytest.mark.parametrize("name", sorted(constants(names.Action).values()))
def test_action_is_in_domain(name):
    assert name in DOMAIN["actions"]


@pytest.mark.parametrize("name", sorted(v for v in constants(names.Response).values() if not v.endswith("/")))
def test_response_is_in_domain(name):
    assert name in DOMAIN["responses"]


@pytest.mark.parametrize("key", names.FAQ_KEYS)
def test_every_faq_key_has_an_answer(key):
    assert f"utter_faq/{key}" in DOMAIN["responses"]


@pytest.mark.skipif(CONTRACT is None, reason="../shared/contract/nlu.yml not beside the repo")
def test_domain_follows_the_contract():
    assert set(DOMAIN["intents"]) == set(CONTRACT["intents"])
    assert set(DOMAIN["entities"]) == set(CONTRACT["entities"])
    assert set(names.FAQ_KEYS) == set(CONTRACT["faq_keys"])


LITERAL = re.compile(r"""["'](utter_[a-z_/]+|action_[a-z_]+|validate_[a-z_]+)["']""")


def test_every_name_literal_in_code_exists():
    """A literal `utter_…`/`action_…` anywhere in our Python must name something in the domain."""
    known = (
        set(DOMAIN["responses"])
        | set(DOMAIN["actions"])
        | {"action_listen", "action_restart", "utter_action"}
    )
    missing = []
    for path in list((ROOT / "actions").rglob("*.py")) + list((ROOT / "bot").rglob("*.py")):
        for match in LITERAL.finditer(path.read_text(encoding="utf-8")):
            if match.group(1).endswith("/"):
                continue
            if match.group(1) not in known:
                missing.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert missing == []


def test_every_custom_action_is_served():
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    served = set(executor.actions)
    custom = {a for a in DOMAIN["actions"] if a.startswith(("action_", "validate_"))}
    assert custom - served == set()
