"""Settings of the action server, read once from the environment (see README "Configuration").

Typed like the API's (api/core/config.py), with pydantic 1's `BaseSettings`: Rasa 3.6 pins
pydantic 1, and pydantic-settings needs pydantic 2. A value that does not parse stops the
server with the variable's name.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseSettings, Field, root_validator, validator

ROOT_DIR = Path(__file__).resolve().parents[2]
# As in the API's settings (api/core/config.py): other environments face real visitors.
LOCAL_ENVIRONMENTS = frozenset({"local", "test"})
DEFAULT_SECRET_PREFIX = "change-me"  # noqa: S105  (a marker, not a secret)


class UnsafeSettings(RuntimeError):
    """A default or missing secret outside a local run: the action server must not start."""


class Settings(BaseSettings):
    environment: str = "local"
    api_url: str = "http://127.0.0.1:8000"
    # Same local defaults as the API's settings, so that a bare checkout works.
    bot_api_token: str = "change-me-bot-token"  # noqa: S105
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = "change-me-rasa-token"  # noqa: S105
    # A relative folder is taken from the repository root.
    outbox_dir: Path = Field(default=Path("var/outbox"), env="ACTIONS_OUTBOX_DIR")
    # Short: a visitor is waiting for the answer while the action runs.
    api_timeout_s: float = Field(default=3.0, gt=0)
    api_attempts: int = Field(default=3, ge=1)
    # The background delivery of saved handoffs (see outbox.py).
    outbox_poll_s: float = Field(default=5.0, gt=0, env="ACTIONS_OUTBOX_POLL_S")
    # Longer than the action's own quick attempts, so that both never send at once.
    outbox_first_retry_s: float = Field(default=30.0, gt=0, env="ACTIONS_OUTBOX_FIRST_RETRY_S")
    outbox_max_backoff_s: float = Field(default=300.0, gt=0, env="ACTIONS_OUTBOX_MAX_BACKOFF_S")
    retention_days: int = Field(default=365, ge=1)

    class Config:
        frozen = True

    @validator("api_url", "rasa_url")
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @validator("outbox_dir")
    def _from_root(cls, value: Path) -> Path:
        return value if value.is_absolute() else ROOT_DIR / value

    @root_validator(skip_on_failure=True)
    def _refuse_default_secrets(cls, values: dict[str, Any]) -> dict[str, Any]:
        environment = str(values["environment"]).strip().lower()
        if environment in LOCAL_ENVIRONMENTS:
            return values
        unsafe = [
            name.upper()
            for name in ("bot_api_token", "rasa_token")
            if not str(values[name]).strip() or str(values[name]).startswith(DEFAULT_SECRET_PREFIX)
        ]
        if unsafe:
            # Not a ValueError: pydantic lets it through as is, and the server stops.
            raise UnsafeSettings(
                f"ENVIRONMENT={environment}: {', '.join(unsafe)} missing or left at the "
                "repository's default; set the same secrets as the API's."
            )
        return values


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
