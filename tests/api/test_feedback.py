"""Visitors' ratings of knowledge answers: stored without personal data, refused whole when
anything is wrong."""

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.feedback.models import COMMENT_MAX, AnswerFeedback
from tests.api.conftest import RATED_ENTRY, RateAnswer, feedback_payload


def _stored(db_session: Session) -> int:
    return int(db_session.scalar(select(func.count()).select_from(AnswerFeedback)) or 0)


def test_a_thumbs_down_with_its_reason_and_comment_is_stored_with_the_answer(
    rate: RateAnswer, db_session: Session
) -> None:
    response = rate(reason="outdated", comment="Le lien ne marche plus.")
    assert response.status_code == 201, response.text
    stored = db_session.scalars(select(AnswerFeedback)).one()
    assert (stored.entry_id, stored.question, stored.theme, stored.commune_insee) == (
        RATED_ENTRY,
        "Comment trouver une location à Figeac ?",
        "housing",
        "46102",
    )
    assert (stored.rating, stored.reason, stored.comment) == (
        "down",
        "outdated",
        "Le lien ne marche plus.",
    )


def test_the_record_holds_no_name_email_or_conversation_id() -> None:
    columns = set(AnswerFeedback.__table__.columns.keys())
    assert columns == {
        "id",
        "key",
        "entry_id",
        "question",
        "theme",
        "commune_insee",
        "rating",
        "reason",
        "comment",
        "created_at",
        "updated_at",
    }


def test_contact_details_typed_in_a_comment_are_removed(rate: RateAnswer) -> None:
    response = rate(reason="inaccurate", comment="Écrivez-moi à jean@example.org ou 0612345678")
    assert response.json()["comment"] == (
        "Écrivez-moi à [adresse e-mail retirée] ou [numéro retiré]"
    )


def test_a_reason_given_after_the_thumbs_down_updates_the_same_rating(
    rate: RateAnswer, db_session: Session
) -> None:
    key = str(uuid.uuid4())
    assert rate(key).status_code == 201
    second = rate(key, reason="not_local")
    assert second.status_code == 200
    assert second.json()["reason"] == "not_local"
    assert _stored(db_session) == 1


def test_a_thumbs_up_is_stored(rate: RateAnswer) -> None:
    response = rate(rating="up")
    assert response.status_code == 201
    assert response.json()["rating"] == "up"


def test_feedback_on_an_unknown_entry_is_refused_and_nothing_stored(
    rate: RateAnswer, db_session: Session
) -> None:
    response = rate(entry_id="fiche-qui-n-existe-pas")
    assert response.status_code == 422
    assert "unknown knowledge entry" in response.json()["detail"]
    assert _stored(db_session) == 0


def test_a_comment_over_the_limit_is_refused_and_nothing_stored(
    rate: RateAnswer, db_session: Session
) -> None:
    response = rate(reason="inaccurate", comment="x" * (COMMENT_MAX + 1))
    assert response.status_code == 422
    assert "comment" in str(response.json()["detail"])
    assert _stored(db_session) == 0


def test_a_reason_not_in_the_list_is_refused_and_nothing_stored(
    rate: RateAnswer, db_session: Session
) -> None:
    response = rate(reason="trop_long")
    assert response.status_code == 422
    assert "reason" in str(response.json()["detail"])
    assert _stored(db_session) == 0


def test_a_reason_with_a_thumbs_up_is_refused(rate: RateAnswer, db_session: Session) -> None:
    response = rate(rating="up", reason="inaccurate")
    assert response.status_code == 422
    assert _stored(db_session) == 0


def test_an_answer_the_assistant_did_not_give_cannot_be_rated(
    client: TestClient, db_session: Session
) -> None:
    payload = feedback_payload()
    payload["question"] = "Une question inventée"
    response = client.put(f"/v1/feedback/{uuid.uuid4()}", json=payload)
    assert response.status_code == 403
    assert "signature" in response.json()["detail"]
    assert _stored(db_session) == 0


def test_a_rating_key_cannot_be_moved_to_another_answer(
    rate: RateAnswer, db_session: Session
) -> None:
    key = str(uuid.uuid4())
    rate(key)
    response = rate(key, entry_id="logement-cahors")
    assert response.status_code == 409
    assert db_session.scalars(select(AnswerFeedback.entry_id)).all() == [RATED_ENTRY]


def test_a_malformed_rating_key_is_refused(client: TestClient) -> None:
    response = client.put("/v1/feedback/pas-une-cle", json=feedback_payload())
    assert response.status_code == 422
