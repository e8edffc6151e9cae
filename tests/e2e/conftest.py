"""Starts the real stack (API, action server, Rasa with the trained model) once per session."""

import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scripts.stack import MODEL_PATH, ROOT, Stack
from tests.conftest import TEST_TOKENS

Say = Callable[[str, str], list[dict[str, Any]]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run 'make train' (make test does).")
    var_dir = tmp_path_factory.mktemp("stack-var")
    knowledge_dir = var_dir / "knowledge"
    # A copy, so that a test may edit an entry as an editor would without touching the repo.
    shutil.copytree(ROOT / "knowledge", knowledge_dir)
    overrides = {
        **TEST_TOKENS,
        "API_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "ACTIONS_OUTBOX_DIR": str(var_dir / "outbox"),
        "DATABASE_URL": f"sqlite:///{var_dir / 'api.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{var_dir / 'rasa-tracker.db'}",
    }
    running = Stack(var_dir=var_dir, overrides=overrides)
    running.start()
    yield running
    running.stop()


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
