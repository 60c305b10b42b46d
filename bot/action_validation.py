"""The action server's answers are validated against Rasa's schema once compiled, not rebuilt per call.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate(result, spec)` on every custom
action call, which rebuilds the response schema (all event types), checks the schema itself against the
JSON-Schema meta-schema, and only then validates the answer. Profiled under 16 concurrent conversations
(py-spy on the Rasa server, docs/benchmarks.md) that was about half of the server's main-thread time.
`install()` replaces it, in the Rasa process, with the same validation through one validator built and
schema-checked once: the same answers pass, the same ones fail with the same error and message.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

DOCS = "https://rasa.com/docs/rasa/custom-actions"


@lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator of Rasa's action-response schema, its schema checked once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """What jsonschema.validate does (best_match of the errors), minus rebuilding and re-checking the schema."""
    from jsonschema.exceptions import best_match

    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS}"
        )
        raise error
    return True


def install() -> None:
    """Once per Rasa process (bot/cli.py)."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
