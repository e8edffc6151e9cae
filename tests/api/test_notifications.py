"""A new case is announced by e-mail to the team, in French, without personal data."""

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import Role
from api.core.config import get_settings
from api.notifications.mailer import ConsoleMailer, OutgoingMail, send_with_retries
from tests.api.conftest import Mailbox, UserFactory, free_port

pytestmark = pytest.mark.usefixtures("quiet_rasa")

OpenCase = Callable[..., dict[str, Any]]


def test_new_case_is_mailed_to_the_team_and_its_active_members(
    smtp_server: Mailbox, new_case: OpenCase, make_user: UserFactory, db_session: Session
) -> None:
    make_user(Role.REFERENT, ("grand-figeac",), email="ref.figeac@example.org")
    gone = make_user(Role.REFERENT, ("grand-figeac",), email="ancien@example.org")
    gone.active = False
    db_session.commit()
    make_user(Role.REFERENT, ("cauvaldor",), email="ref.cauvaldor@example.org")

    case = new_case(commune="46102")
    messages = smtp_server.wait_for(2)

    assert sorted(recipient for recipients, _ in messages for recipient in recipients) == [
        "accueil-grand-figeac@example.org",
        "ref.figeac@example.org",
    ]
    _, message = messages[0]
    assert message["Subject"] == (
        f"Nouvelle demande d’accueil {case['reference']} – Équipe accueil du Grand-Figeac"
    )
    assert message["From"] == "assistant@oh-my-lot.example.org"


def test_new_case_mail_has_reference_and_link_but_no_personal_data(
    smtp_server: Mailbox, new_case: OpenCase
) -> None:
    case = new_case(
        commune="46102",
        contact={"first_name": "Camille", "email": "camille@example.net", "phone": "0612345678"},
    )
    [(_, message)] = smtp_server.wait_for(1)
    body = message.get_content()

    assert "Une personne qui envisage de s’installer dans le Lot" in body
    assert f"Référence : {case['reference']}" in body
    assert "Commune visée : Figeac" in body
    assert f"https://accueil.example.org/tableau-de-bord/dossiers/{case['reference']}" in body
    for personal in ("Camille", "camille@example.net", "0612345678", "infirmier"):
        assert personal not in body


def test_duplicate_handoff_does_not_notify_twice(
    client: TestClient, bot_headers: dict[str, str], smtp_server: Mailbox, new_case: OpenCase
) -> None:
    case = new_case()
    smtp_server.wait_for(1)
    payload = {key: case[key] for key in case if key not in ("reference", "status", "team")}
    payload.pop("expected_reply")

    again = client.post("/v1/handoffs", json=payload, headers=bot_headers)

    assert again.status_code == 200
    assert len(smtp_server.wait_for(2, timeout=1.0)) == 1


def test_temporary_smtp_refusal_is_retried(smtp_server: Mailbox, new_case: OpenCase) -> None:
    smtp_server.refuse_next = 1

    new_case()

    assert len(smtp_server.wait_for(1)) == 1


def test_smtp_down_does_not_fail_the_handoff(
    new_case: OpenCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))
    get_settings.cache_clear()

    case = new_case()

    assert case["reference"].startswith("OML-")


def test_console_sink_never_logs_a_visitor_mail_body(
    capsys: pytest.CaptureFixture[str],
) -> None:
    mail = OutgoingMail(
        to="camille@example.net", subject="Réponse", text="Texte privé", personal=True
    )

    assert asyncio.run(send_with_retries(ConsoleMailer("assistant@example.org"), mail))
    output = capsys.readouterr()

    assert "Texte privé" not in output.out + output.err
    assert "camille@example.net" not in output.out + output.err
