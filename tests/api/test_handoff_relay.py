"""Live relay: a referent's words reach the visitor's chat through Rasa's trigger_intent, or
their mailbox when they left, and are never lost when Rasa is down."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.core.db import utcnow
from api.handoffs import service
from api.handoffs.relay import RasaRelay
from tests.api.conftest import FakeRasa, Mailbox, UserFactory, free_port, login

pytestmark = pytest.mark.usefixtures("quiet_rasa")

OpenCase = Callable[..., dict[str, Any]]
Headers = Callable[[User], dict[str, str]]


def _visitor_left(db_session: Session, reference: str, minutes: int = 60) -> None:
    case = service.get_case(db_session, reference)
    assert case is not None
    case.last_visitor_activity_at = utcnow() - timedelta(minutes=minutes)
    db_session.commit()


def test_relay_calls_rasa_trigger_intent_like_the_http_api_expects(fake_rasa: FakeRasa) -> None:
    relay = RasaRelay(fake_rasa.url, fake_rasa.token)

    delivered = relay.referent_message("conv/42 é", "Bonjour Camille", "Équipe accueil du Lot")

    assert delivered is True
    [call] = fake_rasa.calls
    assert call["conversation_id"] == "conv/42 é"
    assert call["query"] == {"output_channel": "latest", "token": fake_rasa.token}
    assert call["body"] == {
        "name": "EXTERNAL_referent_message",
        "entities": {
            "referent_message": "Bonjour Camille",
            "referent_team": "Équipe accueil du Lot",
        },
    }


def test_relay_reports_failure_when_rasa_refuses_the_token(fake_rasa: FakeRasa) -> None:
    relay = RasaRelay(fake_rasa.url, "wrong-token")
    assert relay.handoff_claimed("conv-1", "Équipe", takeover=False) is False


def test_relay_reports_failure_quickly_when_rasa_is_down() -> None:
    relay = RasaRelay(f"http://127.0.0.1:{free_port()}", "token")
    assert relay.handoff_closed("conv-1", "Équipe") is False


def test_claim_reply_and_close_reach_the_visitor_chat(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    case = new_case(commune="46102")
    headers = api_headers(make_user(name="Alex Martin"))
    reference = case["reference"]

    client.post(f"/v1/cases/{reference}/claim", headers=headers)
    reply = client.post(
        f"/v1/cases/{reference}/reply",
        json={"text": "Bonjour Camille, je suis là."},
        headers=headers,
    ).json()
    client.post(f"/v1/cases/{reference}/close", headers=headers)

    assert reply["delivered_via"] == "chat"
    assert fake_rasa.intents() == [
        "EXTERNAL_handoff_claimed",
        "EXTERNAL_referent_message",
        "EXTERNAL_handoff_closed",
    ]
    assert {call["conversation_id"] for call in fake_rasa.calls} == {case["conversation_id"]}
    assert fake_rasa.calls[0]["body"]["entities"] == {
        "referent_team": "Équipe accueil du Grand-Figeac"
    }
    assert fake_rasa.calls[1]["body"]["entities"]["referent_message"] == (
        "Bonjour Camille, je suis là."
    )


def test_first_reply_on_a_new_case_switches_the_chat_to_live_first(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    reference = new_case()["reference"]

    client.post(
        f"/v1/cases/{reference}/reply", json={"text": "Bonjour"}, headers=api_headers(make_user())
    )

    assert fake_rasa.intents() == ["EXTERNAL_handoff_claimed", "EXTERNAL_referent_message"]


def test_reply_stays_pending_when_rasa_is_down_and_nobody_can_be_mailed(
    client: TestClient, new_case: OpenCase, make_user: UserFactory, api_headers: Headers
) -> None:
    reference = new_case(contact={"first_name": "Noé", "email": None, "phone": None})["reference"]
    headers = api_headers(make_user())

    reply = client.post(
        f"/v1/cases/{reference}/reply", json={"text": "Bonjour Noé"}, headers=headers
    )
    detail = client.get(f"/v1/cases/{reference}", headers=headers).json()

    assert reply.status_code == 201
    assert reply.json()["delivered_via"] == "pending"
    assert detail["pending_messages"] == 1
    assert [m["text"] for m in detail["messages"]] == ["Bonjour Noé"]


def test_pending_reply_is_shown_as_such_in_the_dashboard(
    client: TestClient, new_case: OpenCase, make_user: UserFactory
) -> None:
    reference = new_case(contact={"first_name": "Noé", "email": None, "phone": None})["reference"]
    csrf = login(client, make_user())

    response = client.post(
        f"/tableau-de-bord/dossiers/{reference}/repondre",
        data={"texte": "Bonjour Noé", "csrf_token": csrf},
    )

    assert response.status_code == 200
    assert "n’a pas pu être remise pour l’instant" in response.text
    assert "En attente d’envoi" in response.text
    assert "Renvoyer les messages en attente (1)" in response.text


def test_pending_reply_is_delivered_when_the_visitor_writes_again(
    client: TestClient,
    fake_rasa: FakeRasa,
    bot_headers: dict[str, str],
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    case = new_case(contact={"first_name": "Noé", "email": None, "phone": None})
    reference = case["reference"]
    headers = api_headers(make_user())
    client.post(f"/v1/cases/{reference}/claim", headers=headers)
    fake_rasa.available = False
    reply = client.post(
        f"/v1/cases/{reference}/reply", json={"text": "Vous êtes là ?"}, headers=headers
    ).json()
    fake_rasa.available = True

    client.post(
        "/v1/handoffs/visitor-messages",
        json={"conversation_id": case["conversation_id"], "text": "Oui, je suis là"},
        headers=bot_headers,
    )
    detail = client.get(f"/v1/cases/{reference}", headers=headers).json()

    assert reply["delivered_via"] == "pending"
    assert fake_rasa.calls[-1]["body"]["entities"]["referent_message"] == "Vous êtes là ?"
    assert detail["pending_messages"] == 0
    assert [(m["text"], m["delivered_via"]) for m in detail["messages"]] == [
        ("Vous êtes là ?", "chat"),
        ("Oui, je suis là", "chat"),
    ]


def test_reply_goes_by_email_when_the_visitor_left(
    client: TestClient,
    fake_rasa: FakeRasa,
    smtp_server: Mailbox,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    db_session: Session,
) -> None:
    case = new_case(commune="46102")
    reference = case["reference"]
    smtp_server.wait_for(1)  # the new-case notification to the team
    smtp_server.messages.clear()
    _visitor_left(db_session, reference)
    text = "Bonjour Camille,\nvoici les offres <script>alert(1)</script> du moment."

    reply = client.post(
        f"/v1/cases/{reference}/reply", json={"text": text}, headers=api_headers(make_user())
    ).json()

    assert reply["delivered_via"] == "email"
    [(recipients, message)] = smtp_server.wait_for(1)
    assert recipients == ["camille@example.net"]
    assert (
        message["Subject"] == f"Réponse de l’équipe accueil du Grand-Figeac – demande {reference}"
    )
    assert message["Reply-To"] == "accueil-grand-figeac@example.org"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    assert "Bonjour Camille" in plain.get_content()
    assert "<script>alert(1)</script>" in plain.get_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.get_content()
    assert "<script>" not in html.get_content()
    # The chat got it too, for when the visitor comes back.
    assert "EXTERNAL_referent_message" in fake_rasa.intents()


def test_reply_goes_by_email_when_rasa_is_down_even_if_visitor_present(
    client: TestClient,
    smtp_server: Mailbox,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    reference = new_case()["reference"]
    smtp_server.wait_for(1)
    smtp_server.messages.clear()

    reply = client.post(
        f"/v1/cases/{reference}/reply", json={"text": "Bonjour"}, headers=api_headers(make_user())
    ).json()

    assert reply["delivered_via"] == "email"
    assert smtp_server.wait_for(1)[0][0] == ["camille@example.net"]
