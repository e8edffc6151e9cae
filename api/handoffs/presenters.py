"""Cases as the referent API shows them (and as a privacy export hands them over)."""

from datetime import datetime

from api.accounts.models import User
from api.core.db import utcnow
from api.handoffs.models import Case
from api.handoffs.schemas import (
    CaseDetail,
    CasePlanOut,
    CaseSummary,
    ContactOut,
    MessageOut,
    NoteOut,
    PlanLine,
    TeamOut,
    UserOut,
)
from api.handoffs.service import pending_messages
from api.plans.models import Plan
from api.plans.page import area_label, summary
from api.territory.service import Territory


def _user(user: User | None) -> UserOut | None:
    return None if user is None else UserOut(id=user.id, display_name=user.display_name)


def team_out(territory: Territory, team_id: str) -> TeamOut:
    team = territory.team(team_id)
    return TeamOut(id=team_id, name=team.name if team is not None else team_id)


def commune_name(territory: Territory, insee: str | None) -> str | None:
    commune = territory.commune(insee) if insee else None
    return commune.name if commune is not None else None


def case_summary(case: Case, territory: Territory, pending: int) -> CaseSummary:
    return CaseSummary(
        reference=case.reference,
        status=case.status,
        team=team_out(territory, case.team_id),
        commune_insee=case.commune_insee,
        commune_name=commune_name(territory, case.commune_insee),
        first_name=case.contact_first_name,
        claimed_by=_user(case.claimed_by),
        created_at=case.created_at,
        updated_at=case.updated_at,
        last_visitor_activity_at=case.last_visitor_activity_at,
        pending_messages=pending,
    )


def plan_out(plan: Plan, territory: Territory, now: datetime) -> CasePlanOut:
    if plan.revoked_at is not None:
        return CasePlanOut(
            status="erased", created_at=plan.created_at, expires_at=plan.expires_at, lines=[]
        )
    return CasePlanOut(
        status="active" if plan.expires_at > now else "expired",
        created_at=plan.created_at,
        expires_at=plan.expires_at,
        lines=[
            PlanLine(label=label, value=value)
            for label, value in summary(plan, area_label(plan, territory))
        ],
    )


def case_detail(case: Case, territory: Territory) -> CaseDetail:
    summary = case_summary(case, territory, len(pending_messages(case)))
    return CaseDetail(
        **summary.model_dump(),
        contact=ContactOut(
            first_name=case.contact_first_name,
            email=case.contact_email,
            phone=case.contact_phone,
        ),
        consent_text=case.consent_text,
        consent_given_at=case.consent_given_at,
        profile=case.profile,
        transcript=case.transcript,
        messages=[
            MessageOut(
                id=message.id,
                direction=message.direction,
                author=_user(message.author),
                text=message.text,
                created_at=message.created_at,
                delivered_via=message.delivered_via,
                delivered_at=message.delivered_at,
            )
            for message in case.messages
        ],
        notes=[
            NoteOut(
                id=note.id, author=_user(note.author), text=note.text, created_at=note.created_at
            )
            for note in case.notes
        ],
        claimed_at=case.claimed_at,
        closed_at=case.closed_at,
        opened_out_of_hours=case.opened_out_of_hours,
        team_back_at=case.team_back_at,
        satisfaction_score=case.satisfaction_score,
        satisfaction_comment=case.satisfaction_comment,
        transcript_emailed_at=case.transcript_emailed_at,
        plan=plan_out(case.plan, territory, utcnow()) if case.plan is not None else None,
    )
