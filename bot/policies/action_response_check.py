"""Rasa checks every action server response against its schema with a validator compiled once.

Rasa 3.6 (`RemoteAction._validate_action_result`) calls `jsonschema.validate` on each
response. That helper first checks the schema itself against the JSON Schema meta-schema,
then builds a validator, then checks the response; the schema (every event type of
`EVENTS_SCHEMA`) never changes, yet the meta-schema check ran on every custom action and
was a third of the Rasa server's busy time in a single-visitor turn (bench/profile.py).
`install()` replaces the method with one that builds the same validator class once, after
the same schema check, and checks each response with it: the same checks, the same error
(`best_match`) and message as Rasa's.

Rasa imports this module with `bot.policies` (config.yml lists LiveHandoffPolicy), so every
Rasa server that loads the model runs it; the action server never imports it.
"""

from __future__ import annotations

from typing import Any

from jsonschema import ValidationError, exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


def _compiled() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


_VALIDATOR = _compiled()


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = exceptions.best_match(_VALIDATOR.iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        "For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result
