"""Visitors' conversations across two Rasa servers sharing the tracker and lock stores."""

import random
import uuid

import httpx
import pytest

from bench.visitors import LOT_SCRIPT, conversation
from scripts.prod_stack import ProdStack
from tests.prod.conftest import (
    TURN_TIMEOUT_S,
    gather_limited,
    run_in_own_loop,
    send_turn,
    user_texts,
)

pytestmark = pytest.mark.prod


def scripted_conversations(count: int, prefix: str) -> dict[str, list[str]]:
    rng = random.Random(prefix)
    return {
        f"{prefix}-{index}-{uuid.uuid4().hex[:8]}": conversation(LOT_SCRIPT, rng)
        for index in range(count)
    }


def without_repeats(texts: list[str]) -> list[str]:
    """A message the load balancer passed on twice shows up twice in a row."""
    return [text for index, text in enumerate(texts) if index == 0 or texts[index - 1] != text]


def test_turns_alternating_between_rasa_servers_keep_every_message_once_in_order(
    prod_stack: ProdStack,
) -> None:
    conversations = scripted_conversations(50, "alternating")
    servers = prod_stack.rasa_server_urls
    assert len(servers) == 2

    async def talk(index: int, sender: str, texts: list[str], client: httpx.AsyncClient) -> int:
        answered = 0
        for turn, text in enumerate(texts):
            # Round-robin per turn: every conversation moves from one server to the other.
            answered += await send_turn(client, servers[(index + turn) % 2], sender, text)
        return answered

    async def scenario() -> list[int]:
        async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S) as client:
            return await gather_limited(
                [
                    talk(index, sender, texts, client)
                    for index, (sender, texts) in enumerate(conversations.items())
                ],
                limit=10,
            )

    answered = run_in_own_loop(scenario())

    assert answered == [len(texts) for texts in conversations.values()]
    for sender, texts in conversations.items():
        assert user_texts(prod_stack, sender) == texts, sender


def test_a_crashed_rasa_server_loses_no_visitor_message(prod_stack: ProdStack) -> None:
    conversations = scripted_conversations(20, "crash")
    turns_before_crash = 30
    sent = 0
    failed_after_retry: list[str] = []

    async def talk(sender: str, texts: list[str], client: httpx.AsyncClient) -> None:
        nonlocal sent
        for text in texts:
            sent += 1
            if sent == turns_before_crash:
                prod_stack.kill_service("rasa-1")
            # The widget's behaviour: a turn that failed is sent once more, through nginx.
            if not await send_turn(client, prod_stack.public_url, sender, text) and not (
                await send_turn(client, prod_stack.public_url, sender, text)
            ):
                failed_after_retry.append(f"{sender}: {text}")

    async def scenario() -> None:
        async with httpx.AsyncClient(timeout=TURN_TIMEOUT_S) as client:
            await gather_limited(
                [talk(sender, texts, client) for sender, texts in conversations.items()],
                limit=10,
            )

    try:
        run_in_own_loop(scenario())

        assert failed_after_retry == []
        for sender, texts in conversations.items():
            assert without_repeats(user_texts(prod_stack, sender)) == texts, sender

        # Back on its feet, the crashed server takes up conversations the other one served.
        prod_stack.restart_service("rasa-1")
        rasa_1 = prod_stack.rasa_server_urls[0]
        for sender in list(conversations)[:3]:
            response = httpx.post(
                f"{rasa_1}/webhooks/rest/webhook",
                json={"sender": sender, "message": "Bonjour"},
                timeout=TURN_TIMEOUT_S,
            )
            assert response.status_code == 200
            assert response.json()
            assert without_repeats(user_texts(prod_stack, sender)) == [
                *conversations[sender],
                "Bonjour",
            ]
    finally:
        if prod_stack.services and not _running(prod_stack, "rasa-1"):
            prod_stack.restart_service("rasa-1")


def _running(stack: ProdStack, name: str) -> bool:
    return any(
        s.name == name and s.process is not None and s.process.poll() is None
        for s in stack.services
    )
