"""What a visitor and a referent see when a process or the database goes down."""

import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from scripts.prod_stack import ProdStack
from tests.conftest import postgresql_lock
from tests.prod.conftest import TURN_TIMEOUT_S, user_texts
from tests.stacks import conversation_cases

pytestmark = pytest.mark.prod


def say(stack: ProdStack, sender: str, message: str) -> list[dict[str, Any]]:
    """One visitor turn through nginx, sent once more if it failed (as the widget does)."""
    for _attempt in range(2):
        try:
            response = httpx.post(
                f"{stack.public_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                timeout=TURN_TIMEOUT_S,
            )
        except httpx.HTTPError:
            continue
        if response.status_code == 200:
            answer: list[dict[str, Any]] = response.json()
            return answer
    raise AssertionError(f"no answer to {message!r} after one retry")


def requested_slot(stack: ProdStack, sender: str) -> str | None:
    response = httpx.get(
        f"{stack.rasa_url}/conversations/{sender}/tracker",
        params={"token": stack.env["RASA_TOKEN"]},
        timeout=30,
    )
    response.raise_for_status()
    slot: str | None = response.json()["slots"].get("requested_slot")
    return slot


def test_handoff_sent_while_the_api_is_down_opens_exactly_one_case(
    prod_stack: ProdStack, prod_databases: dict[str, str]
) -> None:
    sender = f"handoff-{uuid.uuid4().hex[:10]}"
    say(prod_stack, sender, "Je cherche du travail à Figeac")
    # Payloads, as the widget's buttons send them: the test does not depend on the NLU.
    say(prod_stack, sender, "/request_human")
    say(prod_stack, sender, "/affirm")
    assert requested_slot(prod_stack, sender) == "first_name"

    prod_stack.kill_service("api")
    try:
        say(prod_stack, sender, "Camille")
        say(prod_stack, sender, "camille.essai@example.org")
        assert requested_slot(prod_stack, sender) is None
        assert len(pending_handoffs(prod_stack)) == 1
    finally:
        prod_stack.restart_service("api")

    # The action server's outbox sends the saved request again once the API is back, and
    # forgets it only once the case exists: an empty outbox means nothing more will be sent.
    # The outboxes belong to the action servers' processes, which signal nothing here: their
    # folders are looked at again every 0.2 s.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and pending_handoffs(prod_stack):
        time.sleep(0.2)
    assert pending_handoffs(prod_stack) == []
    assert len(conversation_cases(prod_databases["DATABASE_URL"], sender)) == 1


def pending_handoffs(stack: ProdStack) -> list[Path]:
    return sorted(stack.var_dir.glob("outbox-*/*.json"))


def restart_postgresql() -> None:
    clusters = sorted(Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    if not clusters or not shutil.which("pg_ctlcluster") or os.geteuid() != 0:
        pytest.skip("restarting PostgreSQL needs root and a local Debian cluster (pg_ctlcluster)")
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            clusters[-1].name,
            "main",
            "restart",
        ],
        check=True,
        timeout=120,
    )


def wait_until_postgresql_accepts(server: URL, timeout_s: float = 90) -> None:
    # A restarting server says nothing to its clients: it is asked once a second.
    engine = create_engine(server.set(drivername="postgresql+psycopg"))
    deadline = time.monotonic() + timeout_s
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
    finally:
        engine.dispose()


def test_api_recovers_by_itself_after_postgresql_restarts(
    prod_stack: ProdStack, postgres_server: URL
) -> None:
    if postgres_server.host not in ("127.0.0.1", "localhost"):
        pytest.skip("only the PostgreSQL of this machine is restarted")
    headers = {"Authorization": f"Bearer {prod_stack.env['BOT_API_TOKEN']}"}

    def log_question(index: int) -> int:
        response = httpx.post(
            f"{prod_stack.api_url}/v1/unanswered",
            json={"text": f"Question de test {index}", "theme_guess": None, "commune": None},
            headers=headers,
            timeout=30,
        )
        return response.status_code

    # Every API worker holds pooled connections that the restart is about to break.
    assert [log_question(i) for i in range(8)] == [201] * 8

    # No test of another session uses PostgreSQL meanwhile (make test runs them side by side).
    with postgresql_lock(exclusive=True):
        restart_postgresql()
        wait_until_postgresql_accepts(postgres_server)

    assert [log_question(i) for i in range(8, 16)] == [201] * 8
    # And a visitor's conversation goes on (one retry at most, as the widget does).
    sender = f"pg-restart-{uuid.uuid4().hex[:10]}"
    say(prod_stack, sender, "Bonjour")
    say(prod_stack, sender, "Comment trouver un logement à Cahors ?")
    assert user_texts(prod_stack, sender)[-2:] == [
        "Bonjour",
        "Comment trouver un logement à Cahors ?",
    ]
