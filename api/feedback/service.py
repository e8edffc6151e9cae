"""Recording visitors' ratings of answers: one record per rating key, updated in place."""

from collections.abc import Container

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.core.db import utcnow
from api.feedback.models import AnswerFeedback
from api.feedback.schemas import FeedbackIn
from api.feedback.signing import signature_matches
from api.unanswered.service import scrub


class FeedbackRefused(ValueError):
    """The rating cannot be stored; the message says why (English, for the API's 4xx)."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def record(
    session: Session,
    key: str,
    payload: FeedbackIn,
    *,
    secret: str,
    known_entries: Container[str],
) -> tuple[AnswerFeedback, bool]:
    """Creates or updates the rating `key`; returns it and whether it is new. Checks come
    first, so that a refused rating leaves nothing behind."""
    if not signature_matches(
        secret,
        payload.signature,
        payload.entry_id,
        payload.question,
        payload.theme,
        payload.commune,
    ):
        raise FeedbackRefused(403, "signature does not match the answer: rate answers as given")
    if payload.entry_id not in known_entries:
        raise FeedbackRefused(422, f"unknown knowledge entry: {payload.entry_id!r}")
    feedback = session.scalar(select(AnswerFeedback).where(AnswerFeedback.key == key))
    created = feedback is None
    if feedback is None:
        feedback = AnswerFeedback(
            key=key,
            entry_id=payload.entry_id,
            question=scrub(payload.question.strip()),
            theme=payload.theme,
            commune_insee=payload.commune,
        )
        session.add(feedback)
    elif feedback.entry_id != payload.entry_id:
        raise FeedbackRefused(409, "this rating key already rates another answer")
    feedback.rating = payload.rating
    feedback.reason = payload.reason
    feedback.comment = scrub(payload.comment) if payload.comment else None
    feedback.updated_at = utcnow()
    session.commit()
    return feedback, created
