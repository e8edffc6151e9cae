"""Outside a local run the API refuses the repository's default secrets and cheap password
hashes, and sends its session cookie over HTTPS only."""

import pytest
from pydantic import ValidationError

from api.core.config import Settings

SECRETS = {
    "RASA_TOKEN": "a-real-random-rasa-token-0123456789",
    "BOT_API_TOKEN": "a-real-random-bot-token-0123456789",
    "ADMIN_TOKEN": "a-real-random-admin-token-0123456789",
    "SESSION_SECRET": "a-real-random-session-secret-0123456789",
}

HASH_COSTS = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "1024"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in (*SECRETS, *HASH_COSTS, "ENVIRONMENT", "COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("environment", ["production", "staging", "preprod"])
def test_a_non_local_run_with_default_secrets_refuses_to_start(
    clean_env: pytest.MonkeyPatch, environment: str
) -> None:
    clean_env.setenv("ENVIRONMENT", environment)

    with pytest.raises(ValidationError, match="RASA_TOKEN, BOT_API_TOKEN, ADMIN_TOKEN"):
        Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [("SESSION_SECRET", "change-me-session-secret-at-least-32-chars"), ("BOT_API_TOKEN", "")],
)
def test_one_default_or_missing_secret_is_refused_in_production(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_env.setenv("ENVIRONMENT", "production")
    for secret, real in SECRETS.items():
        clean_env.setenv(secret, real)
    clean_env.setenv(name, value)

    with pytest.raises(ValidationError, match=f"(?i){name}"):
        Settings()


@pytest.mark.parametrize("name", list(HASH_COSTS))
def test_a_password_hash_cheaper_than_rfc_9106_is_refused_in_production(
    clean_env: pytest.MonkeyPatch, name: str
) -> None:
    clean_env.setenv("ENVIRONMENT", "production")
    for secret, real in SECRETS.items():
        clean_env.setenv(secret, real)
    clean_env.setenv(name, HASH_COSTS[name])

    with pytest.raises(ValidationError, match=name):
        Settings()


def test_production_with_real_secrets_starts_with_secure_cookies(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("ENVIRONMENT", "production")
    for name, value in SECRETS.items():
        clean_env.setenv(name, value)

    assert Settings().secure_cookies is True


def test_a_local_run_keeps_its_defaults_and_plain_http_cookies(
    clean_env: pytest.MonkeyPatch,
) -> None:
    settings = Settings()

    assert settings.is_local
    assert settings.secure_cookies is False


def test_cookie_secure_set_explicitly_wins(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("COOKIE_SECURE", "true")

    assert Settings().secure_cookies is True
