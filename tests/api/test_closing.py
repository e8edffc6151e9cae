"""After closing: the visitor's satisfaction answer is stored on the case and shown per team;
the conversation is e-mailed to the visitor's address at their request, and recorded."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from api.accounts.models import User
from tests.api.conftest import FakeRasa, Mailbox, UserFactory, login

OpenCase = Callable[..., dict[str, Any]]
Headers = Callable[[User], dict[str, str]]


def _closed_case(
    client: TestClient, new_case: OpenCase, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    case = new_case(**overrides)
    client.post(
        f"/v1/cases/{case['reference']}/reply", json={"text": "Bonjour Camille"}, headers=headers
    )
    client.post(f"/v1/cases/{case['reference']}/close", headers=headers)
    return case


def test_a_rating_and_a_comment_are_stored_and_shown_per_team(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    bot_headers: dict[str, str],
) -> None:
    referent = make_user()
    case = _closed_case(client, new_case, api_headers(referent))
    ref = {"conversation_id": case["conversation_id"], "reference": case["reference"]}

    rated = client.post("/v1/handoffs/satisfaction", json={**ref, "score": 4}, headers=bot_headers)
    commented = client.post(
        "/v1/handoffs/satisfaction",
        json={**ref, "comment": "Très utile, merci"},
        headers=bot_headers,
    )
    login(client, referent)
    page = client.get(f"/tableau-de-bord/dossiers/{case['reference']}").text
    queue = client.get("/tableau-de-bord").text

    assert rated.status_code == commented.status_code == 200
    assert "4 sur 5 : « Très utile, merci »" in page
    assert "Avis des personnes après la clôture" in queue
    assert '<th scope="row">Équipe accueil du Grand-Figeac</th><td>1</td><td>4,0</td>' in queue


def test_a_rating_outside_1_to_5_or_for_an_open_case_is_refused(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    bot_headers: dict[str, str],
) -> None:
    closed = _closed_case(client, new_case, api_headers(make_user()))
    still_open = new_case()

    too_high = client.post(
        "/v1/handoffs/satisfaction",
        json={
            "conversation_id": closed["conversation_id"],
            "reference": closed["reference"],
            "score": 9,
        },
        headers=bot_headers,
    )
    not_closed = client.post(
        "/v1/handoffs/satisfaction",
        json={
            "conversation_id": still_open["conversation_id"],
            "reference": still_open["reference"],
            "score": 5,
        },
        headers=bot_headers,
    )
    other_conversation = client.post(
        "/v1/handoffs/satisfaction",
        json={"conversation_id": "someone-else", "reference": closed["reference"], "score": 1},
        headers=bot_headers,
    )

    assert too_high.status_code == 422
    assert not_closed.status_code == 404
    assert other_conversation.status_code == 404


def test_the_transcript_is_mailed_to_the_visitor_and_recorded_on_the_case(
    client: TestClient,
    fake_rasa: FakeRasa,
    smtp_server: Mailbox,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    bot_headers: dict[str, str],
) -> None:
    referent = make_user()
    case = _closed_case(client, new_case, api_headers(referent))
    before = len(smtp_server.messages)

    response = client.post(
        "/v1/handoffs/transcript-email",
        json={"conversation_id": case["conversation_id"], "reference": case["reference"]},
        headers=bot_headers,
    )

    assert response.json() == {"reference": case["reference"], "sent": True}
    recipients, mail = smtp_server.wait_for(before + 1)[-1]
    body = mail.get_content()
    assert recipients == ["camille@example.net"]
    assert "Je cherche un poste d’infirmier" in body
    assert "L’équipe – " in body
    assert "Bonjour Camille" in body
    login(client, referent)
    assert (
        "Conversation envoyée" in client.get(f"/tableau-de-bord/dossiers/{case['reference']}").text
    )


def test_no_transcript_without_an_e_mail_address(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
    bot_headers: dict[str, str],
) -> None:
    case = _closed_case(
        client,
        new_case,
        api_headers(make_user()),
        contact={"first_name": "Noé", "email": None, "phone": "0612345678"},
    )

    response = client.post(
        "/v1/handoffs/transcript-email",
        json={"conversation_id": case["conversation_id"], "reference": case["reference"]},
        headers=bot_headers,
    )

    assert response.json()["sent"] is False
