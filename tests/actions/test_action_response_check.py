"""Rasa's check of action server responses, with the validator compiled once: it accepts and
refuses exactly what `jsonschema.validate` does, with Rasa's message."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.policies  # noqa: F401  (installs the compiled check, as Rasa's model loading does)
from bot.policies.action_response_check import _validate_action_result

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "commune", "value": "Figeac", "timestamp": None},
            {"event": "followup", "name": "action_listen", "timestamp": None},
        ],
        "responses": [{"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "/affirm"}]}],
    },
]
INVALID: list[dict[str, Any]] = [
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [{"event": "not_an_event"}]},
    {"events": "slot"},
    {"responses": ["text"]},
    [],
]


def action() -> RemoteAction:
    return RemoteAction("action_answer", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_rasa_uses_the_compiled_check() -> None:
    assert RemoteAction._validate_action_result is _validate_action_result


@pytest.mark.parametrize("response", VALID)
def test_valid_responses_pass(response: dict[str, Any]) -> None:
    jsonschema.validate(response, RemoteAction.action_response_format_spec())
    assert action()._validate_action_result(response) is True


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_fail_with_the_same_error_as_jsonschema_validate(
    response: dict[str, Any],
) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as raised:
        action()._validate_action_result(response)
    assert raised.value.message.startswith(expected.value.message + ". Failed to validate")
    assert list(raised.value.absolute_path) == list(expected.value.absolute_path)
