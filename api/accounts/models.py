"""People who use the dashboard and the referent API, their teams and their API tokens."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.core.db import Base, UtcDateTime, utcnow


class Role(StrEnum):
    REFERENT = "referent"
    COORDINATOR = "coordinator"
    EDITOR = "editor"
    ADMIN = "admin"


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('referent', 'coordinator', 'editor', 'admin')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's fingerprint: raising it ends all the account's sessions.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    teams: Mapped[list["UserTeam"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserTeam.team_id"
    )

    @property
    def team_ids(self) -> list[str]:
        return [membership.team_id for membership in self.teams]

    @property
    def sees_every_team(self) -> bool:
        return self.role in (Role.COORDINATOR, Role.ADMIN)


class UserTeam(Base):
    """A referent belongs to one or more teams (ids of knowledge/territory/referents.yml)."""

    __tablename__ = "user_teams"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class ApiToken(Base):
    """A bearer token for programmatic use; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship(lazy="joined")
