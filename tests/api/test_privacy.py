"""Personal data: retention purge (cases and Rasa's tracker store), export, deletion."""

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.cli import main as cli
from api.core.config import get_settings
from api.core.db import utcnow
from api.handoffs import service
from api.handoffs.models import AuditEntry, Case, CaseMessage, CaseNote
from api.handoffs.schemas import HandoffIn
from api.territory.service import get_territory
from tests.api.conftest import UserFactory, handoff_payload, login

pytestmark = pytest.mark.usefixtures("quiet_rasa")

OpenCase = Callable[..., dict[str, Any]]
Headers = Callable[[User], dict[str, str]]


def _add_events(path: Path, sender_id: str, *moments: datetime) -> None:
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
            [
                (sender_id, moment.timestamp(), '{"text": "Je m’appelle Camille"}')
                for moment in moments
            ],
        )


def _events(path: Path) -> list[tuple[str, float]]:
    with sqlite3.connect(path) as connection:
        return list(connection.execute("SELECT sender_id, timestamp FROM events ORDER BY id"))


def _closed_case(
    session: Session, user: User, closed_at: datetime, *, status_closed: bool = True
) -> Case:
    payload = HandoffIn.model_validate(handoff_payload())
    opened_at = closed_at - timedelta(days=2)
    case, _ = service.open_case(
        session, payload, get_territory().team_for_commune("46102"), opened_at
    )
    service.add_note(session, case, user, "Note interne", opened_at)
    service.add_referent_message(session, case, user, "Bonjour Camille", opened_at)
    if status_closed:
        service.close(session, case, user, closed_at)
    return case


def _count(session: Session, model: type[Any]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_purge_deletes_closed_cases_older_than_retention_only(
    app_env: dict[str, str],
    db_session: Session,
    make_user: UserFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = make_user()
    now = utcnow()
    old = _closed_case(db_session, user, now - timedelta(days=400))
    recent = _closed_case(db_session, user, now - timedelta(days=30))
    old_but_open = _closed_case(db_session, user, now - timedelta(days=400), status_closed=False)
    old_reference = old.reference

    code = cli(["purge"])
    db_session.expire_all()

    assert code == 0
    assert "demandes clôturées supprimées : 1" in capsys.readouterr().out
    remaining = set(db_session.scalars(select(Case.reference)))
    assert remaining == {recent.reference, old_but_open.reference}
    assert _count(db_session, CaseMessage) == 2
    assert _count(db_session, CaseNote) == 2
    deleted = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "case.deleted")
    ).one()
    assert deleted.case_reference == old_reference
    assert deleted.details == {"reason": "retention"}


def test_audit_log_never_holds_personal_data(
    app_env: dict[str, str], db_session: Session, make_user: UserFactory
) -> None:
    user = make_user()
    _closed_case(db_session, user, utcnow() - timedelta(days=400))
    cli(["purge"])

    entries = list(db_session.scalars(select(AuditEntry)))
    text = json.dumps([[e.action, e.case_reference, e.details] for e in entries])

    assert {e.action for e in entries} >= {"case.opened", "note.added", "case.deleted"}
    for personal in ("Camille", "camille@example.net", "Bonjour", "Note interne", "infirmier"):
        assert personal not in text


def test_purge_deletes_old_rasa_tracker_events(
    app_env: dict[str, str], tracker_store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = utcnow()
    _add_events(tracker_store, "old-conversation", now - timedelta(days=500))
    _add_events(tracker_store, "mixed", now - timedelta(days=366), now - timedelta(days=2))

    code = cli(["purge"])

    assert code == 0
    assert [sender for sender, _ in _events(tracker_store)] == ["mixed"]
    assert "événements de conversation Rasa supprimés : 2" in capsys.readouterr().out


def test_purge_says_when_there_is_no_tracker_store(
    app_env: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_STORE_URL", raising=False)
    get_settings.cache_clear()

    cli(["purge"])

    assert "TRACKER_STORE_URL non défini" in capsys.readouterr().out


def test_export_holds_everything_about_the_visitor_and_is_audited(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    db_session: Session,
) -> None:
    case = new_case(
        contact={"first_name": "Camille", "email": "camille@example.net", "phone": "0612345678"}
    )
    headers = api_headers(make_user())
    reference = case["reference"]
    client.post(f"/v1/cases/{reference}/reply", json={"text": "Bonjour"}, headers=headers)
    client.post(f"/v1/cases/{reference}/notes", json={"text": "À rappeler"}, headers=headers)

    export = client.get(f"/v1/cases/{reference}/export", headers=headers).json()

    assert export["contact"] == {
        "first_name": "Camille",
        "email": "camille@example.net",
        "phone": "0612345678",
    }
    assert export["consent_text"].startswith("J’accepte")
    assert export["transcript"][0]["text"] == "Je cherche un poste d’infirmier"
    assert [m["text"] for m in export["messages"]] == ["Bonjour"]
    assert [n["text"] for n in export["notes"]] == ["À rappeler"]
    assert export["exported_at"]
    assert db_session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "case.exported", AuditEntry.case_reference == reference
        )
    ).one()


def test_delete_on_request_erases_case_and_conversation_and_is_audited(
    client: TestClient,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    db_session: Session,
    tracker_store: Path,
) -> None:
    case = new_case()
    _add_events(tracker_store, case["conversation_id"], utcnow())
    _add_events(tracker_store, "someone-else", utcnow())
    headers = api_headers(make_user())
    reference = case["reference"]
    client.post(f"/v1/cases/{reference}/notes", json={"text": "À rappeler"}, headers=headers)

    response = client.delete(f"/v1/cases/{reference}", headers=headers)

    assert response.status_code == 204
    assert client.get(f"/v1/cases/{reference}", headers=headers).status_code == 404
    assert _count(db_session, Case) == 0
    assert _count(db_session, CaseNote) == 0
    assert [sender for sender, _ in _events(tracker_store)] == ["someone-else"]
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "case.deleted")).one()
    assert entry.case_reference == reference


def test_referent_of_another_team_cannot_delete(
    client: TestClient, new_case: OpenCase, make_user: UserFactory, api_headers: Headers
) -> None:
    reference = new_case(commune="46102")["reference"]
    other = api_headers(make_user(teams=("cauvaldor",)))

    assert client.delete(f"/v1/cases/{reference}", headers=other).status_code == 404


def test_cli_exports_then_deletes_a_case(
    client: TestClient,
    new_case: OpenCase,
    tmp_path: Path,
    db_session: Session,
    capsys: pytest.CaptureFixture[str],
) -> None:
    reference = new_case()["reference"]
    output = tmp_path / "export.json"

    exported = cli(["export-case", reference, "--output", str(output)])
    deleted = cli(["delete-case", reference.lower()])
    missing = cli(["delete-case", reference])

    assert exported == 0
    assert json.loads(output.read_text())["contact"]["first_name"] == "Camille"
    assert deleted == 0
    assert missing == 2
    assert f"Aucune demande {reference}" in capsys.readouterr().out
    actions = list(
        db_session.scalars(
            select(AuditEntry.actor_kind + ":" + AuditEntry.action).where(
                AuditEntry.case_reference == reference
            )
        )
    )
    assert "cli:case.exported" in actions
    assert "cli:case.deleted" in actions


def test_dashboard_delete_needs_the_confirmation_box(
    client: TestClient, new_case: OpenCase, make_user: UserFactory, db_session: Session
) -> None:
    reference = new_case()["reference"]
    csrf = login(client, make_user())

    unconfirmed = client.post(
        f"/tableau-de-bord/dossiers/{reference}/supprimer", data={"csrf_token": csrf}
    )
    confirmed = client.post(
        f"/tableau-de-bord/dossiers/{reference}/supprimer",
        data={"csrf_token": csrf, "confirmer": "oui"},
    )

    assert unconfirmed.status_code == 400
    assert "Cochez la case de confirmation" in unconfirmed.text
    assert "La demande et toutes ses données ont été supprimées." in confirmed.text
    assert _count(db_session, Case) == 0


def test_dashboard_export_downloads_json(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    reference = new_case()["reference"]
    login(client, make_user())

    response = client.get(f"/tableau-de-bord/dossiers/{reference}/export")

    assert response.headers["content-disposition"] == (
        f'attachment; filename="demande-{reference}.json"'
    )
    assert response.json()["reference"] == reference
