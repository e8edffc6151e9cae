"""Outside a local run the action server refuses to start with a missing or default token;
a value that does not parse is refused with the variable's name."""

from __future__ import annotations

import pydantic
import pytest

from bot.actions.config import ROOT_DIR, Settings, UnsafeSettings

REAL = {"BOT_API_TOKEN": "a-real-random-bot-token-0123", "RASA_TOKEN": "a-real-rasa-token-0123"}
READ = (
    "ENVIRONMENT",
    "BOT_API_TOKEN",
    "RASA_TOKEN",
    "API_URL",
    "ACTIONS_OUTBOX_DIR",
    "API_ATTEMPTS",
)


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in READ:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _set(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"ENVIRONMENT": "production"}, "BOT_API_TOKEN, RASA_TOKEN"),
        ({"ENVIRONMENT": "staging", **REAL, "RASA_TOKEN": "change-me-rasa-token"}, "RASA_TOKEN"),
        ({"ENVIRONMENT": "production", **REAL, "BOT_API_TOKEN": ""}, "BOT_API_TOKEN"),
    ],
)
def test_a_non_local_run_without_real_tokens_refuses_to_start(
    environ: pytest.MonkeyPatch, values: dict[str, str], named: str
) -> None:
    _set(environ, values)
    with pytest.raises(UnsafeSettings, match=named):
        Settings()


def test_production_with_real_tokens_starts(environ: pytest.MonkeyPatch) -> None:
    _set(environ, {"ENVIRONMENT": "production", **REAL})
    assert Settings().bot_api_token == REAL["BOT_API_TOKEN"]


def test_a_local_run_keeps_the_local_defaults(environ: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.bot_api_token == "change-me-bot-token"
    assert settings.outbox_dir == ROOT_DIR / "var" / "outbox"


def test_urls_lose_their_trailing_slash(environ: pytest.MonkeyPatch) -> None:
    _set(environ, {"API_URL": "http://api.internal:8000/"})
    assert Settings().api_url == "http://api.internal:8000"


def test_a_value_that_does_not_parse_is_refused_by_name(environ: pytest.MonkeyPatch) -> None:
    _set(environ, {"API_ATTEMPTS": "trois"})
    with pytest.raises(pydantic.ValidationError, match="api_attempts"):
        Settings()
