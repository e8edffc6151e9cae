"""Cases: opening them idempotently, the referents' queue, the thread, status changes, audit."""

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.accounts.service import visible_team_ids
from api.handoffs.models import (
    AuditEntry,
    Case,
    CaseMessage,
    CaseNote,
    CaseStatus,
    Delivery,
    Direction,
)
from api.handoffs.schemas import HandoffIn
from api.handoffs.turns import turns_after
from api.notifications.messages import team_phrase
from api.plans.service import latest_live_plan
from api.territory.hours import french_moment
from api.territory.schemas import Team

# No I, O, 0 or 1: a reference is read out over the phone.
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LIVE_STATUSES = (CaseStatus.CLAIMED, CaseStatus.WAITING)


class CaseNotFound(LookupError):
    """No such case, or one the user may not see: both look the same from outside."""


class NoLiveCase(LookupError):
    pass


class TransitionError(ValueError):
    pass


def new_reference(now: datetime) -> str:
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"OML-{now.year}-{suffix}"


def audit(
    session: Session,
    action: str,
    *,
    now: datetime,
    actor: User | None = None,
    actor_kind: str = "user",
    case_reference: str | None = None,
    **details: Any,
) -> None:
    """Adds an audit entry to the session's transaction. `details` must hold no personal data."""
    session.add(
        AuditEntry(
            at=now,
            actor_user_id=actor.id if actor is not None else None,
            actor_kind=actor_kind,
            action=action,
            case_reference=case_reference,
            details=details,
        )
    )


def find_by_idempotency_key(session: Session, key: str) -> Case | None:
    return session.scalar(select(Case).where(Case.idempotency_key == key))


def open_case(session: Session, payload: HandoffIn, team: Team, now: datetime) -> tuple[Case, bool]:
    """The case of this idempotency key, created if new; True when this call created it.

    Concurrent calls with one key race on the UNIQUE constraint: the loser rolls back
    and returns the winner's case.
    """
    existing = find_by_idempotency_key(session, payload.idempotency_key)
    if existing is not None:
        return existing, False
    # The plan the visitor made in this conversation travels with the case.
    plan = latest_live_plan(session, payload.conversation_id, now)
    for _ in range(5):
        case = Case(
            reference=new_reference(now),
            status=CaseStatus.NEW,
            team_id=team.id,
            commune_insee=payload.commune,
            profile=payload.profile,
            contact_first_name=payload.contact.first_name,
            contact_email=payload.contact.email,
            contact_phone=payload.contact.phone,
            consent_text=payload.consent.text,
            consent_given_at=payload.consent.given_at,
            transcript=[turn.model_dump(mode="json") for turn in payload.transcript],
            idempotency_key=payload.idempotency_key,
            conversation_id=payload.conversation_id,
            created_at=now,
            updated_at=now,
            # Asking for a person is the visitor's latest activity.
            last_visitor_activity_at=now,
            plan_id=plan.id if plan is not None else None,
        )
        if team.hours is not None and not team.hours.is_open(now):
            case.opened_out_of_hours = True
            case.team_back_at = team.hours.next_opening(now)
        session.add(case)
        audit(
            session,
            "case.opened",
            now=now,
            actor_kind="bot",
            case_reference=case.reference,
            team_id=team.id,
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = find_by_idempotency_key(session, payload.idempotency_key)
            if existing is not None:
                return existing, False
            continue  # the random reference was taken: draw another one
        return case, True
    raise RuntimeError("could not draw a free case reference")


def _visible(viewer: User) -> Select[Case]:
    query = select(Case)
    teams = visible_team_ids(viewer)
    if teams is not None:
        query = query.where(Case.team_id.in_(sorted(teams)))
    return query


def _filtered(
    viewer: User,
    status: str | None,
    team_id: str | None,
    text: str | None,
    open_only: bool = False,
) -> Select[Case]:
    query = _visible(viewer)
    if status:
        query = query.where(Case.status == status)
    elif open_only:
        query = query.where(Case.status != CaseStatus.CLOSED)
    if team_id:
        query = query.where(Case.team_id == team_id)
    if text and text.strip():
        needle = text.strip().lower()
        query = query.where(
            or_(
                func.lower(Case.reference).contains(needle, autoescape=True),
                func.lower(Case.contact_first_name).contains(needle, autoescape=True),
                func.lower(Case.contact_email).contains(needle, autoescape=True),
                Case.commune_insee == needle.upper(),
            )
        )
    return query


def list_cases(
    session: Session,
    viewer: User,
    *,
    status: str | None = None,
    open_only: bool = False,
    team_id: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[Case]]:
    """Open cases first, then by latest change."""
    query = _filtered(viewer, status, team_id, text, open_only)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    waiting_first = (Case.status == CaseStatus.CLOSED).asc()
    rows = session.scalars(
        query.order_by(waiting_first, Case.updated_at.desc(), Case.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, list(rows)


def count_by_status(session: Session, viewer: User, team_id: str | None = None) -> dict[str, int]:
    subquery = _filtered(viewer, None, team_id, None).subquery()
    rows = session.execute(
        select(subquery.c.status, func.count()).group_by(subquery.c.status)
    ).all()
    counts = {status.value: 0 for status in CaseStatus}
    counts.update({status: count for status, count in rows})
    return counts


def pending_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    if not case_ids:
        return {}
    rows = session.execute(
        select(CaseMessage.case_id, func.count())
        .where(CaseMessage.case_id.in_(case_ids), CaseMessage.delivered_via == Delivery.PENDING)
        .group_by(CaseMessage.case_id)
    ).all()
    return {case_id: count for case_id, count in rows}


def get_case(session: Session, reference: str) -> Case | None:
    return session.scalar(select(Case).where(Case.reference == reference.strip().upper()))


def get_visible_case(session: Session, viewer: User, reference: str) -> Case:
    case = get_case(session, reference)
    teams = visible_team_ids(viewer)
    if case is None or (teams is not None and case.team_id not in teams):
        raise CaseNotFound(reference)
    return case


def _touch(case: Case, now: datetime) -> None:
    case.updated_at = now


class Claim(StrEnum):
    FIRST = "first"  # nobody was talking with the visitor
    TAKEOVER = "takeover"  # a colleague was
    UNCHANGED = "unchanged"  # it already was this person's (a double click, a second claim)


def claim(session: Session, case: Case, user: User, now: datetime) -> Claim:
    """Gives the case to `user`, telling whether the visitor must hear of it.

    One conditional UPDATE: of two claims at once, only one changes the row."""
    if case.status == CaseStatus.CLOSED:
        raise TransitionError("a closed case must be reopened first")
    had_referent = case.status in LIVE_STATUSES and case.claimed_by_id is not None
    changed = session.execute(
        update(Case)
        .where(
            Case.id == case.id,
            or_(
                Case.claimed_by_id.is_(None),
                Case.claimed_by_id != user.id,
                Case.status.not_in(LIVE_STATUSES),
            ),
        )
        .values(status=CaseStatus.CLAIMED, claimed_by_id=user.id, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(case)
        return Claim.UNCHANGED
    audit(session, "case.claimed", now=now, actor=user, case_reference=case.reference)
    session.commit()
    session.refresh(case)
    return Claim.TAKEOVER if had_referent else Claim.FIRST


def copy_waiting_turns(session: Session, case: Case, events: list[dict[str, Any]]) -> int:
    """Appends to the transcript what was said since the request, while no referent had the
    case yet; returns how many turns were added."""
    since = case.transcript_synced_until or _last_turn_time(case)
    turns = turns_after(events, since)
    if not turns:
        return 0
    case.transcript = [*case.transcript, *(turn.as_json() for turn in turns)]
    case.transcript_synced_until = turns[-1].at
    session.commit()
    return len(turns)


def _last_turn_time(case: Case) -> datetime:
    times = []
    for turn in case.transcript:
        try:
            times.append(datetime.fromisoformat(str(turn.get("at"))))
        except ValueError:
            continue
    return max(times, default=case.created_at)


def add_referent_message(
    session: Session, case: Case, user: User, text: str, now: datetime
) -> CaseMessage:
    """Stored as pending first: the message exists before anyone tries to deliver it."""
    if case.status == CaseStatus.CLOSED:
        raise TransitionError("a closed case must be reopened before replying")
    message = CaseMessage(
        direction=Direction.REFERENT,
        author_id=user.id,
        author=user,
        text=text,
        created_at=now,
        delivered_via=Delivery.PENDING,
    )
    case.messages.append(message)
    case.status = CaseStatus.WAITING
    _touch(case, now)
    audit(session, "message.sent", now=now, actor=user, case_reference=case.reference)
    session.commit()
    return message


def mark_delivery(session: Session, message: CaseMessage, via: Delivery, now: datetime) -> None:
    message.delivered_via = via
    message.delivered_at = None if via == Delivery.PENDING else now
    session.commit()


def pending_messages(case: Case) -> list[CaseMessage]:
    return [
        message
        for message in case.messages
        if message.direction == Direction.REFERENT and message.delivered_via == Delivery.PENDING
    ]


def add_note(session: Session, case: Case, user: User, text: str, now: datetime) -> CaseNote:
    note = CaseNote(author_id=user.id, author=user, text=text, created_at=now)
    case.notes.append(note)
    _touch(case, now)
    audit(session, "note.added", now=now, actor=user, case_reference=case.reference)
    session.commit()
    return note


def close(session: Session, case: Case, user: User, now: datetime) -> None:
    if case.status == CaseStatus.CLOSED:
        raise TransitionError("the case is already closed")
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    _touch(case, now)
    audit(session, "case.closed", now=now, actor=user, case_reference=case.reference)
    session.commit()


def reopen(session: Session, case: Case, user: User, now: datetime) -> None:
    """The person who reopens a case takes it."""
    if case.status != CaseStatus.CLOSED:
        raise TransitionError("only a closed case can be reopened")
    case.status = CaseStatus.CLAIMED
    case.closed_at = None
    case.claimed_by_id = user.id
    case.claimed_by = user
    case.claimed_at = now
    _touch(case, now)
    audit(session, "case.reopened", now=now, actor=user, case_reference=case.reference)
    session.commit()


def live_case(session: Session, conversation_id: str) -> Case | None:
    return session.scalar(
        select(Case)
        .where(Case.conversation_id == conversation_id, Case.status.in_(LIVE_STATUSES))
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(1)
    )


def add_visitor_message(
    session: Session, conversation_id: str, text: str, now: datetime
) -> tuple[Case, CaseMessage]:
    case = live_case(session, conversation_id)
    if case is None:
        raise NoLiveCase(conversation_id)
    message = CaseMessage(
        direction=Direction.VISITOR,
        text=text,
        created_at=now,
        delivered_via=Delivery.CHAT,
        delivered_at=now,
    )
    case.messages.append(message)
    case.last_visitor_activity_at = now
    # The visitor answered: the ball is back in the team's court.
    case.status = CaseStatus.CLAIMED
    _touch(case, now)
    session.commit()
    return case, message


def case_of_conversation(session: Session, conversation_id: str, reference: str) -> Case | None:
    """The case only if both match: a reference alone must not open someone else's case."""
    case = get_case(session, reference)
    return case if case is not None and case.conversation_id == conversation_id else None


def record_satisfaction(
    session: Session, case: Case, score: int | None, comment: str | None, now: datetime
) -> None:
    if score is not None:
        case.satisfaction_score = score
    if comment is not None:
        case.satisfaction_comment = comment
    case.satisfaction_at = now
    audit(
        session,
        "case.rated",
        now=now,
        actor_kind="bot",
        case_reference=case.reference,
        score=case.satisfaction_score,
    )
    session.commit()


def satisfaction_by_team(session: Session, viewer: User) -> list[tuple[str, int, float]]:
    """(team id, answers, average score) over the visible cases the visitors rated."""
    rated = _visible(viewer).where(Case.satisfaction_score.is_not(None)).subquery()
    rows = session.execute(
        select(rated.c.team_id, func.count(), func.avg(rated.c.satisfaction_score))
        .group_by(rated.c.team_id)
        .order_by(rated.c.team_id)
    ).all()
    return [(team_id, count, float(average)) for team_id, count, average in rows]


def conversation_lines(case: Case) -> list[tuple[str, datetime | None, str]]:
    """(who, when, text): the transcript, then the exchanges with the team, in order."""
    lines: list[tuple[str, datetime | None, str]] = []
    for turn in case.transcript:
        try:
            at: datetime | None = datetime.fromisoformat(str(turn.get("at")))
        except ValueError:
            at = None
        lines.append((str(turn.get("role")), at, str(turn.get("text") or "")))
    lines += [(message.direction, message.created_at, message.text) for message in case.messages]
    return lines


def record_transcript_sent(session: Session, case: Case, now: datetime) -> None:
    case.transcript_emailed_at = now
    audit(session, "case.transcript_sent", now=now, actor_kind="bot", case_reference=case.reference)
    session.commit()


def visitor_is_present(case: Case, now: datetime, presence_minutes: int) -> bool:
    last = case.last_visitor_activity_at or case.created_at
    return now - last <= timedelta(minutes=presence_minutes)


def expected_reply(case: Case, team: Team) -> str:
    """What the bot tells the visitor once the case is open (French, shown as is): who has
    the request, that the team sees the whole conversation, that the assistant keeps
    answering until a person joins, and when the team is back if it is closed."""
    phrase = team_phrase(team.name)
    text = (
        f"Merci, votre demande est bien transmise à {phrase} (référence {case.reference}). "
        "L’équipe voit toute notre conversation, y compris ce que vous m’écrirez d’ici là. "
        "En attendant qu’une personne vous rejoigne ici, je continue à répondre à vos "
        "questions."
    )
    if case.opened_out_of_hours:
        text += " " + _closed_now(case, team)
        if case.contact_email:
            return text + " Sa réponse vous sera aussi envoyée par e-mail."
    if case.contact_email:
        return text + " Si vous quittez la conversation, sa réponse vous sera envoyée par e-mail."
    if case.contact_phone:
        return (
            text + " Si vous quittez la conversation, l’équipe pourra vous joindre par téléphone."
        )
    return text + " Restez sur cette page pour ne pas manquer sa réponse."


def _closed_now(case: Case, team: Team) -> str:
    if case.team_back_at is None:
        return "L’équipe n’est pas disponible en ce moment."
    back = french_moment(case.team_back_at, case.created_at)
    # Placeholder hours are no promise: the visitor is told they are only indicative.
    indicative = " (horaires indicatifs)" if team.hours and team.hours.provisional else ""
    return f"L’équipe n’est pas disponible en ce moment : elle sera de retour {back}{indicative}."
