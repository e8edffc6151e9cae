"""A visitor's relocation plan ("Mon projet d'installation"): only what the visitor gave, the
hash of the link's secret token, and the link's life (expiry, revocation)."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, utcnow


class Plan(Base):
    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("housing_tenure IN ('rent', 'buy')", name="housing_tenure"),
        CheckConstraint("housing_kind IN ('house', 'flat')", name="housing_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SHA-256 of the link's token: a copy of the database opens no plan page.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The conversation that made it (to revoke it, attach it to a case); erased on revocation.
    conversation_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # {"adults": [{"trade", "sector", "looking_for"}], "children": [{"level"}]}
    household: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    housing_tenure: Mapped[str | None] = mapped_column(String(8))
    housing_kind: Mapped[str | None] = mapped_column(String(8))
    # INSEE codes of the communes in view, or the SIREN of a communauté; neither: undecided.
    area_communes: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_epci: Mapped[str | None] = mapped_column(String(9))
    timeline: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    emailed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
