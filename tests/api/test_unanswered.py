"""Questions the assistant could not answer: kept for editors, without personal data."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from api.core.db import make_engine
from api.db_migrate import upgrade
from api.unanswered import service
from api.unanswered.models import UnansweredQuestion
from tests.conftest import postgres_url


def unanswered_payload(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "text": "Y a-t-il un club de rugby à Gourdon ?",
        "theme_guess": "leisure",
        "commune": "46127",
    }
    payload.update(overrides)
    return payload


def test_bot_logs_an_unanswered_question(
    client: TestClient, bot_headers: dict[str, str], db_session: Session
) -> None:
    response = client.post("/v1/unanswered", json=unanswered_payload(), headers=bot_headers)
    assert response.status_code == 201
    body = response.json()
    assert body["text"] == "Y a-t-il un club de rugby à Gourdon ?"
    assert body["commune_insee"] == "46127"
    stored = db_session.scalars(select(UnansweredQuestion)).all()
    assert [(q.text, q.theme_guess, q.commune_insee) for q in stored] == [
        ("Y a-t-il un club de rugby à Gourdon ?", "leisure", "46127")
    ]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Rappelez-moi au 06 12 34 56 78, merci",
            "Rappelez-moi au [numéro retiré], merci",
        ),
        ("mon numéro : +33 6 12 34 56 78", "mon numéro : [numéro retiré]"),
        ("tel 0612345678 ou 05.65.00.00.00", "tel [numéro retiré] ou [numéro retiré]"),
        (
            "écrivez à marie.dupont@example.org pour la crèche",
            "écrivez à [adresse e-mail retirée] pour la crèche",
        ),
        ("Combien d'habitants à Cahors en 2023 ?", "Combien d'habitants à Cahors en 2023 ?"),
        ("code postal 46100 ?", "code postal 46100 ?"),
    ],
)
def test_emails_and_phone_numbers_are_never_stored(
    client: TestClient, bot_headers: dict[str, str], db_session: Session, text: str, kept: str
) -> None:
    response = client.post(
        "/v1/unanswered", json=unanswered_payload(text=text), headers=bot_headers
    )
    assert response.status_code == 201
    assert response.json()["text"] == kept
    assert db_session.scalars(select(UnansweredQuestion.text)).all() == [kept]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 1001}, "text"),
        ({"commune": "Cahors"}, "commune"),
        ({"theme_guess": "Logement !"}, "theme_guess"),
    ],
)
def test_bad_payload_is_refused_with_the_reason(
    client: TestClient, bot_headers: dict[str, str], overrides: dict[str, Any], field: str
) -> None:
    response = client.post(
        "/v1/unanswered", json=unanswered_payload(**overrides), headers=bot_headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_only_the_bot_may_log_questions(client: TestClient, admin_headers: dict[str, str]) -> None:
    assert client.post("/v1/unanswered", json=unanswered_payload()).status_code == 401
    response = client.post("/v1/unanswered", json=unanswered_payload(), headers=admin_headers)
    assert response.status_code == 403


def test_same_question_typed_differently_is_grouped_and_counted(db_session: Session) -> None:
    for text in [
        "Y a-t-il un club de rugby à Gourdon ?",
        "y a t il un club de rugby a gourdon",
        "Y A-T-IL UN CLUB DE RUGBY À GOURDON ?!",
        "Où faire du tir à l'arc ?",
    ]:
        service.record(db_session, text, "leisure", "46127")
    groups = service.grouped(db_session)
    assert [(group.count, group.theme_guess) for group in groups] == [
        (3, "leisure"),
        (1, "leisure"),
    ]
    assert groups[0].communes == ["46127"]
    assert groups[1].text == "Où faire du tir à l'arc ?"


@pytest.mark.postgres
def test_unanswered_log_works_on_postgresql() -> None:
    url = postgres_url()
    if url is None:
        pytest.skip("TEST_POSTGRES_URL is not set: no PostgreSQL server to test against")
    upgrade(url)
    engine = make_engine(url)
    # Letters only: digits in the marker could be scrubbed as a phone number.
    tag = "".join(chr(ord("a") + int(c, 16)) for c in uuid.uuid4().hex[:16])
    marker = f"question de test {tag}"
    try:
        with Session(engine) as session:
            service.record(session, f"{marker} — 06 12 34 56 78", "housing", None)
            service.record(session, marker.upper() + " — 06 12 34 56 78", None, "46042")
            key = service.group_key(marker)
            group = next(g for g in service.grouped(session) if key in service.group_key(g.text))
            assert group.count == 2
            assert "06 12" not in group.text
            session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.text.ilike(f"%{tag}%"))
            )
            session.commit()
    finally:
        engine.dispose()
