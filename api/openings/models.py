"""Openings supplied by partners (France Travail, the chambers...): job offers, and
businesses or farms to take over; the partners themselves and their push-API keys."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.core.db import Base, UtcDateTime, utcnow

# Longer "words" are noise (URLs, references) and are not indexed.
MAX_TERM_LENGTH = 64


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # SHA-256 hex of the push-API key; NULL while the partner has no key (file imports only).
    key_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    key_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Kind(StrEnum):
    JOB = "job"
    BUSINESS_TAKEOVER = "business_takeover"
    FARM_TAKEOVER = "farm_takeover"


class Opening(Base):
    __tablename__ = "openings"
    __table_args__ = (
        UniqueConstraint("partner_id", "partner_ref"),
        CheckConstraint("kind IN ('job', 'business_takeover', 'farm_takeover')", name="kind"),
        Index("ix_openings_created_at_id", "created_at", "id"),
        Index("ix_openings_latitude_longitude", "latitude", "longitude"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    partner_id: Mapped[str] = mapped_column(ForeignKey("partners.id"), index=True)
    partner_ref: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    # For takeovers, the partner's own family: "commerce", "artisanat" or "agricole".
    sector: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    employer_or_seller: Mapped[str | None] = mapped_column(String(300))
    contact_org: Mapped[str | None] = mapped_column(String(300))
    commune_insee: Mapped[str | None] = mapped_column(String(5), index=True)
    commune_name: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    contract_type: Mapped[str | None] = mapped_column(String(16), index=True)
    contract_label: Mapped[str | None] = mapped_column(String(200))
    rome_code: Mapped[str | None] = mapped_column(String(5))
    salary_text: Mapped[str | None] = mapped_column(String(300))
    price_text: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(1000))
    # Dates given by the partner: publication and last update of the opening itself.
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Set by the partner, or by a full import/sync that no longer lists the opening.
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    # Space-delimited French lemmas (" infirmier bloc "), so that a lemma matches as a word.
    title_lemmas: Mapped[str] = mapped_column(Text)
    lemma_text: Mapped[str] = mapped_column(Text)
    # Hash of everything the partner sent: an identical re-import writes nothing.
    content_hash: Mapped[str] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    partner: Mapped[Partner] = relationship(lazy="selectin")


class OpeningTerm(Base):
    """One search term of an opening (the words of `lemma_text`): the word index that keeps a
    keyword search an index lookup instead of a scan of every opening's text."""

    __tablename__ = "opening_terms"

    term: Mapped[str] = mapped_column(String(MAX_TERM_LENGTH), primary_key=True)
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True, index=True
    )
