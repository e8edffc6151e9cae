"""Outside a local run the action server refuses to start with a missing or default token."""

from __future__ import annotations

import pytest

from bot.actions.config import UnsafeSettings, _read

REAL = {"BOT_API_TOKEN": "a-real-random-bot-token-0123", "RASA_TOKEN": "a-real-rasa-token-0123"}


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ENVIRONMENT": "production"}, "BOT_API_TOKEN, RASA_TOKEN"),
        ({"ENVIRONMENT": "staging", **REAL, "RASA_TOKEN": "change-me-rasa-token"}, "RASA_TOKEN"),
        ({"ENVIRONMENT": "production", **REAL, "BOT_API_TOKEN": ""}, "BOT_API_TOKEN"),
    ],
)
def test_a_non_local_run_without_real_tokens_refuses_to_start(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(UnsafeSettings, match=named):
        _read(environ)


def test_production_with_real_tokens_starts() -> None:
    assert _read({"ENVIRONMENT": "production", **REAL}).bot_api_token == REAL["BOT_API_TOKEN"]


def test_a_local_run_keeps_the_local_defaults() -> None:
    assert _read({}).bot_api_token == "change-me-bot-token"
