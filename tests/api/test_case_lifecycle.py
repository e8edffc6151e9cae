"""The life of a case between the request and the claim: what the visitor writes meanwhile
reaches the case in order, and each person who takes the case is announced once."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from api.accounts.models import User
from tests.api.conftest import FakeRasa, UserFactory, login

OpenCase = Callable[..., dict[str, Any]]
Headers = Callable[[User], dict[str, str]]


def _event(kind: str, text: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"event": kind, "text": text, "timestamp": at.timestamp(), **extra}


def test_messages_written_before_the_claim_reach_the_case_in_order(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    sent = datetime.now(UTC) - timedelta(minutes=5)
    case = new_case(
        transcript=[{"role": "visitor", "text": "Je cherche un poste", "at": sent.isoformat()}]
    )
    later = sent + timedelta(minutes=1)
    fake_rasa.events[case["conversation_id"]] = [
        _event("user", "Je cherche un poste", sent),
        _event("bot", "Merci, votre demande est bien transmise…", later),
        _event("user", "Et pour les écoles à Figeac ?", later + timedelta(seconds=10)),
        _event(
            "bot",
            "Voici les écoles de Figeac.",
            later + timedelta(seconds=11),
            data={"buttons": [{"title": "Logement", "payload": "/ask_housing"}]},
        ),
        _event("user", "/ask_housing", later + timedelta(seconds=20)),
        _event(
            "user",
            "EXTERNAL: EXTERNAL_handoff_claimed",
            later + timedelta(seconds=30),
            metadata={"is_external": True},
        ),
    ]
    headers = api_headers(make_user())

    seen = client.get(f"/v1/cases/{case['reference']}", headers=headers).json()
    client.post(f"/v1/cases/{case['reference']}/claim", headers=headers)
    after_claim = client.get(f"/v1/cases/{case['reference']}", headers=headers).json()

    texts = [(turn["role"], turn["text"]) for turn in seen["transcript"]]
    assert texts == [
        ("visitor", "Je cherche un poste"),
        ("bot", "Merci, votre demande est bien transmise…"),
        ("visitor", "Et pour les écoles à Figeac ?"),
        ("bot", "Voici les écoles de Figeac."),
        ("visitor", "Logement"),
    ]
    assert after_claim["transcript"] == seen["transcript"]


def test_the_referent_sees_the_waiting_messages_on_the_case_page(
    client: TestClient, fake_rasa: FakeRasa, new_case: OpenCase, make_user: UserFactory
) -> None:
    case = new_case()
    fake_rasa.events[case["conversation_id"]] = [
        _event("user", "Je repasse ce soir, merci !", datetime.now(UTC) + timedelta(seconds=1))
    ]
    login(client, make_user())

    page = client.get(f"/tableau-de-bord/dossiers/{case['reference']}").text

    assert "en attendant qu’un référent la prenne en charge" in page
    assert "Je repasse ce soir, merci !" in page


def test_claiming_twice_or_double_clicking_announces_the_referent_once(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
) -> None:
    reference = new_case()["reference"]
    csrf = login(client, make_user(name="Alex Martin"))

    for _ in range(3):
        client.post(f"/tableau-de-bord/dossiers/{reference}/prendre", data={"csrf_token": csrf})

    assert fake_rasa.intents() == ["EXTERNAL_handoff_claimed"]


def test_two_claims_at_the_same_moment_announce_once(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    reference = new_case()["reference"]
    headers = api_headers(make_user())
    start = threading.Barrier(2)

    def claim() -> None:
        start.wait()
        client.post(f"/v1/cases/{reference}/claim", headers=headers)

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert fake_rasa.intents() == ["EXTERNAL_handoff_claimed"]


def test_a_colleague_taking_over_is_announced_once_without_a_name(
    client: TestClient,
    fake_rasa: FakeRasa,
    new_case: OpenCase,
    make_user: UserFactory,
    api_headers: Headers,
) -> None:
    reference = new_case()["reference"]
    first = api_headers(make_user(name="Alex Martin"))
    colleague = api_headers(make_user(name="Sam Durand"))

    client.post(f"/v1/cases/{reference}/claim", headers=first)
    client.post(f"/v1/cases/{reference}/claim", headers=colleague)
    client.post(f"/v1/cases/{reference}/claim", headers=colleague)
    client.post(f"/v1/cases/{reference}/reply", json={"text": "Bonjour"}, headers=colleague)

    announcements = [
        call["body"]["entities"]
        for call in fake_rasa.calls
        if call["body"]["name"] == "EXTERNAL_handoff_claimed"
    ]
    team = "Équipe accueil du Grand-Figeac"
    assert announcements == [
        {"referent_team": team},
        {"referent_team": team, "referent_takeover": "true"},
    ]


def test_the_visitor_is_told_the_assistant_keeps_answering_and_the_team_sees_everything(
    new_case: OpenCase,
) -> None:
    expected = new_case()["expected_reply"]

    assert "L’équipe voit toute notre conversation" in expected
    assert "je continue à répondre à vos questions" in expected
