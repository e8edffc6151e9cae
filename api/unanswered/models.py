"""Questions the assistant could not answer, kept for the editors (no personal data)."""

from datetime import UTC, datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base

TEXT_MAX = 1000


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(TEXT_MAX))
    theme_guess: Mapped[str | None] = mapped_column(String(32))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=_utcnow, index=True
    )
