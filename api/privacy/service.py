"""Personal data duties: retention purge (cases, plans and Rasa's tracker store), export,
deletion."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    inspect,
    or_,
    select,
)
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.handoffs.models import Case, CaseStatus
from api.handoffs.presenters import case_detail
from api.handoffs.service import audit
from api.plans.models import Plan
from api.privacy.schemas import CaseExport
from api.territory.service import Territory

# The columns of Rasa 3.6's SQLTrackerStore that the purge needs (rasa/core/tracker_store.py,
# SQLEvent): one row per event, `timestamp` in seconds since the epoch.
_tracker_events = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
)


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    cases_deleted: int
    # Plans whose link expired or was revoked, and that no remaining case carries.
    plans_deleted: int
    tracker_events_deleted: int | None  # None: no tracker store configured


def export_case(
    session: Session,
    case: Case,
    territory: Territory,
    now: datetime,
    *,
    actor: User | None = None,
    actor_kind: str = "user",
) -> CaseExport:
    """Everything held about the visitor in this case."""
    export = CaseExport(**case_detail(case, territory).model_dump(), exported_at=now)
    audit(
        session,
        "case.exported",
        now=now,
        actor=actor,
        actor_kind=actor_kind,
        case_reference=case.reference,
    )
    session.commit()
    return export


def delete_case(
    session: Session,
    case: Case,
    now: datetime,
    *,
    tracker_store_url: str | None,
    actor: User | None = None,
    actor_kind: str = "user",
    reason: str = "request",
) -> None:
    """Erases the case, its messages and notes, and the visitor's conversation in Rasa's
    tracker store (it holds the same words); the audit keeps only reference and action."""
    audit(
        session,
        "case.deleted",
        now=now,
        actor=actor,
        actor_kind=actor_kind,
        case_reference=case.reference,
        reason=reason,
    )
    conversation_id = case.conversation_id
    plan = case.plan
    session.delete(case)
    if plan is not None:
        # The plan travelled with the case: it goes with it.
        session.delete(plan)
    session.commit()
    if tracker_store_url:
        delete_tracker_conversation(tracker_store_url, conversation_id)


def purge(
    session: Session, now: datetime, retention_days: int, tracker_store_url: str | None
) -> PurgeReport:
    cutoff = now - timedelta(days=retention_days)
    expired = list(
        session.scalars(
            select(Case).where(Case.status == CaseStatus.CLOSED, Case.closed_at < cutoff)
        )
    )
    for case in expired:
        # Tracker rows go by age below, in one statement for all conversations.
        delete_case(
            session, case, now, tracker_store_url=None, actor_kind="system", reason="retention"
        )
    plans_deleted = purge_plans(session, now)
    tracker_deleted = purge_tracker_store(tracker_store_url, cutoff) if tracker_store_url else None
    return PurgeReport(
        cutoff=cutoff,
        cases_deleted=len(expired),
        plans_deleted=plans_deleted,
        tracker_events_deleted=tracker_deleted,
    )


def purge_plans(session: Session, now: datetime) -> int:
    """Deletes the plans whose link no longer works (expired or revoked): a plan lives as long
    as its link (PLAN_LINK_DAYS), or as long as the case that carries it."""
    carried = select(Case.plan_id).where(Case.plan_id.is_not(None))
    result = session.execute(
        delete(Plan).where(
            or_(Plan.revoked_at.is_not(None), Plan.expires_at <= now),
            Plan.id.not_in(carried),
        )
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


def purge_tracker_store(url: str, cutoff: datetime) -> int:
    """Deletes the Rasa conversation events older than the cut-off; returns how many."""
    return _delete_events(url, _tracker_events.c.timestamp < cutoff.timestamp())


def delete_tracker_conversation(url: str, conversation_id: str) -> int:
    return _delete_events(url, _tracker_events.c.sender_id == conversation_id)


def _delete_events(url: str, condition: Any) -> int:
    # A plain engine: the API's SQLite pragmas must not change Rasa's database file.
    engine: Engine = create_engine(url)
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            return connection.execute(delete(_tracker_events).where(condition)).rowcount
    finally:
        engine.dispose()
