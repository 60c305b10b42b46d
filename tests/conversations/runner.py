"""Plays a written conversation through the running assistant and reports what a citizen would notice.

A conversation is a list of turns (typed text, `{code}` for the newest code the party's phone
received, `{wrong_code}`, or `{tap: 确认}` for the button whose title holds that text) and a set of
expectations about effects: an SMS code on the party's phone, a case's progress shown, a work order
stored with the name and phone as typed, no ID asked, the form left. Replies' wording is not checked,
except that every turn is answered and no answer is a bare "好的。".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import sqlalchemy
import yaml

from services.desk.db.phones import PhoneVault
from services.desk.settings import DeskSettings

HERE = Path(__file__).resolve().parent
DEMO = json.loads((HERE.parents[1] / "services/courtdata/demo_data.json").read_text(encoding="utf-8"))
JUDGES = {j["judge_id"]: j for j in DEMO["judges"]}
CASES = {c["case_number"]: c for c in DEMO["cases"]}
DEBTORS = DEMO["dishonest_debtors"]
CODE = re.compile(r"(?<!\d)(\d{6})(?!\d)")
# a question for the asker's own ID (the welcome's privacy notice also names 身份证号, but asks nothing)
ASKS_FOR_ID = re.compile(r"核实您的身份|请提供您的姓名和身份证号|请再提供您的身份证号|需要完整的18位身份证号")


def load(folder: Path) -> list[dict[str, Any]]:
    found = []
    for path in sorted(folder.glob("*.yml")):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            found.append({**conversation, "file": path.name})
    return found


@dataclass
class Outcome:
    """What happened, and which expectations failed."""

    transcript: list[tuple[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Player:
    def __init__(self, stack, sender: str) -> None:
        self.stack, self.posted = stack, sender[:64]
        self.sender = "rest:" + self.posted  # the REST channel namespaces its conversations
        self.url = stack.urls["rasa"] + "/webhooks/rest/webhook"
        self.buttons: list[dict] = []
        self.replies: list[str] = []

    def sms(self) -> list[dict]:
        path = Path(self.stack.env["SMS_OUTBOX"])
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    def orders(self) -> list[dict]:
        engine = sqlalchemy.create_engine(self.stack.env["DESK_DATABASE_URL"])
        with engine.connect() as conn:
            rows = (
                conn.execute(
                    sqlalchemy.text(
                        "SELECT number, kind, citizen_name, callback_phone, case_number, summary, transcript "
                        "FROM work_orders WHERE conversation_id = :c"
                    ),
                    {"c": self.sender},
                )
                .mappings()
                .all()
            )
        engine.dispose()
        vault = PhoneVault.from_settings(
            DeskSettings.from_env(self.stack.env)
        )  # phones are encrypted at rest
        return [{**dict(r), "callback_phone": vault.decrypt(r["callback_phone"])} for r in rows]

    def send(self, text: str) -> str:
        reply = requests.post(self.url, json={"sender": self.posted, "message": text}, timeout=60)
        reply.raise_for_status()
        messages = reply.json()
        self.buttons = [b for m in messages for b in (m.get("buttons") or [])]
        said = "\n".join(m.get("text", "") for m in messages if m.get("text"))
        self.replies.append(said)
        return said

    def turn(self, turn: Any, sms_before: int) -> tuple[str, str]:
        if isinstance(turn, dict) and "tap" in turn:
            wanted = str(turn["tap"])
            button = next((b for b in self.buttons if wanted in b.get("title", "")), None)
            return (f"[{wanted}]", self.send(button["payload"])) if button else (wanted, self.send(wanted))
        text = self.typed(str(turn), sms_before)
        return text, self.send(text)

    def typed(self, text: str, sms_before: int) -> str:
        """The turn's text with `{code}` (the newest code received since the start) and `{wrong_code}` filled."""
        if "{code}" in text:
            new = self.sms()[sms_before:]
            codes = [CODE.search(m["text"]).group(1) for m in new if CODE.search(m["text"])]
            text = text.replace("{code}", codes[-1] if codes else "000000")
        return text.replace("{wrong_code}", "987650")


def play(stack, conversation: dict[str, Any], sender: str) -> Outcome:
    return play_with(Player(stack, sender), conversation)


def play_with(player: Player, conversation: dict[str, Any]) -> Outcome:
    """Every turn through `player` (REST here, the web page in web.py), then the effects checked."""
    outcome = Outcome()
    sms_before = len(player.sms())
    for turn in conversation["turns"]:
        typed, said = player.turn(turn, sms_before)
        outcome.transcript.append((typed, said))
        if not said.strip():
            outcome.problems.append(f"no answer to {typed!r}")
        elif said.strip() in ("好的。", "好的"):
            outcome.problems.append(f"dead end after {typed!r}")
    check(player, conversation.get("expect") or {}, player.sms()[sms_before:], outcome)
    return outcome


def progress_shown(replies: list[str], case_number: str) -> bool:
    case = CASES.get(case_number)
    judge = JUDGES.get(case["judge_id"], {}).get("name") if case else None
    return any(case_number in r and judge and judge in r for r in replies)


def check(player: Player, expect: dict[str, Any], sent: list[dict], outcome: Outcome) -> None:
    replies, problems = player.replies, outcome.problems
    code_sms = [m for m in sent if CODE.search(m.get("text", ""))]
    if "otp_to" in expect and str(expect["otp_to"]) not in {m["phone"] for m in code_sms}:
        problems.append(f"no code reached {expect['otp_to']} (sent to {[m['phone'] for m in code_sms]})")
    if expect.get("no_otp") and code_sms:
        problems.append("a code was sent")
    if "progress_of" in expect and not progress_shown(replies, expect["progress_of"]):
        problems.append(f"progress of {expect['progress_of']} not shown")
    if expect.get("no_progress") and any(
        progress_shown(replies, c) for c in CASES if any(c in r for r in replies)
    ):
        problems.append("progress was shown")
    if "debtor_listed" in expect and not any(expect["debtor_listed"] in r for r in replies):
        problems.append(f"entry {expect['debtor_listed']} not shown")
    if "debtor_not_listed" in expect:
        name = expect["debtor_not_listed"]
        listed = [d["case_number"] for d in DEBTORS if d["name"] == name and not d["deleted"]]
        if any(c in r for c in listed for r in replies) or not any(name in r for r in replies):
            problems.append(f"{name} not answered as not listed")
    orders = player.orders()
    if "workorder" in expect:
        wanted = {k: str(v) for k, v in expect["workorder"].items()}
        if not any(_order_matches(o, wanted) for o in orders):
            problems.append(f"no work order like {wanted}: stored {[_brief(o) for o in orders]}")
        if len(orders) > 1:
            problems.append(f"{len(orders)} work orders stored")
    if expect.get("no_workorder") and orders:
        problems.append(f"work order stored: {[_brief(o) for o in orders]}")
    if expect.get("no_id_asked") and any(ASKS_FOR_ID.search(r) for r in replies):
        problems.append("an ID was asked for")
    if expect.get("form_left") and _active_loop(player):
        problems.append(f"still in {_active_loop(player)}")
    if expect.get("legal_referral") and not any("12348" in r or "律师" in r for r in replies):
        problems.append("no referral to 12348 or a lawyer")


def _order_matches(order: dict, wanted: dict[str, str]) -> bool:
    fields = {
        "kind": order["kind"],
        "name": order["citizen_name"],
        "phone": order["callback_phone"],
        "case_number": order["case_number"] or "无",
    }
    for key, value in wanted.items():
        if key == "contains":
            if value not in (order["summary"] or "") + json.dumps(order["transcript"], ensure_ascii=False):
                return False
        elif fields.get(key) != value:
            return False
    return True


def _brief(order: dict) -> dict:
    return {
        "kind": order["kind"],
        "name": order["citizen_name"],
        "phone": order["callback_phone"][:3] + "…",
        "case_number": order["case_number"],
    }


def _active_loop(player: Player) -> str | None:
    reply = requests.get(
        f"{player.stack.urls['rasa']}/conversations/{player.sender}/tracker",
        params={"token": player.stack.env["RASA_TOKEN"]},
        timeout=10,
    )
    return ((reply.json().get("active_loop") or {}).get("name")) if reply.ok else None
