"""Partners that supply openings (France Travail, the chambers...) and their push-API keys."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from api.core.db import Base, UtcDateTime, utcnow


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # SHA-256 hex of the push-API key; NULL while the partner has no key (file imports only).
    key_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    key_created_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
