"""The production topology on this machine: two Rasa servers and two action servers behind
nginx, the PostgreSQL tracker store, the Redis lock store and the API on PostgreSQL.

Runs when TEST_POSTGRES_URL and TEST_REDIS_URL are set (.ci/run sets them when PostgreSQL and
Redis answer locally) and nginx is installed or installable; skipped with the reason otherwise.
The stack (`prod_stack`, `prod_databases`, `postgres_server`) is tests/stacks.py's.
"""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from scripts.prod_stack import ProdStack

TURN_TIMEOUT_S = 90.0
T = TypeVar("T")


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
