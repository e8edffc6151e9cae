"""The production topology on this machine: two Rasa servers and two action servers behind
nginx, the PostgreSQL tracker store, the Redis lock store and the API on PostgreSQL.

Runs when TEST_POSTGRES_URL and TEST_REDIS_URL are set (.ci/run sets them when PostgreSQL and
Redis answer locally) and nginx is installed or installable; skipped with the reason otherwise.
Each session uses two fresh databases with a random suffix, dropped at the end.
"""

import asyncio
import os
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy.engine import URL, make_url

from scripts.prod_stack import ProdStack, ensure_nginx, redis_lock_store, throwaway_databases
from scripts.stack import MODEL_PATH
from tests.conftest import TEST_TOKENS

TURN_TIMEOUT_S = 90.0
T = TypeVar("T")


def skip_reason() -> str | None:
    if not os.environ.get("TEST_POSTGRES_URL"):
        return "TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL answers on :5432)"
    if not os.environ.get("TEST_REDIS_URL"):
        return "TEST_REDIS_URL is not set (.ci/run sets it when Redis answers on :6379)"
    try:
        ensure_nginx()
    except RuntimeError as error:
        return f"nginx is missing and cannot be installed: {error}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    return make_url(os.environ["TEST_POSTGRES_URL"])


@pytest.fixture(scope="session")
def prod_databases(postgres_server: URL) -> Iterator[dict[str, str]]:
    with throwaway_databases(postgres_server, "test") as urls:
        yield urls


@pytest.fixture(scope="session")
def prod_stack(
    prod_databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ProdStack]:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run 'make train' (make test does).")
    var_dir = tmp_path_factory.mktemp("prod-var")
    overrides = {
        **TEST_TOKENS,
        **prod_databases,
        **redis_lock_store(os.environ["TEST_REDIS_URL"]),
    }
    stack = ProdStack(var_dir=Path(var_dir), overrides=overrides)
    stack.start()
    yield stack
    stack.stop()


def user_texts(stack: ProdStack, conversation_id: str) -> list[str]:
    """The visitor's messages as stored in the shared tracker store, read via nginx."""
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{conversation_id}/tracker",
        params={"token": stack.env["RASA_TOKEN"]},
        timeout=30,
    )
    response.raise_for_status()
    return [e["text"] for e in response.json()["events"] if e.get("event") == "user"]


async def send_turn(client: httpx.AsyncClient, url: str, sender: str, text: str) -> bool:
    """One visitor message; True when the bot answered."""
    try:
        response = await client.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and bool(response.json())


async def gather_limited(coroutines: list[Coroutine[Any, Any, T]], limit: int) -> list[T]:
    gate = asyncio.Semaphore(limit)

    async def _one(coroutine: Coroutine[Any, Any, T]) -> T:
        async with gate:
            return await coroutine

    return await asyncio.gather(*(_one(c) for c in coroutines))


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: the browser tests' Playwright (sync API, one per
    session) keeps an event loop running in the main thread, where asyncio.run refuses."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
