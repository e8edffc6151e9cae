"""Fixtures shared by the app-env suites: a migrated database per test and an API client."""

import contextlib
import fcntl
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.core import db
from api.core.config import get_settings
from api.db_migrate import upgrade

# The real stacks of the e2e, browser and prod suites (booted in the background).
pytest_plugins = ["tests.stacks"]

TEST_TOKENS = {
    "RASA_TOKEN": "test-rasa-token",
    "BOT_API_TOKEN": "test-bot-token",
    "ADMIN_TOKEN": "test-admin-token",
    "SESSION_SECRET": "test-session-secret-which-is-long-enough",
}

# Argon2id at its lowest cost: at the production cost each of the hundreds of logins and
# accounts of the suites takes a few tenths of a second on this machine.
# tests/api/test_accounts.py checks the production cost apart.
CHEAP_PASSWORD_HASH = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "1024"}


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database built by the Alembic migrations, once per session (each run of them
    costs a tenth of a second, and hundreds of tests want a fresh database)."""
    path = tmp_path_factory.mktemp("migrated") / "api.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, migrated_database: Path) -> str:
    """A fresh migrated database for one test: a copy of the session's, made by SQLite."""
    path = tmp_path / "api.db"
    with (
        closing(sqlite3.connect(migrated_database)) as source,
        closing(sqlite3.connect(path)) as copy,
    ):
        source.backup(copy)
    return f"sqlite:///{path}"


@pytest.fixture
def app_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """Points the settings at a fresh database; tests may monkeypatch more before `client`."""
    env = {
        **TEST_TOKENS,
        **CHEAP_PASSWORD_HASH,
        "DATABASE_URL": database_url,
        "KNOWLEDGE_WATCH": "false",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    db.reset_engine()
    yield env
    get_settings.cache_clear()
    db.reset_engine()


@pytest.fixture
def client(app_env: dict[str, str]) -> Iterator[TestClient]:
    from api.main import create_app

    with TestClient(create_app()) as test_client:
        yield test_client


@pytest.fixture
def bot_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TEST_TOKENS['BOT_API_TOKEN']}"}


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {TEST_TOKENS['ADMIN_TOKEN']}"}


def postgres_url() -> str | None:
    return os.environ.get("TEST_POSTGRES_URL")


# make test runs the app-env suites in sessions side by side, and the production-topology suite
# restarts this machine's PostgreSQL: a lock file of the machine keeps the restart and the
# tests marked `postgres` apart (shared by the tests, exclusive for the restart).
POSTGRESQL_LOCK = Path(tempfile.gettempdir()) / "lot-assistant-tests-postgresql.lock"


@contextlib.contextmanager
def postgresql_lock(*, exclusive: bool) -> Iterator[None]:
    with POSTGRESQL_LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def _postgresql_not_restarting(request: pytest.FixtureRequest) -> Iterator[None]:
    if request.node.get_closest_marker("postgres") is None:
        yield
        return
    with postgresql_lock(exclusive=False):
        yield
