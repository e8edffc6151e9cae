"""Handoff API: the bot opens cases and forwards visitor messages; referents work the queue.

Access rule: a case outside the caller's teams answers 404, exactly like a missing one,
so that references cannot be probed.
"""

from typing import Annotated

import structlog
from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, Response, status

from api.accounts.dependencies import ApiUser
from api.accounts.models import User
from api.core.db import session_factory, utcnow
from api.deps import BotAuth, SessionDep
from api.handoffs import live, service
from api.handoffs.dependencies import LiveDep
from api.handoffs.models import Case, CaseStatus
from api.handoffs.presenters import case_detail, case_summary, team_out
from api.handoffs.schemas import (
    CaseDetail,
    CaseList,
    ClosedCaseRef,
    HandoffIn,
    HandoffOut,
    MessageOut,
    NoteOut,
    SatisfactionIn,
    StatusCounts,
    TextIn,
    TranscriptMailOut,
    UserOut,
    VisitorMessageIn,
    VisitorMessageOut,
)
from api.notifications.service import new_case_mails, send_all
from api.territory.service import get_territory

log = structlog.get_logger(__name__)
router = APIRouter(tags=["handoffs"])


@router.post(
    "/v1/handoffs",
    status_code=status.HTTP_201_CREATED,
    dependencies=[BotAuth],
    responses={200: {"model": HandoffOut, "description": "Same idempotency key seen before."}},
)
def create_handoff(
    payload: HandoffIn,
    response: Response,
    background: BackgroundTasks,
    db: SessionDep,
    context: LiveDep,
) -> HandoffOut:
    territory = context.territory
    case, created = service.open_case(
        db, payload, territory.team_for_commune(payload.commune), utcnow()
    )
    team = context.team_of(case)
    if created:
        commune = territory.commune(case.commune_insee) if case.commune_insee else None
        mails = new_case_mails(
            db,
            reference=case.reference,
            team=team,
            commune_name=commune.name if commune is not None else None,
            public_base_url=context.settings.public_base_url,
        )
        # After the response: a slow or broken SMTP server must not hold up the visitor.
        background.add_task(send_all, context.mailer, mails)
        log.info(
            "handoff.opened",
            case=case.reference,
            team=team.id,
            conversation_id=case.conversation_id,
        )
    else:
        response.status_code = status.HTTP_200_OK
    return HandoffOut(
        reference=case.reference,
        status=case.status,
        team=team_out(territory, case.team_id),
        expected_reply=service.expected_reply(case, team),
    )


@router.post(
    "/v1/handoffs/visitor-messages",
    status_code=status.HTTP_201_CREATED,
    dependencies=[BotAuth],
    responses={404: {"description": "No live case for this conversation."}},
)
def visitor_message(
    payload: VisitorMessageIn,
    background: BackgroundTasks,
    db: SessionDep,
    context: LiveDep,
) -> VisitorMessageOut:
    try:
        case, message = service.add_visitor_message(
            db, payload.conversation_id, payload.text, utcnow()
        )
    except service.NoLiveCase:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="No live case for this conversation."
        ) from None
    if service.pending_messages(case):
        background.add_task(live.deliver_pending_in_background, session_factory(), context, case.id)
    return VisitorMessageOut(reference=case.reference, message_id=message.id)


def _closed_case(db: SessionDep, ref: ClosedCaseRef) -> Case:
    case = service.case_of_conversation(db, ref.conversation_id, ref.reference)
    if case is None or case.status != CaseStatus.CLOSED:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, detail="No closed case of this conversation."
        )
    return case


@router.post("/v1/handoffs/satisfaction", dependencies=[BotAuth])
def rate_case(payload: SatisfactionIn, db: SessionDep) -> dict[str, str]:
    """The visitor's answer to "how was it?" (1 to 5) and their optional comment."""
    case = _closed_case(db, payload)
    service.record_satisfaction(db, case, payload.score, payload.comment, utcnow())
    return {"reference": case.reference}


@router.post("/v1/handoffs/transcript-email", dependencies=[BotAuth])
def mail_transcript(payload: ClosedCaseRef, db: SessionDep, context: LiveDep) -> TranscriptMailOut:
    """Sends the conversation to the visitor's address, at their request (they said yes)."""
    case = _closed_case(db, payload)
    return TranscriptMailOut(
        reference=case.reference, sent=live.send_transcript(db, context, case, utcnow())
    )


def _case_or_404(db: SessionDep, user: User, reference: str) -> Case:
    try:
        return service.get_visible_case(db, user, reference)
    except service.CaseNotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="No such case.") from None


def _conflict(error: service.TransitionError) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, detail=f"{str(error).capitalize()}.")


@router.get("/v1/cases")
def list_cases(
    db: SessionDep,
    user: ApiUser,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    team: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    # Far past any real queue, and inside every database's integer range.
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CaseList:
    total, cases = service.list_cases(
        db, user, status=case_status, team_id=team, text=q, limit=limit, offset=offset
    )
    pending = service.pending_counts(db, [case.id for case in cases])
    territory = get_territory()
    return CaseList(
        total=total,
        cases=[case_summary(case, territory, pending.get(case.id, 0)) for case in cases],
    )


@router.get("/v1/cases/counts")
def case_counts(db: SessionDep, user: ApiUser, team: str | None = None) -> StatusCounts:
    return StatusCounts(**service.count_by_status(db, user, team))


@router.get("/v1/cases/{reference}")
def get_case(reference: str, db: SessionDep, user: ApiUser, context: LiveDep) -> CaseDetail:
    case = _case_or_404(db, user, reference)
    live.sync_waiting_turns(db, context, case)
    return case_detail(case, context.territory)


@router.post("/v1/cases/{reference}/claim")
def claim_case(reference: str, db: SessionDep, user: ApiUser, context: LiveDep) -> CaseDetail:
    case = _case_or_404(db, user, reference)
    try:
        live.claim(db, context, case, user, utcnow())
    except service.TransitionError as error:
        raise _conflict(error) from None
    return case_detail(case, context.territory)


@router.post("/v1/cases/{reference}/reply", status_code=status.HTTP_201_CREATED)
def reply(
    reference: str, payload: TextIn, db: SessionDep, user: ApiUser, context: LiveDep
) -> MessageOut:
    """Stores the reply, then delivers it: chat, e-mail, or `pending` if neither worked."""
    case = _case_or_404(db, user, reference)
    try:
        message = live.reply(db, context, case, user, payload.text, utcnow())
    except service.TransitionError as error:
        raise _conflict(error) from None
    return MessageOut(
        id=message.id,
        direction=message.direction,
        author=UserOut(id=user.id, display_name=user.display_name),
        text=message.text,
        created_at=message.created_at,
        delivered_via=message.delivered_via,
        delivered_at=message.delivered_at,
    )


@router.post("/v1/cases/{reference}/deliver-pending")
def deliver_pending(reference: str, db: SessionDep, user: ApiUser, context: LiveDep) -> CaseDetail:
    case = _case_or_404(db, user, reference)
    live.deliver_pending(db, context, case, utcnow())
    return case_detail(case, context.territory)


@router.post("/v1/cases/{reference}/notes", status_code=status.HTTP_201_CREATED)
def add_note(reference: str, payload: TextIn, db: SessionDep, user: ApiUser) -> NoteOut:
    case = _case_or_404(db, user, reference)
    note = service.add_note(db, case, user, payload.text, utcnow())
    return NoteOut(
        id=note.id,
        author=UserOut(id=user.id, display_name=user.display_name),
        text=note.text,
        created_at=note.created_at,
    )


@router.post("/v1/cases/{reference}/close")
def close_case(reference: str, db: SessionDep, user: ApiUser, context: LiveDep) -> CaseDetail:
    case = _case_or_404(db, user, reference)
    try:
        live.close(db, context, case, user, utcnow())
    except service.TransitionError as error:
        raise _conflict(error) from None
    return case_detail(case, context.territory)


@router.post("/v1/cases/{reference}/reopen")
def reopen_case(reference: str, db: SessionDep, user: ApiUser, context: LiveDep) -> CaseDetail:
    case = _case_or_404(db, user, reference)
    try:
        live.reopen(db, context, case, user, utcnow())
    except service.TransitionError as error:
        raise _conflict(error) from None
    return case_detail(case, context.territory)
