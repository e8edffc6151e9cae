"""Fixtures of the action tests: a real API (app env, uvicorn, migrated SQLite in a temp
folder, a small knowledge base written here), a fake Rasa that records trigger_intent
calls, and factories for rasa-sdk trackers.

Run with the bot env: `.venv-bot/bin/python -m pytest tests/actions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import os
import shutil
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.api_client import POOLS
from bot.actions.config import Settings, get_settings
from tests.fakes.api import FakeApi

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
BOT_TOKEN = "test-bot-token"
RASA_TOKEN = "test-rasa-token"
REVIEWED = "2026-11-25"
PARTNER = "cci-lot"
REFERENT = "referente-actions@example.org"

# A small knowledge base of our own, so that the assertions do not depend on the
# editors' content. The texts say plainly that they are test fixtures.
FIXTURE_ENTRIES = {
    "schools/test-lycees-figeac.md": {
        "id": "test-lycees-figeac",
        "theme": "schools",
        "title": "Test : lycées de Figeac",
        "scope": {"communes": ["Figeac"]},
        "body": "Réponse de test sur les lycées de Figeac.",
        "questions": ["Quels lycées à Figeac ?"],
        "keywords": ["lycée", "lycées"],
    },
    "schools/test-ecoles-lot.md": {
        "id": "test-ecoles-lot",
        "theme": "schools",
        "title": "Test : écoles du Lot",
        "scope": "department",
        "body": "Réponse de test sur les écoles, valable pour tout le Lot.",
        "questions": ["Comment inscrire mon enfant à l'école ?"],
        "keywords": ["école", "écoles", "lycée", "collège", "inscription"],
    },
    "housing/test-logement-lot.md": {
        "id": "test-logement-lot",
        "theme": "housing",
        "title": "Test : se loger dans le Lot",
        "scope": "department",
        "body": "Réponse de test sur le logement dans le Lot.",
        "questions": ["Comment trouver un logement ?"],
        "keywords": ["logement", "location", "louer", "acheter"],
    },
    "jobs/test-emploi-lot.md": {
        "id": "test-emploi-lot",
        "theme": "jobs",
        "title": "Test : l'emploi dans le Lot",
        "scope": "department",
        "body": "Réponse de test sur l'emploi dans le Lot.",
        "questions": ["Comment trouver un emploi dans le Lot ?"],
        "keywords": ["emploi", "travail", "poste"],
    },
    "living/test-vivre-figeac.md": {
        "id": "test-vivre-figeac",
        "theme": "living",
        "title": "Test : vivre à Figeac",
        "scope": {"communes": ["Figeac"]},
        "body": "Réponse de test sur la vie à Figeac.",
        "questions": ["Comment vit-on à Figeac ?"],
        "keywords": ["vivre", "vie"],
    },
    "leisure/test-loisirs-lot.md": {
        "id": "test-loisirs-lot",
        "theme": "leisure",
        "title": "Test : loisirs dans le Lot",
        "scope": "department",
        "body": "Réponse de test sur les loisirs dans le Lot.",
        "questions": ["Quels loisirs dans le Lot ?"],
        "keywords": ["loisirs", "sport", "randonnée", "club"],
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_knowledge(directory: Path) -> Path:
    shutil.copytree(ROOT / "knowledge" / "territory", directory / "territory")
    for relative, entry in FIXTURE_ENTRIES.items():
        front = {key: value for key, value in entry.items() if key != "body"}
        front["sources"] = [{"title": "Source de test", "url": "https://example.org/test"}]
        front["reviewed"] = REVIEWED
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
        path.write_text(f"---\n{header}---\n{entry['body']}\n", encoding="utf-8")
    return directory


@dataclass
class ApiServer:
    url: str
    port: int
    env: dict[str, str]
    # The push-API key of PARTNER, for the openings a test pushes.
    partner_key: str
    # The API token of REFERENT, a referent of the Grand-Figeac team (Figeac's cases).
    referent_token: str
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        assert self.log_path is not None
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(APP_PYTHON),
                    "-m",
                    "uvicorn",
                    "api.main:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--no-access-log",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Another process, which signals nothing when it is ready: its /health is asked until
        # it answers (a 1 s request timeout, then a short pause before the next question).
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("API exited early:\n" + self.log_path.read_text()[-3000:])
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError("API did not start:\n" + self.log_path.read_text()[-3000:])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def make_api_server(directory: Path, knowledge_dir: Path) -> ApiServer:
    """An API on its own migrated database; not started yet."""
    if not APP_PYTHON.exists():
        pytest.skip(f"the app env is missing ({APP_PYTHON}): run `make install`")
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{directory / 'api.db'}",
        "KNOWLEDGE_DIR": str(knowledge_dir),
        "KNOWLEDGE_WATCH": "false",
        # The links of "Mon projet d'installation" lead to this API's own page.
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "BOT_API_TOKEN": BOT_TOKEN,
        "RASA_TOKEN": RASA_TOKEN,
        "ADMIN_TOKEN": "test-admin-token",
        "SESSION_SECRET": "test-session-secret-which-is-long-enough",
        # The API must not call a real Rasa from these tests.
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
    }
    # One process for every command: each start of the app env costs seconds of imports.
    commands = " or ".join(
        f"main({argv!r})"
        for argv in (
            ["migrate"],
            ["create-partner-key", "--partner", PARTNER],
            [
                *("create-user", "--email", REFERENT, "--name", "Référente des tests"),
                *("--role", "referent", "--team", "grand-figeac", "--generate-password"),
            ],
            ["create-token", "--email", REFERENT, "--name", "tests des actions"],
        )
    )
    made = subprocess.run(
        [str(APP_PYTHON), "-c", f"import sys; from api.cli import main; sys.exit({commands})"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return ApiServer(
        url=f"http://127.0.0.1:{port}",
        port=port,
        env=env,
        partner_key=next(line for line in made.stdout.splitlines() if line.startswith("olp_")),
        referent_token=next(line for line in made.stdout.splitlines() if line.startswith("oml_")),
        log_path=directory / "api.log",
    )


@pytest.fixture(scope="session")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_knowledge(tmp_path_factory.mktemp("knowledge"))


@pytest.fixture(scope="session")
def api_server(
    tmp_path_factory: pytest.TempPathFactory, knowledge_dir: Path
) -> Iterator[ApiServer]:
    server = make_api_server(tmp_path_factory.mktemp("api"), knowledge_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pushed_opening(api_server: ApiServer) -> dict[str, str]:
    """One business to take over, pushed by a partner through the API's push endpoint."""
    item = {
        "type": "commerce",
        "intitule": "Épicerie de test à reprendre",
        "description": "Épicerie de village, fixture des tests.",
        "commune": "Cajarc",
        "prix_indicatif": "Sur demande",
    }
    response = httpx.put(
        f"{api_server.url}/v1/partners/{PARTNER}/openings/TEST-1",
        json=item,
        headers={"X-Partner-Key": api_server.partner_key},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return item


@contextmanager
def relaying(port: int, target_port: int) -> Iterator[None]:
    """Listens on `port` and relays each connection to `target_port` on this machine: an API
    that comes back at an address where nothing answered, without starting another one."""

    def pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

    class Relay(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with socket.create_connection(("127.0.0.1", target_port)) as upstream:
                back = threading.Thread(target=pump, args=(upstream, self.request), daemon=True)
                back.start()
                pump(self.request, upstream)
                back.join()

    server = socketserver.ThreadingTCPServer(("127.0.0.1", port), Relay)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class FakeRasa:
    """Records the trigger_intent calls the outbox makes."""

    url: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    called: threading.Condition = field(default_factory=threading.Condition)

    def wait_for_calls(self, count: int, timeout_s: float = 60.0) -> list[dict[str, Any]]:
        """The calls once there are `count` of them (fewer after `timeout_s`)."""
        with self.called:
            self.called.wait_for(lambda: len(self.calls) >= count, timeout_s)
            return list(self.calls)


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    rasa = FakeRasa(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            with rasa.called:
                rasa.calls.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
                rasa.called.notify_all()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # shutdown() waits for the serving loop's next look at its flag: every 0.5 s by
    # default, which cost half a second per test.
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    rasa.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield rasa
    server.shutdown()


def use_settings(
    monkeypatch: pytest.MonkeyPatch,
    api_url: str,
    outbox_dir: Path,
    rasa_url: str,
    **extra: str,
) -> Settings:
    """Points the actions at `api_url`; `extra` overrides any variable (RETENTION_DAYS=…)."""
    for key, value in {
        "API_URL": api_url,
        "BOT_API_TOKEN": BOT_TOKEN,
        "RASA_URL": rasa_url,
        "RASA_TOKEN": RASA_TOKEN,
        "ACTIONS_OUTBOX_DIR": str(outbox_dir),
        "API_TIMEOUT_S": "2",
        "API_ATTEMPTS": "2",
        "ACTIONS_OUTBOX_FIRST_RETRY_S": "0.2",
        "ACTIONS_OUTBOX_POLL_S": "0.2",
        "RETENTION_DAYS": "365",
        **extra,
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    return get_settings()


@pytest.fixture
def settings(
    monkeypatch: pytest.MonkeyPatch, api_server: ApiServer, tmp_path: Path, fake_rasa: FakeRasa
) -> Iterator[Settings]:
    yield use_settings(monkeypatch, api_server.url, tmp_path / "outbox", fake_rasa.url)
    get_settings.cache_clear()


@pytest.fixture
def api_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_rasa: FakeRasa
) -> Iterator[Settings]:
    """Settings pointing at a port where nothing listens."""
    down = f"http://127.0.0.1:{free_port()}"
    yield use_settings(monkeypatch, down, tmp_path / "outbox", fake_rasa.url)
    get_settings.cache_clear()


@functools.lru_cache(maxsize=1)
def load_domain() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def api() -> FakeApi:
    """The API's stand-in (tests/fakes/api.py), knowing Figeac and Cahors; give it to the
    action under test: `ActionAnswerTheme(api)`."""
    fake = FakeApi()
    fake.add_commune("46102", "Figeac", "CC du Grand-Figeac")
    fake.add_commune("46042", "Cahors", "CA du Grand Cahors")
    return fake


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@functools.lru_cache(maxsize=1)
def _nlg() -> TemplatedNaturalLanguageGenerator:
    return TemplatedNaturalLanguageGenerator(load_domain()["responses"])


def rendered(message: dict[str, Any], slots: dict[str, Any]) -> dict[str, Any]:
    """A message as Rasa sends it to the visitor: a `response` is filled from domain.yml
    with the slots and the action's values, and the action's buttons follow the response's
    (Rasa's RemoteAction._utter_responses, whose module would load TensorFlow here)."""
    message = dict(message)
    name = message.pop("response", None)
    if not name:
        return message
    filled = {slot: None for slot in load_domain()["slots"]} | slots
    draft = _nlg().generate_from_slots(name, filled, "socketio", **message)
    assert draft is not None, f"{name} is not a response of domain.yml"
    draft["response"] = name
    buttons = message.pop("buttons", None) or []
    if buttons:
        draft.setdefault("buttons", []).extend(buttons)
    draft.update({key: value for key, value in message.items() if value})
    return draft


# -- trackers -----------------------------------------------------------------------------

_clock = [1_764_000_000.0]


def _now() -> float:
    _clock[0] += 1.0
    return _clock[0]


def parse_data(
    intent: str,
    text: str | None = None,
    entities: dict[str, str] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    external: bool = False,
    confidence: float = 1.0,
) -> dict[str, Any]:
    found = []
    for name, value in (entities or {}).items():
        start = (text or "").find(value)
        item: dict[str, Any] = {"entity": name, "value": value}
        if start >= 0:
            item.update(start=start, end=start + len(value))
        found.append(item)
    return {
        "text": text if text is not None else f"/{intent}",
        "intent": {"name": intent, "confidence": confidence},
        "entities": found,
        "intent_ranking": [{"name": n, "confidence": c} for n, c in (ranking or [])],
        "metadata": {"is_external": True} if external else {},
    }


def user(
    intent: str,
    text: str | None = None,
    entities: dict[str, str] | None = None,
    ranking: list[tuple[str, float]] | None = None,
    external: bool = False,
    confidence: float = 1.0,
) -> dict[str, Any]:
    data = parse_data(intent, text, entities, ranking, external, confidence)
    if external:
        data["text"] = f"EXTERNAL: {intent}"
    return {
        "event": "user",
        "timestamp": _now(),
        "text": data["text"],
        "parse_data": data,
        "metadata": data["metadata"],
    }


def bot(text: str, buttons: list[dict[str, str]] | None = None) -> dict[str, Any]:
    return {"event": "bot", "timestamp": _now(), "text": text, "data": {"buttons": buttons or []}}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "timestamp": _now(), "name": name}


def answered(question: dict[str, Any], by: str = "action_answer_theme") -> list[dict[str, Any]]:
    """A visitor message, the action that answered it, and the wait for the next one."""
    return [question, action(by), action("action_listen")]


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "timestamp": _now(), "name": name, "value": value}


def make_tracker(
    events: list[dict[str, Any]],
    slots: dict[str, Any] | None = None,
    sender_id: str = "visitor-1",
) -> Tracker:
    """A tracker whose latest message is the last user event of `events`."""
    latest = next((e["parse_data"] for e in reversed(events) if e["event"] == "user"), {})
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


# -- handoff ------------------------------------------------------------------------------

CONSENT_AT = "2026-11-25T10:00:00+00:00"


def handoff_conversation() -> list[dict[str, Any]]:
    """A visitor asks about schools, asks for a person, agrees and fills the form."""
    return [
        user("ask_schools", "Quels lycées à Figeac ?", {"commune": "Figeac"}),
        bot("Réponse de test sur les lycées de Figeac."),
        user("request_human", "je voudrais parler à quelqu'un"),
        action("action_ask_handoff_consent"),
        bot("Êtes-vous d'accord ?", [{"title": "Oui, je suis d'accord", "payload": "/affirm"}]),
        user("affirm", "/affirm"),
        action("action_record_consent"),
        slot("handoff_consent", CONSENT_AT),
        action("handoff_form"),
        user("give_contact", "Camille"),
        user("give_contact", "camille@example.org"),
    ]


def handoff_slots(**overrides: Any) -> dict[str, Any]:
    """The slots once the handoff form is complete."""
    slots = {
        "handoff_consent": CONSENT_AT,
        "first_name": "Camille",
        "contact": "camille@example.org",
        "contact_email": "camille@example.org",
        "contact_phone": None,
        "commune": "46102",
        "commune_name": "Figeac",
        "last_theme": "schools",
        "handoff_place": None,
        "place_undecided": None,
    }
    return {**slots, **overrides}


@dataclass
class Outcome:
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        """What the visitor reads: a rating tag is custom data, not a message."""
        return [str(m["text"]) for m in self.messages if m.get("text")]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    @property
    def buttons(self) -> list[dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    @property
    def payloads(self) -> list[str]:
        return [b["payload"] for b in self.buttons]

    @property
    def slots(self) -> dict[str, Any]:
        return {e["name"]: e["value"] for e in self.events if e.get("event") == "slot"}


def run(action_: Action, tracker: Tracker, domain: dict[str, Any] | None = None) -> Outcome:
    dispatcher = CollectingDispatcher()
    events = run_in_new_loop(action_.run(dispatcher, tracker, domain or {}))
    return Outcome([rendered(m, tracker.slots) for m in dispatcher.messages], list(events))


def run_in_new_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run`, closing the loop's pooled API connections before the loop ends (the
    action server closes its own when it stops)."""

    async def and_close() -> T:
        try:
            return await coroutine
        finally:
            await POOLS.close()

    return asyncio.run(and_close())


def referent_api(api_server: ApiServer) -> httpx.Client:
    """The API as the Grand-Figeac referent's tools use it (Bearer token)."""
    return httpx.Client(
        base_url=api_server.url,
        headers={"Authorization": f"Bearer {api_server.referent_token}"},
        timeout=30,
    )


def case_of(api_server: ApiServer, reference: str) -> dict[str, Any]:
    """The case as its referent reads it (GET /v1/cases/{reference})."""
    with referent_api(api_server) as api:
        response = api.get(f"/v1/cases/{reference}")
    response.raise_for_status()
    case: dict[str, Any] = response.json()
    return case


def claimed_case(api_server: ApiServer, sender: str) -> str:
    """Submits the handoff of `handoff_conversation()` for `sender` (Figeac: the Grand-Figeac
    team) and has the referent claim it, as from the dashboard; returns the case's reference."""
    from bot.actions.handoff import ActionSubmitHandoff

    submitted = run(
        ActionSubmitHandoff(),
        make_tracker(handoff_conversation(), handoff_slots(), sender_id=sender),
    )
    reference = str(submitted.slots["handoff_reference"])
    with referent_api(api_server) as api:
        response = api.post(f"/v1/cases/{reference}/claim")
    response.raise_for_status()
    assert response.json()["status"] == "claimed"
    return reference
