"""群众补充 from the bot's side: the message after a staff reply reaches the order in the real desk.

The action talks to the work-order service through the kernel's client, here to the real desk app on SQLite
served on loopback, so what is asserted is what staff would find on the order. The rule that sends the
message here must name every intent of the domain (otherwise some messages would still start a new request).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher
from cryptography.fernet import Fernet

import actions.settings
from actions.core import ActionSessionStart
from actions.settings import ActionSettings
from actions.supplement import ActionAddSupplement
from actions.workorder import ActionStartWorkorder
from kernel.kv import MemoryKV
from kernel.names import Action, Slot
from services.desk.app import create_app
from services.desk.db.engine import make_engine, migrate
from services.desk.domain import lifecycle as lc
from services.desk.service.orders import DeskStore
from services.desk.service.wiring import Wiring
from services.desk.settings import DeskSettings
from tests.actions.conftest import make_tracker, run, slots_of
from tests.desk.fakes import Served
from tests.desk.helpers import new_order

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "supplement-test-token"
CONV = "web-conv-42"
CLOSED_URL = "http://127.0.0.1:9"


@pytest.fixture
def desk(tmp_path):
    """The work-order service on SQLite, served on loopback; the actions are pointed at it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'desk.db'}")
    migrate(engine)
    settings = DeskSettings(
        database_url="(engine given)",
        api_token=TOKEN,
        secret_key="test-secret",
        demo_password="demo-password-1",
        sms_outbox=str(tmp_path / "sms.jsonl"),
        rasa_url=CLOSED_URL,
        court_api_url=CLOSED_URL,
        phone_key=Fernet.generate_key().decode(),
    )
    store = DeskStore(engine, settings, hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    store.staff.seed_demo()
    app = create_app(settings, store, wiring=Wiring.from_settings(settings, store, kv=MemoryKV()))
    with Served(app) as served:
        actions.settings.configure(ActionSettings.from_env({"DESK_URL": served.url, "DESK_API_TOKEN": TOKEN}))
        yield store
    engine.dispose()


def supplements(store: DeskStore, number: str) -> list[str]:
    supervisor = store.staff.authenticate("supervisor", "demo-password-1")
    return [s["body"] for s in store.get_order(supervisor, number)["supplements"]]


def after_reply(text: str, number: str, intent: str = "inform"):
    return make_tracker(
        text, intent=intent, slots={Slot.SUPPLEMENT_ORDER: number}, sender=CONV, channel="webchat"
    )


@pytest.mark.parametrize(
    "intent", ["contact_judge", "query_case_progress", "faq", "thank", "nlu_fallback", "request_human"]
)
def test_the_message_after_a_staff_reply_is_added_to_the_order_whatever_its_intent(desk, intent):
    order = new_order(desk, channel="web", conversation_id=CONV)
    text = "好的，谢谢法官，那我下周一把材料送过去可以吗"
    messages, events = run(ActionAddSupplement(), after_reply(text, order["number"], intent))
    assert supplements(desk, order["number"]) == [text]
    assert order["number"] in messages[-1]["text"]
    assert [b["payload"] for b in messages[-1]["buttons"]] == ["/greet"]  # 新的问题: the normal flow
    assert slots_of(events) == {Slot.SUPPLEMENT_ORDER: None}  # one message, then the conversation goes on


def test_personal_data_is_masked_before_it_leaves_the_bot(desk):
    order = new_order(desk, channel="web", conversation_id=CONV)
    run(ActionAddSupplement(), after_reply("我换号码了，打13912345678", order["number"]))
    (body,) = supplements(desk, order["number"])
    assert "13912345678" not in body and "139****5678" in body


@pytest.mark.parametrize(
    "text, intent",
    [
        ("你好", "greet"),
        ("再见", "goodbye"),
        ("取消", "deny"),
        ("/query_case_progress", "query_case_progress"),
        ("我还有个新的问题想问", "faq"),
    ],
)
def test_a_greeting_a_goodbye_or_a_new_request_is_not_added(desk, text, intent):
    order = new_order(desk, channel="web", conversation_id=CONV)
    messages, events = run(ActionAddSupplement(), after_reply(text, order["number"], intent))
    assert supplements(desk, order["number"]) == []
    slots = slots_of(events)
    assert messages and slots[Slot.SUPPLEMENT_ORDER] is None
    assert set(slots) - {Slot.SUPPLEMENT_ORDER} <= {
        Slot.VERIFIED_CASE,
        Slot.CP_TOKEN,
    }  # goodbye: the grant too


def test_a_closed_order_offers_a_new_request(desk):
    order = new_order(desk, channel="web", conversation_id=CONV)
    clerk = desk.staff.authenticate("clerk", "demo-password-1")
    supervisor = desk.staff.authenticate("supervisor", "demo-password-1")
    desk.claim(clerk, order["number"])
    desk.add_reply(clerk, order["number"], "已处理")
    desk.transition(supervisor, order["number"], lc.CLOSE, "办结")
    messages, events = run(ActionAddSupplement(), after_reply("还有一件事", order["number"]))
    assert supplements(desk, order["number"]) == []
    assert messages[-1]["buttons"] and slots_of(events) == {Slot.SUPPLEMENT_ORDER: None}


def test_another_conversations_order_gets_nothing(desk):
    order = new_order(desk, channel="web", conversation_id="someone-else")
    messages, _ = run(ActionAddSupplement(), after_reply("补充材料", order["number"]))
    assert supplements(desk, order["number"]) == [] and messages[-1]["buttons"]


def test_desk_down_tells_the_citizen_and_ends_the_turn(desk):
    actions.settings.configure(ActionSettings.from_env({"DESK_URL": CLOSED_URL, "DESK_API_TOKEN": TOKEN}))
    messages, events = run(ActionAddSupplement(), after_reply("补充材料", "GD20261201-0001"))
    assert "GD20261201-0001" in messages[-1]["text"] and messages[-1]["buttons"]
    assert slots_of(events) == {
        Slot.SUPPLEMENT_ORDER: None
    }  # the rule ends the turn only on a forgotten slot


def test_a_new_session_keeps_the_order_to_supplement():
    _, events = run(ActionSessionStart(), after_reply("你好", "GD20261201-0001"))
    assert slots_of(events) == {Slot.SUPPLEMENT_ORDER: "GD20261201-0001"}
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"


def test_a_new_work_order_forgets_the_earlier_one(court):
    _, events = run(ActionStartWorkorder(), after_reply("我要联系法官", "GD20261201-0001", "contact_judge"))
    assert slots_of(events)[Slot.SUPPLEMENT_ORDER] is None


def test_the_rule_takes_every_intent_of_the_domain():
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((ROOT / "data/rules.yml").read_text(encoding="utf-8"))["rules"]
    (rule,) = [r for r in rules if any(s.get("action") == Action.ADD_SUPPLEMENT for s in r["steps"])]
    assert {"active_loop": None} in rule["condition"]
    assert any(Slot.SUPPLEMENT_ORDER in (c.get("slot_was_set") or [{}])[0] for c in rule["condition"])
    listed = {step["intent"] for step in rule["steps"][0]["or"]}
    assert rule["steps"][-1] == {"slot_was_set": [{Slot.SUPPLEMENT_ORDER: None}]}
    assert listed == set(domain["intents"]) | {"nlu_fallback"}
    assert domain["slots"][Slot.SUPPLEMENT_ORDER]["influence_conversation"] is True
