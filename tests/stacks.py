"""The real stacks of the app-env suites, one of each per session, booted in the background.

`stack` (API, action server, Rasa with the trained model) serves the e2e and browser suites;
`prod_stack` (2 Rasa + 2 action servers behind nginx, PostgreSQL, Redis) the prod suite.
A stack takes minutes to boot on this 2-core machine, mostly Rasa loading its model, while
pytest runs the API tests on one core: when the session selected a test that needs a stack,
the session's first test starts it in a thread, and the stack's fixture only waits for it.
"""

import contextlib
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psutil
import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session

from api.core.db import make_engine
from api.handoffs.models import Case
from scripts.prod_stack import ProdStack, ensure_nginx, redis_lock_store, throwaway_databases
from scripts.stack import MODEL_PATH, ROOT, Stack
from tests.api.conftest import Mailbox
from tests.conftest import TEST_TOKENS

# Booting in the background shares the cores with the tests that run meanwhile.
BOOT_TIMEOUT_S = 900.0
BOOT_NICENESS = 10

# Teams whose hours the stack's copy of referents.yml fixes, so that the tests do not
# depend on the time they run at: one always open, one closed for the coming days.
ALWAYS_OPEN_TEAM = "grand-figeac"
CLOSED_TEAM = "cauvaldor"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Boot:
    """`stack.start()` in a thread of its own; `ready()` waits for it.

    The boot runs at a lower priority, so that the tests running meanwhile keep their core
    and the boot takes what is left. Once a test waits for the stack, nothing else of the
    session can run, and the boot gets the session's priority back, as do the services once
    they answer (where this user may raise a priority again: root, as in CI)."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._error: BaseException | None = None
        self._thread_id: int | None = None
        self._niceness = os.getpriority(os.PRIO_PROCESS, 0)
        self._thread = threading.Thread(target=self._start, name="stack-boot", daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            # On Linux a thread has its own priority, and the processes it starts inherit it.
            self._thread_id = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, self._thread_id, self._niceness + BOOT_NICENESS)
            self.stack.start(BOOT_TIMEOUT_S)
            self._renice(self._niceness)
        except BaseException as error:  # handed to the test that needs the stack
            self._error = error

    def _renice(self, niceness: int) -> None:
        if self._thread_id is not None and self._thread.is_alive():
            with contextlib.suppress(OSError):  # not allowed, or the boot has just ended
                os.setpriority(os.PRIO_PROCESS, self._thread_id, niceness)
        for service in list(self.stack.services):
            if service.process is not None:
                _renice_tree(service.process.pid, niceness)

    def ready(self) -> Stack:
        if not MODEL_PATH.exists():
            pytest.fail(f"No trained model at {MODEL_PATH}: run 'make train' (make test does).")
        # The services the boot starts meanwhile inherit the thread's priority; those it has
        # started already are raised again each second.
        while self._thread.is_alive():
            self._renice(self._niceness)
            self._thread.join(timeout=1.0)
        if self._error is not None:
            raise RuntimeError(f"the stack did not start: {self._error}") from self._error
        return self.stack

    def stop(self) -> None:
        # Stopping the services first ends a boot still waiting for them (an interrupted
        # session); the second stop takes any service started meanwhile.
        self.stack.stop()
        self._thread.join()
        self.stack.stop()


def _renice_tree(pid: int, niceness: int) -> None:
    with contextlib.suppress(psutil.Error):  # not allowed, or the process has ended
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                process.nice(niceness)


@pytest.fixture(scope="session", autouse=True)
def _boot_stacks_early(request: pytest.FixtureRequest) -> None:
    """Starts the boot of each stack a selected test needs (no-op for the others)."""
    needed = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    if "stack" in needed and MODEL_PATH.exists():
        request.getfixturevalue("stack_boot")
    if "prod_stack" in needed and MODEL_PATH.exists() and prod_skip_reason() is None:
        request.getfixturevalue("prod_boot")


def conversation_cases(database_url: str, conversation_id: str) -> list[Case]:
    """The cases a conversation opened, read from a stack's database through the API's models
    (no referent's view lists cases by conversation)."""
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            query = select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id)
            return list(session.scalars(query))
    finally:
        engine.dispose()


# -- the local stack (e2e and browser suites) ------------------------------------------------


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
def stack_boot(tmp_path_factory: pytest.TempPathFactory, mailbox: StackMailbox) -> Iterator[Boot]:
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
        # The browser tests wait for a case page to show what the visitor wrote.
        "DASHBOARD_REFRESH_SECONDS": "1",
    }
    boot = Boot(Stack(var_dir=var_dir, overrides=overrides))
    yield boot
    boot.stop()


@pytest.fixture(scope="session")
def stack(stack_boot: Boot) -> Stack:
    return stack_boot.ready()


# -- the production topology (prod suite) ----------------------------------------------------


def prod_skip_reason() -> str | None:
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
    reason = prod_skip_reason()
    if reason:
        pytest.skip(reason)
    return make_url(os.environ["TEST_POSTGRES_URL"])


@pytest.fixture(scope="session")
def prod_databases(postgres_server: URL) -> Iterator[dict[str, str]]:
    """Two fresh databases with a random suffix, dropped at the end of the session."""
    with throwaway_databases(postgres_server, "test") as urls:
        yield urls


@pytest.fixture(scope="session")
def prod_boot(
    prod_databases: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Boot]:
    overrides = {
        **TEST_TOKENS,
        **prod_databases,
        **redis_lock_store(os.environ["TEST_REDIS_URL"]),
        # A handoff saved while the API is down is sent again within 2 s of its return
        # (production waits 30 s, then backs off up to 5 min): the fault tests wait for it.
        "ACTIONS_OUTBOX_FIRST_RETRY_S": "1",
        "ACTIONS_OUTBOX_MAX_BACKOFF_S": "2",
        "ACTIONS_OUTBOX_POLL_S": "0.5",
    }
    boot = Boot(ProdStack(var_dir=tmp_path_factory.mktemp("prod-var"), overrides=overrides))
    yield boot
    boot.stop()


@pytest.fixture(scope="session")
def prod_stack(prod_boot: Boot) -> ProdStack:
    running = prod_boot.ready()
    assert isinstance(running, ProdStack)
    return running
