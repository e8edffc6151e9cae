"""Fixtures of the API suites: accounts, logged-in browsers, handoff payloads, and real local
servers standing in for Rasa's HTTP API and for an SMTP relay."""

import re
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import yaml
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from api.accounts import service as accounts
from api.accounts.models import Role, User
from api.accounts.sessions import COOKIE_NAME, SessionCodec
from api.core import db
from api.core.config import get_settings
from tests.fakes.serve import free_port as free_port  # re-exported: tests import it from here
from tests.fakes.serve import serving

if TYPE_CHECKING:
    from api.knowledge.service import KnowledgeService
    from api.openings.models import Opening
    from api.territory.service import Territory

PASSWORD = "un mot de passe assez long"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
_serial = count(1)


@pytest.fixture
def quiet_rasa(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rasa on a port nobody listens on, no SMTP, no tracker store: a test must not reach
    the Rasa, mail or tracker database of a stack running on this machine.
    Use with `pytest.mark.usefixtures("quiet_rasa")`."""
    monkeypatch.setenv("RASA_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    get_settings.cache_clear()


@pytest.fixture
def db_session(app_env: dict[str, str]) -> Iterator[Session]:
    with db.session_factory()() as session:
        yield session


UserFactory = Callable[..., User]


@pytest.fixture
def make_user(db_session: Session) -> UserFactory:
    def make(
        role: Role = Role.REFERENT,
        teams: tuple[str, ...] = ("grand-figeac",),
        *,
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
    ) -> User:
        serial = next(_serial)
        return accounts.create_user(
            db_session,
            email=email or f"{role.value}{serial}@example.org",
            display_name=name or f"Référent {serial}",
            role=role,
            password=password,
            team_ids=teams if role == Role.REFERENT else (),
        )

    return make


def handoff_payload(**overrides: Any) -> dict[str, Any]:
    """A valid POST /v1/handoffs body as the action server sends it; override any field."""
    serial = next(_serial)
    payload: dict[str, Any] = {
        "idempotency_key": f"conv-{serial}-handoff-0001",
        "conversation_id": f"conv-{serial}",
        "consent": {
            "text": "J’accepte que mon prénom, mes coordonnées et cette conversation soient "
            "transmis à l’équipe accueil du territoire pendant 12 mois.",
            "given_at": datetime.now(UTC).isoformat(),
        },
        "contact": {"first_name": "Camille", "email": "camille@example.net", "phone": None},
        "commune": "46102",
        "profile": {"theme": "jobs", "job": "infirmier"},
        "transcript": [
            {"role": "visitor", "text": "Je cherche un poste d’infirmier", "at": None},
            {"role": "bot", "text": "Voici quelques pistes…", "at": None},
        ],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def new_case(client: TestClient, bot_headers: dict[str, str]) -> Callable[..., dict[str, Any]]:
    """Opens a case through the bot's endpoint; returns the payload plus the response body."""

    def open_case(**overrides: Any) -> dict[str, Any]:
        payload = handoff_payload(**overrides)
        response = client.post("/v1/handoffs", json=payload, headers=bot_headers)
        assert response.status_code == 201, response.text
        return {**payload, **response.json()}

    return open_case


def csrf_token(html: str) -> str:
    match = _CSRF_RE.search(html)
    assert match is not None, "no CSRF field in the page"
    return match.group(1)


def post_login(client: TestClient, email: str, password: str) -> httpx.Response:
    """Submits the login form once, as a browser would (CSRF token of the page included)."""
    page = client.get("/connexion")
    return client.post(
        "/connexion",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )


def login(client: TestClient, user: User, password: str = PASSWORD) -> str:
    """Logs the browser in; returns the CSRF token of the logged-in session."""
    token = csrf_token(client.get("/connexion").text)
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    # Read from the signed cookie: an editor's pages may carry no form to take it from.
    session = SessionCodec(get_settings().session_secret, 3600).loads(
        client.cookies.get(COOKIE_NAME)
    )
    assert session is not None
    return session.csrf


@pytest.fixture
def api_headers(db_session: Session) -> Callable[[User], dict[str, str]]:
    def headers(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {accounts.create_api_token(db_session, user, 'tests')}"}

    return headers


# --- A local server shaped like Rasa's trigger_intent endpoint ------------------------------


@dataclass
class FakeRasa:
    url: str
    token: str
    calls: list[dict[str, Any]] = field(default_factory=list)
    # False: answers 503 like a Rasa server that is restarting.
    available: bool = True
    # The tracker events GET /conversations/{id}/tracker answers, by conversation id.
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def intents(self) -> list[str]:
        return [call["body"]["name"] for call in self.calls]


@pytest.fixture
def fake_rasa(
    quiet_rasa: None, app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeRasa]:
    """Answers like Rasa 3.6's POST /conversations/{id}/trigger_intent (rasa/server.py)."""
    port = free_port()
    rasa = FakeRasa(url=f"http://127.0.0.1:{port}", token=app_env["RASA_TOKEN"])

    async def trigger_intent(request: Request) -> JSONResponse:
        if not rasa.available:
            return JSONResponse({"status": "failure", "code": 503}, status_code=503)
        if request.query_params.get("token") != rasa.token:
            return JSONResponse({"status": "failure", "code": 401}, status_code=401)
        body = await request.json()
        conversation_id = request.path_params["conversation_id"]
        rasa.calls.append(
            {
                "conversation_id": conversation_id,
                "query": dict(request.query_params),
                "body": body,
            }
        )
        tracker = {"sender_id": conversation_id, "slots": {}, "latest_message": {}, "events": []}
        return JSONResponse({"tracker": tracker, "messages": []})

    async def tracker(request: Request) -> JSONResponse:
        if not rasa.available:
            return JSONResponse({"status": "failure", "code": 503}, status_code=503)
        if request.query_params.get("token") != rasa.token:
            return JSONResponse({"status": "failure", "code": 401}, status_code=401)
        conversation_id = request.path_params["conversation_id"]
        return JSONResponse(
            {"sender_id": conversation_id, "events": rasa.events.get(conversation_id, [])}
        )

    app = Starlette(
        routes=[
            Route(
                "/conversations/{conversation_id:path}/trigger_intent",
                trigger_intent,
                methods=["POST"],
            ),
            Route("/conversations/{conversation_id:path}/tracker", tracker, methods=["GET"]),
        ]
    )
    monkeypatch.setenv("RASA_URL", rasa.url)
    get_settings.cache_clear()
    with serving(app, port):
        yield rasa


# --- A real SMTP server (aiosmtpd) -----------------------------------------------------------


@dataclass
class Mailbox:
    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse_next: int = 0
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        if self.refuse_next:
            self.refuse_next -= 1
            return "451 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.arrived:
            self.messages.append((list(envelope.rcpt_tos), message))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[list[str], EmailMessage]]:
        """The messages once `count` have arrived (fewer after `timeout` seconds)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
            return list(self.messages)


@pytest.fixture
def smtp_server(
    quiet_rasa: None, app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Mailbox]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("MAIL_FROM", "assistant@oh-my-lot.example.org")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://accueil.example.org")
    get_settings.cache_clear()
    yield mailbox
    controller.stop()


# --- Knowledge, territory and editors' page -------------------------------------------------

KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="session")
def territory() -> "Territory":
    from api.territory.service import load_territory

    return load_territory(KNOWLEDGE_DIR / "territory")


@pytest.fixture(scope="session")
def real_knowledge() -> "KnowledgeService":
    """The real content, loaded and indexed once for the whole session (spaCy is slow)."""
    from api.knowledge.service import KnowledgeService

    service = KnowledgeService.from_settings(get_settings())
    service.reload()
    return service


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge directory."""
    copy = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, copy)
    return copy


@pytest.fixture
def write_entry() -> Callable[..., Path]:
    """Factory of knowledge files: a valid entry unless a field is overridden (None drops it)."""

    def write(
        root: Path,
        entry_id: str = "fiche-de-test",
        *,
        folder: str | None = None,
        body: str = "Une réponse courte et vraie, avec sa source.",
        **fields: Any,
    ) -> Path:
        front: dict[str, Any] = {
            "id": entry_id,
            "theme": "housing",
            "title": "Une fiche de test",
            "scope": "department",
            "sources": [{"title": "ANIL – Réseau des ADIL", "url": "https://www.anil.org"}],
            # The date the broken fixtures carry, so that tests with a fixed "today" agree.
            "reviewed": "2026-11-01",
            "questions": ["Une question de test ?"],
            "keywords": ["test"],
        }
        front.update(fields)
        front = {key: value for key, value in front.items() if value is not None}
        path = root / (folder or str(front.get("theme", "housing"))) / f"{entry_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
        path.write_text(f"---\n{header}---\n{body}\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def knowledge_client(
    app_env: dict[str, str], knowledge_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    """An API client serving the writable copy of the knowledge (no file watcher)."""
    from api.main import create_app

    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_copy))
    get_settings.cache_clear()
    with TestClient(create_app()) as test_client:
        yield test_client


# --- Openings: partners' job offers and takeovers ------------------------------------------


@pytest.fixture
def sessions(app_env: dict[str, str]) -> "sessionmaker[Session]":
    return db.session_factory()


@pytest.fixture
def make_opening(
    sessions: "sessionmaker[Session]", territory: "Territory"
) -> Callable[..., "Opening"]:
    """Saves one opening through the importers' upsert; every field has a plain default."""
    from api.openings.models import Kind
    from api.openings.records import OpeningRecord
    from api.openings.service import find_by_ref, upsert_records

    def make(
        ref: str | None = None,
        *,
        title: str = "Infirmier (H/F)",
        description: str = "Poste en établissement de santé.",
        commune: str = "46042",
        kind: Kind = Kind.JOB,
        partner: str = "cci-lot",
        created: datetime | None = None,
        expires: datetime | None = None,
        contract: str | None = "CDI",
        is_sample: bool = False,
    ) -> "Opening":
        place = territory.commune(commune)
        assert place is not None, commune
        ref = ref or f"REF-{next(_serial)}"
        record = OpeningRecord(
            partner_ref=ref,
            kind=kind,
            title=title,
            description=description,
            created_at=created or datetime.now(UTC) - timedelta(days=1),
            updated_at=None,
            commune_insee=place.insee,
            commune_name=place.name,
            latitude=place.latitude,
            longitude=place.longitude,
            contract_type=contract,
            expires_at=expires,
        )
        with sessions() as session, session.begin():
            upsert_records(session, partner, [record], is_sample=is_sample)
        with sessions() as session:
            opening = find_by_ref(session, partner, ref)
            assert opening is not None
            return opening

    return make


# --- Visitors' ratings of answers, as the demo page's script sends them ---------------------

# An entry of the real knowledge base, rated in the feedback and review tests.
RATED_ENTRY = "logement-figeac"


def feedback_payload(**overrides: Any) -> dict[str, Any]:
    """A PUT /v1/feedback/{key} body, signed like the action server signs an answer."""
    from api.feedback.signing import answer_signature

    answer: dict[str, Any] = {
        "entry_id": RATED_ENTRY,
        "question": "Comment trouver une location à Figeac ?",
        "theme": "housing",
        "commune": "46102",
    }
    answer.update({key: overrides.pop(key) for key in list(overrides) if key in answer})
    signature = answer_signature(
        get_settings().bot_api_token,
        answer["entry_id"],
        answer["question"],
        answer["theme"],
        answer["commune"],
    )
    payload: dict[str, Any] = {**answer, "signature": signature, "rating": "down"}
    payload.update(overrides)
    return payload


RateAnswer = Callable[..., Any]


@pytest.fixture
def rate(client: TestClient) -> RateAnswer:
    """Sends one rating under a fresh key; returns the response."""

    def send(key: str | None = None, **overrides: Any) -> Any:
        import uuid

        return client.put(f"/v1/feedback/{key or uuid.uuid4()}", json=feedback_payload(**overrides))

    return send


# --- Rasa's tracker store, as the analytics and the retention purge read it ---------------

# The events table exactly as Rasa 3.6.21's SQLTrackerStore creates it on SQLite.
RASA_EVENTS_DDL = """
CREATE TABLE events (
    id INTEGER NOT NULL,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX ix_events_sender_id ON events (sender_id);
"""


@pytest.fixture
def tracker_store(quiet_rasa: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty tracker store of Rasa's shape, the one TRACKER_STORE_URL points to."""
    path = tmp_path / "rasa-tracker.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(RASA_EVENTS_DDL)
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{path}")
    get_settings.cache_clear()
    return path
