"""Starts the real stack (API, action server, Rasa with the trained model) once per session."""

import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from aiosmtpd.controller import Controller

from scripts.stack import MODEL_PATH, ROOT, Stack
from tests.api.conftest import Mailbox
from tests.conftest import TEST_TOKENS

Say = Callable[[str, str], list[dict[str, Any]]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Teams whose hours the stack's copy of referents.yml fixes, so that the tests do not
# depend on the time they run at: one always open, one closed for the coming days.
ALWAYS_OPEN_TEAM = "grand-figeac"
CLOSED_TEAM = "cauvaldor"


def _fix_team_hours(referents: Path) -> None:
    data = yaml.safe_load(referents.read_text(encoding="utf-8"))
    today = datetime.now(ZoneInfo("Europe/Paris")).date()
    for team in data["teams"]:
        if team["id"] == ALWAYS_OPEN_TEAM:
            team["hours"] = {day: ["00:00-24:00"] for day in data["hours"]["week"]}
        elif team["id"] == CLOSED_TEAM:
            team["closed_days"] = [today + timedelta(days=n) for n in range(-1, 4)]
    referents.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@dataclass
class StackMailbox(Mailbox):
    port: int = 0


@pytest.fixture(scope="session")
def mailbox() -> Iterator[StackMailbox]:
    """A real SMTP server (aiosmtpd) receiving every e-mail the stack's API sends."""
    box = StackMailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    yield box
    controller.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, mailbox: StackMailbox) -> Iterator[Stack]:
    if not MODEL_PATH.exists():
        pytest.fail(f"No trained model at {MODEL_PATH}: run 'make train' (make test does).")
    var_dir = tmp_path_factory.mktemp("stack-var")
    knowledge_dir = var_dir / "knowledge"
    # A copy, so that a test may edit an entry as an editor would without touching the repo.
    shutil.copytree(ROOT / "knowledge", knowledge_dir)
    _fix_team_hours(knowledge_dir / "territory" / "referents.yml")
    overrides = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mailbox.port),
        "MAIL_FROM": "assistant@oh-my-lot.example.org",
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
