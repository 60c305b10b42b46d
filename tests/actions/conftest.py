"""A tracker factory and fake clients: actions run in-process, no model and no servers.

Entities come from the same rule extractor the pipeline runs, so a test message carries what the
trained model would give the action for case numbers, IDs, credit codes and phones; names are left
to the actions' identity reader, as in production when the tagger misses them.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.settings
import kernel.kv
from actions.settings import ActionSettings
from kernel.clients.court import AccessGrant, Mismatch, VerificationStarted, WrongCode
from kernel.nlu.extract import extract_entities
from kernel.nlu.normalize import normalize


def make_tracker(
    text: str,
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    events: list[dict] | None = None,
    sender: str = "conv-1",
    entities: list[dict] | None = None,
    active_loop: str | None = None,
    channel: str = "rest",
    metadata: dict[str, Any] | None = None,
) -> Tracker:
    clean = normalize(text)
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": extract_entities(clean) if entities is None else entities,
    }
    history = list(events or []) + [
        {
            "event": "user",
            "text": text,
            "parse_data": message,
            "input_channel": channel,
            "metadata": metadata or {},
        }
    ]
    return Tracker(
        sender,
        dict(slots or {}),
        message,
        history,
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run(action, tracker: Tracker) -> tuple[list[dict], list[dict]]:
    """(messages the citizen sees, events returned)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def slots_of(events: list[dict]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


@dataclass
class FakeCourt:
    """The court-data service's verification contract, on a table of parties."""

    parties: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (case, name, identifier) → phone
    sent: list[dict] = field(default_factory=list)
    debtor_queries: list[dict] = field(default_factory=list)
    debtor_clients: list[str | None] = field(default_factory=list)  # the client key forwarded
    verification_clients: list[str | None] = field(default_factory=list)

    async def case_summary(self, case_number: str):
        return {"case_number": case_number}

    async def start_verification(
        self, case_number, name, *, id_number=None, credit_code=None, license_number=None, client=None
    ):
        self.verification_clients.append(client)
        identifier = id_number or credit_code or license_number
        phone = self.parties.get((case_number, name, identifier))
        if phone is None:
            raise Mismatch(code="mismatch")
        self.sent.append({"case": case_number, "name": name, "identifier": identifier, "phone": phone})
        return VerificationStarted("v-1", phone[:3] + "****" + phone[-4:], 300, 60)

    async def check_code(self, verification_id, code, client=None):
        if code != "123456":
            raise WrongCode(code="wrong_code", attempts_left=2)
        return AccessGrant("grant-1", self.sent[-1]["case"], "party", 1800)

    async def search_debtors(self, name, *, id_number=None, credit_code=None, client=None):
        from kernel.clients.court import DebtorSearchResult

        self.debtor_queries.append({"name": name, "id_number": id_number, "credit_code": credit_code})
        self.debtor_clients.append(client)
        return DebtorSearchResult(entries=())

    async def case_routing(self, case_number):
        from kernel.clients.court import CourtError

        raise CourtError(code="unavailable")


@pytest.fixture(autouse=True)
def demo_settings():
    """The actions run with the demo defaults, whatever the environment of the test run holds."""
    actions.settings.configure(ActionSettings.from_env({}))
    yield
    actions.settings.configure(None)


@pytest.fixture(autouse=True)
def fresh_kv(monkeypatch):
    monkeypatch.setattr(kernel.kv, "_default", kernel.kv.MemoryKV())


@pytest.fixture
def court(monkeypatch) -> FakeCourt:
    fake = FakeCourt()
    for module in ("actions.case_progress", "actions.debtor", "actions.workorder"):
        monkeypatch.setattr(f"{module}.shared_client", lambda: fake)
    return fake
