"""Plans: created from what the visitor gave, reached by an unguessable link that expires and
can be revoked; a revoked plan keeps nothing but the hash of its token."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.plans.models import Plan
from api.plans.schemas import PlanProfile
from api.territory.schemas import Commune
from api.territory.service import Territory

# 32 random bytes: 256 bits, far beyond guessing (the API's contract promises >= 128).
TOKEN_BYTES = 32


class AreaError(ValueError):
    """A place of the area is not a commune or communauté of the Lot (message: English)."""


class PlanUnavailable(LookupError):
    """No plan behind this token, or one that expired or was revoked."""

    def __init__(self, gone: bool) -> None:
        super().__init__("gone" if gone else "unknown")
        # True: the link existed but no longer works (410); False: never existed (404).
        self.gone = gone


@dataclass(frozen=True)
class Area:
    communes: list[Commune]
    epci_siren: str | None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def resolve_area(territory: Territory, profile: PlanProfile) -> Area:
    communes: list[Commune] = []
    for name in profile.area.communes:
        resolution = territory.lookup(name)
        if resolution.status == "outside_lot":
            raise AreaError(f"'{name}' is outside the Lot: a plan covers communes of the Lot.")
        if resolution.commune is None:
            raise AreaError(f"'{name}' is not a commune of the Lot.")
        if resolution.commune not in communes:
            communes.append(resolution.commune)
    siren = None
    if profile.area.communaute is not None:
        siren = territory.epci_siren(profile.area.communaute)
        if siren is None:
            raise AreaError(f"'{profile.area.communaute}' is not a communauté of the Lot.")
    return Area(communes=communes, epci_siren=siren)


def create_plan(
    session: Session,
    conversation_id: str,
    profile: PlanProfile,
    area: Area,
    now: datetime,
    valid_days: int,
) -> tuple[Plan, str]:
    """A new plan and its token (returned once, never stored). The conversation's earlier
    plans are revoked: one live link per conversation, the latest profile."""
    revoke_conversation(session, conversation_id, now)
    token = new_token()
    household = profile.household.model_dump(mode="json")
    plan = Plan(
        token_hash=token_hash(token),
        conversation_id=conversation_id,
        household=household,
        housing_tenure=profile.housing.tenure,
        housing_kind=profile.housing.kind,
        area_communes=[commune.insee for commune in area.communes],
        area_epci=area.epci_siren,
        timeline=profile.timeline,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    session.add(plan)
    session.commit()
    return plan, token


def _erase(plan: Plan, now: datetime) -> None:
    plan.revoked_at = plan.revoked_at or now
    plan.conversation_id = None
    plan.household = {}
    plan.housing_tenure = None
    plan.housing_kind = None
    plan.area_communes = []
    plan.area_epci = None
    plan.timeline = None


def revoke_conversation(session: Session, conversation_id: str, now: datetime) -> int:
    """Revokes and erases every plan of the conversation; returns how many were live."""
    plans = list(session.scalars(select(Plan).where(Plan.conversation_id == conversation_id)))
    live = sum(1 for plan in plans if plan.revoked_at is None and plan.expires_at > now)
    for plan in plans:
        _erase(plan, now)
    session.commit()
    return live


def revoke(session: Session, plan: Plan, now: datetime) -> None:
    _erase(plan, now)
    session.commit()


def find(session: Session, token: str) -> Plan | None:
    return session.scalar(select(Plan).where(Plan.token_hash == token_hash(token)))


def live_plan(session: Session, token: str, now: datetime) -> Plan:
    """The plan of a working link; raises PlanUnavailable otherwise."""
    plan = find(session, token)
    if plan is None:
        raise PlanUnavailable(gone=False)
    if plan.revoked_at is not None or plan.expires_at <= now:
        raise PlanUnavailable(gone=True)
    return plan


def latest_live_plan(session: Session, conversation_id: str, now: datetime) -> Plan | None:
    return session.scalar(
        select(Plan)
        .where(
            Plan.conversation_id == conversation_id,
            Plan.revoked_at.is_(None),
            Plan.expires_at > now,
        )
        .order_by(Plan.created_at.desc(), Plan.id.desc())
        .limit(1)
    )


def record_emailed(session: Session, plan: Plan, now: datetime) -> None:
    plan.emailed_at = now
    session.commit()
