"""The editors' review inbox: groups of similar misses (unanswered questions, 👎 answers),
each with a status, a note and its history."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.core.db import Base, UtcDateTime, utcnow


class GroupStatus(StrEnum):
    TODO = "todo"
    RESOLVED = "resolved"
    IGNORED = "ignored"


STATUS_LABELS = {
    GroupStatus.TODO: "À traiter",
    GroupStatus.RESOLVED: "Résolu",
    GroupStatus.IGNORED: "Ignoré",
}


class ItemKind(StrEnum):
    UNANSWERED = "unanswered"
    THUMBS_DOWN = "thumbs_down"


class ReviewGroup(Base):
    __tablename__ = "review_groups"
    __table_args__ = (CheckConstraint("status IN ('todo', 'resolved', 'ignored')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The first phrasing seen: what the inbox shows, and what later questions are compared to.
    label: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), default=GroupStatus.TODO, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The label's sentence vector and the encoder that made it (recomputed when it changes).
    vector: Mapped[list[float] | None] = mapped_column(JSON)
    vector_encoder: Mapped[str | None] = mapped_column(String(32))

    items: Mapped[list["ReviewItem"]] = relationship(
        back_populates="group", order_by="ReviewItem.asked_at.desc()", lazy="selectin"
    )
    events: Mapped[list["ReviewEvent"]] = relationship(
        order_by="ReviewEvent.id", lazy="selectin", cascade="all, delete-orphan"
    )


class ReviewItem(Base):
    """Links one unanswered question or one 👎 rating to its group; the text stays in the
    record it comes from."""

    __tablename__ = "review_items"
    __table_args__ = (
        CheckConstraint("kind IN ('unanswered', 'thumbs_down')", name="kind"),
        CheckConstraint("(unanswered_id IS NULL) <> (feedback_id IS NULL)", name="one_source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("review_groups.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(12))
    unanswered_id: Mapped[int | None] = mapped_column(
        ForeignKey("unanswered_questions.id", ondelete="CASCADE"), unique=True
    )
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("answer_feedback.id", ondelete="CASCADE"), unique=True
    )
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime())

    group: Mapped[ReviewGroup] = relationship(back_populates="items")


class ReviewEvent(Base):
    """One line of a group's history: created, status changed, reopened, note, attached."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("review_groups.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
