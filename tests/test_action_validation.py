"""bot/action_validation.py accepts and refuses exactly what Rasa's own validation does (table-driven)."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.action_validation import validate_action_result

RASA_OWN = RemoteAction.__dict__["_validate_action_result"]  # install() runs only in the Rasa server
CASES = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "wo_name", "value": "陈思远"}], "responses": [{"text": "好的"}]},
    {"events": [{"event": "followup", "name": "action_listen"}], "responses": []},
    {"events": [{"event": "slot", "value": "x"}], "responses": []},  # a slot event without a name
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "not a list"},
    {"responses": [{"text": 5}]},
]


def verdict(validate, result: dict) -> str:
    try:
        return "ok" if validate(RemoteAction("x", None), result) else "refused"
    except ValidationError as exc:
        return exc.message


@pytest.mark.parametrize("result", CASES, ids=range(len(CASES)))
def test_the_same_answers_pass_and_fail_with_the_same_message(result):
    assert RASA_OWN is not validate_action_result
    assert verdict(validate_action_result, result) == verdict(RASA_OWN, result)


def test_a_bad_answer_is_still_refused():
    assert verdict(validate_action_result, {"events": "not a list"}) != "ok"
