"""Handoff cases: a visitor's request to talk to a person, its thread, notes and audit trail."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.accounts.models import User
from api.core.db import Base, UtcDateTime, utcnow
from api.plans.models import Plan


class CaseStatus(StrEnum):
    NEW = "new"
    CLAIMED = "claimed"
    # The team has answered and waits for the visitor.
    WAITING = "waiting"
    CLOSED = "closed"


class Direction(StrEnum):
    VISITOR = "visitor"
    REFERENT = "referent"


class Delivery(StrEnum):
    CHAT = "chat"
    EMAIL = "email"
    PENDING = "pending"


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint("status IN ('new', 'claimed', 'waiting', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.NEW, index=True)
    team_id: Mapped[str] = mapped_column(String(64), index=True)
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    contact_first_name: Mapped[str] = mapped_column(String(100))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    consent_text: Mapped[str] = mapped_column(Text)
    consent_given_at: Mapped[datetime] = mapped_column(UtcDateTime())
    transcript: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The bot retries with the same key: the UNIQUE constraint is what makes it safe.
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    last_visitor_activity_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Time (Rasa's clock) of the last conversation event copied into the transcript while
    # the case waited for a referent.
    transcript_synced_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Opened while the team was closed; when it is expected back (its stated hours).
    opened_out_of_hours: Mapped[bool] = mapped_column(default=False, server_default="0")
    team_back_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The visitor's answer (1 to 5, checked by the API) to the question asked at closing.
    satisfaction_score: Mapped[int | None] = mapped_column()
    satisfaction_comment: Mapped[str | None] = mapped_column(Text)
    satisfaction_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The conversation sent to the visitor's address, at their request.
    transcript_emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The visitor's "Mon projet d'installation", when the conversation made one: the
    # referent starts from it. Deleted with the case (privacy.service.delete_case).
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("plans.id", ondelete="SET NULL"), index=True
    )

    claimed_by: Mapped[User | None] = relationship(lazy="joined")
    plan: Mapped[Plan | None] = relationship()
    messages: Mapped[list["CaseMessage"]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CaseMessage.id",
    )
    notes: Mapped[list["CaseNote"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="CaseNote.id"
    )


class CaseMessage(Base):
    __tablename__ = "case_messages"
    __table_args__ = (
        CheckConstraint("direction IN ('visitor', 'referent')", name="direction"),
        CheckConstraint("delivered_via IN ('chat', 'email', 'pending')", name="delivered_via"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_via: Mapped[str] = mapped_column(String(10), default=Delivery.PENDING, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    case: Mapped[Case] = relationship(back_populates="messages")
    author: Mapped[User | None] = relationship(lazy="joined")


class CaseNote(Base):
    """Internal note: never shown to the visitor."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class AuditEntry(Base):
    """Who did what to which case. Holds no personal data, so it outlives the case."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # "user", "bot", "cli" or "system": who acted when no user account did.
    actor_kind: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(40))
    case_reference: Mapped[str | None] = mapped_column(String(32), index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
