"""Settings of the action server, read once from the environment (see README "Configuration")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT_DIR = Path(__file__).resolve().parents[2]
# As in the API's settings (api/core/config.py): other environments face real visitors.
LOCAL_ENVIRONMENTS = frozenset({"local", "test"})
DEFAULT_SECRET_PREFIX = "change-me"  # noqa: S105  (a marker, not a secret)


class UnsafeSettings(RuntimeError):
    """A default or missing secret outside a local run: the action server must not start."""


def _flag(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    api_url: str
    bot_api_token: str
    rasa_url: str
    rasa_token: str
    outbox_dir: Path
    # Short: a visitor is waiting for the answer while the action runs.
    api_timeout_s: float
    api_attempts: int
    # The background delivery of saved handoffs (see outbox.py).
    outbox_worker: bool
    outbox_poll_s: float
    outbox_first_retry_s: float
    outbox_max_backoff_s: float
    retention_days: int


def _refuse_default_secrets(environ: dict[str, str]) -> None:
    environment = environ.get("ENVIRONMENT", "local").strip().lower()
    if environment in LOCAL_ENVIRONMENTS:
        return
    unsafe = [
        name
        for name in ("BOT_API_TOKEN", "RASA_TOKEN")
        if not environ.get(name, "").strip() or environ[name].startswith(DEFAULT_SECRET_PREFIX)
    ]
    if unsafe:
        raise UnsafeSettings(
            f"ENVIRONMENT={environment}: {', '.join(unsafe)} missing or left at the "
            "repository's default; set the same secrets as the API's."
        )


def _read(environ: dict[str, str]) -> Settings:
    _refuse_default_secrets(environ)
    outbox = Path(environ.get("ACTIONS_OUTBOX_DIR", "var/outbox"))
    return Settings(
        api_url=environ.get("API_URL", "http://127.0.0.1:8000").rstrip("/"),
        # Same local default as the API's settings, so that a bare checkout works.
        bot_api_token=environ.get("BOT_API_TOKEN", "change-me-bot-token"),
        rasa_url=environ.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
        rasa_token=environ.get("RASA_TOKEN", "change-me-rasa-token"),
        outbox_dir=outbox if outbox.is_absolute() else ROOT_DIR / outbox,
        api_timeout_s=float(environ.get("API_TIMEOUT_S", "3")),
        api_attempts=int(environ.get("API_ATTEMPTS", "3")),
        outbox_worker=_flag(environ.get("ACTIONS_OUTBOX_WORKER", "true")),
        outbox_poll_s=float(environ.get("ACTIONS_OUTBOX_POLL_S", "5")),
        # Longer than the action's own quick attempts, so that both never send at once.
        outbox_first_retry_s=float(environ.get("ACTIONS_OUTBOX_FIRST_RETRY_S", "30")),
        outbox_max_backoff_s=float(environ.get("ACTIONS_OUTBOX_MAX_BACKOFF_S", "300")),
        retention_days=int(environ.get("RETENTION_DAYS", "365")),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return _read(dict(os.environ))
