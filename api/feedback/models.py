"""Visitors' ratings of knowledge answers: no name, no e-mail, no conversation id."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, utcnow

QUESTION_MAX = 1000
COMMENT_MAX = 500


class Rating(StrEnum):
    UP = "up"
    DOWN = "down"


class Reason(StrEnum):
    """Why an answer did not help: the closed list the chat offers after 👎."""

    NOT_MY_QUESTION = "not_my_question"
    INACCURATE = "inaccurate"
    OUTDATED = "outdated"
    NOT_LOCAL = "not_local"


REASON_LABELS = {
    Reason.NOT_MY_QUESTION: "Ce n'est pas ma question",
    Reason.INACCURATE: "C'est inexact",
    Reason.OUTDATED: "Ce n'est plus à jour",
    Reason.NOT_LOCAL: "Pas assez précis pour ma commune",
}


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"
    __table_args__ = (
        CheckConstraint("rating IN ('up', 'down')", name="rating"),
        CheckConstraint(
            "reason IS NULL OR reason IN "
            "('not_my_question', 'inaccurate', 'outdated', 'not_local')",
            name="reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Drawn by the visitor's browser for this one rating, so that a changed mind (👍 then
    # 👎, a reason, a comment) updates one record; it identifies no person or conversation.
    key: Mapped[str] = mapped_column(String(36), unique=True)
    entry_id: Mapped[str] = mapped_column(String(100), index=True)
    question: Mapped[str] = mapped_column(String(QUESTION_MAX))
    theme: Mapped[str | None] = mapped_column(String(32))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    rating: Mapped[str] = mapped_column(String(4))
    reason: Mapped[str | None] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(String(COMMENT_MAX))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
