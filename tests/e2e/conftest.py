"""Helpers of the e2e suite: a visitor's messages through Rasa's REST channel.

The stack itself (`stack`, `mailbox`) is tests/stacks.py's, shared with the browser suite.
"""

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import Stack
from tests.stacks import StackMailbox as StackMailbox  # re-exported: tests import it from here

Say = Callable[[str, str], list[dict[str, Any]]]


@pytest.fixture
def say(stack: Stack) -> Say:
    """Sends one visitor message through Rasa's REST channel and returns the bot's messages."""

    def _say(sender: str, text: str) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": text},
            timeout=60,
        )
        response.raise_for_status()
        messages: list[dict[str, Any]] = response.json()
        return messages

    return _say


@pytest.fixture
def visitor() -> str:
    return f"visitor-{uuid.uuid4().hex[:12]}"


def all_text(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(message.get("text", "")) for message in messages)


def button_titles(messages: list[dict[str, Any]]) -> list[str]:
    return [button["title"] for message in messages for button in message.get("buttons", [])]


def knowledge_body(stack: Stack, relative: str) -> str:
    path = Path(stack.env["KNOWLEDGE_DIR"]) / relative
    return path.read_text(encoding="utf-8").split("---", 2)[2].strip()
