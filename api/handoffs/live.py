"""The live side of a case: telling the visitor's chat (through Rasa) or mailbox what happened.

Everything is stored before delivery is tried, so a message survives Rasa or SMTP being
down: it stays `pending`, is shown as such in the dashboard, and is delivered again when
the visitor comes back or a referent asks for it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.orm import Session

from api.accounts.models import User
from api.core.config import Settings
from api.core.db import utcnow
from api.handoffs import service
from api.handoffs.models import Case, CaseMessage, CaseStatus, Delivery
from api.handoffs.relay import RasaRelay
from api.notifications.mailer import SEND_ERRORS, Mailer, send_now
from api.notifications.messages import referent_reply_mail, transcript_mail
from api.territory.schemas import Team
from api.territory.service import Territory

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class LiveContext:
    relay: RasaRelay
    mailer: Mailer
    settings: Settings
    territory: Territory

    def team_of(self, case: Case) -> Team:
        # A team removed from referents.yml leaves its cases with the default team.
        return self.territory.team(case.team_id) or self.territory.default_team()


def sync_waiting_turns(session: Session, context: LiveContext, case: Case) -> None:
    """Until a referent takes the case, what the visitor still writes (and what the
    assistant answers) is read from Rasa and added to the transcript."""
    if case.status != CaseStatus.NEW:
        return
    events = context.relay.conversation_events(case.conversation_id)
    if events is not None:
        service.copy_waiting_turns(session, case, events)


def claim(session: Session, context: LiveContext, case: Case, user: User, now: datetime) -> None:
    """Announced in the visitor's chat once per person who takes the case."""
    sync_waiting_turns(session, context, case)
    outcome = service.claim(session, case, user, now)
    if outcome != service.Claim.UNCHANGED:
        _announce(context, case, takeover=outcome == service.Claim.TAKEOVER)


def _announce(context: LiveContext, case: Case, *, takeover: bool = False) -> None:
    context.relay.handoff_claimed(
        case.conversation_id, context.team_of(case).name, takeover=takeover
    )


def reply(
    session: Session, context: LiveContext, case: Case, user: User, text: str, now: datetime
) -> CaseMessage:
    if case.status == CaseStatus.NEW:
        # The visitor's chat must switch to live mode before the first words arrive.
        claim(session, context, case, user, now)
    message = service.add_referent_message(session, case, user, text, now)
    deliver(session, context, case, message, now)
    return message


def deliver(
    session: Session, context: LiveContext, case: Case, message: CaseMessage, now: datetime
) -> Delivery:
    """Chat when the visitor is there; e-mail as well when they left or Rasa is down."""
    team = context.team_of(case)
    in_chat = context.relay.referent_message(case.conversation_id, message.text, team.name)
    present = service.visitor_is_present(case, now, context.settings.visitor_presence_minutes)
    if in_chat and present:
        via = Delivery.CHAT
    elif case.contact_email and _mail_reply(context, case, team, message):
        via = Delivery.EMAIL
    elif in_chat:
        # Gone and no e-mail: the conversation still holds the reply for their return.
        via = Delivery.CHAT
    else:
        via = Delivery.PENDING
    service.mark_delivery(session, message, via, now)
    log.info(
        "handoff.reply_delivery",
        case=case.reference,
        conversation_id=case.conversation_id,
        delivered_via=via.value,
    )
    return via


def _mail_reply(context: LiveContext, case: Case, team: Team, message: CaseMessage) -> bool:
    assert case.contact_email is not None
    mail = referent_reply_mail(
        to=case.contact_email,
        first_name=case.contact_first_name,
        reference=case.reference,
        team_name=team.name,
        team_email=team.email,
        text=message.text,
    )
    try:
        send_now(context.mailer, mail)
    except SEND_ERRORS as error:
        log.warning("handoff.reply_mail_failed", case=case.reference, error=type(error).__name__)
        return False
    return True


def deliver_pending(session: Session, context: LiveContext, case: Case, now: datetime) -> int:
    """Tries every pending reply again; returns how many got through."""
    delivered = 0
    for message in service.pending_messages(case):
        if deliver(session, context, case, message, now) != Delivery.PENDING:
            delivered += 1
    return delivered


def deliver_pending_in_background(
    session_factory: Callable[[], Session], context: LiveContext, case_id: int
) -> None:
    """After a visitor message: they are back, so replies stuck as pending can go now."""
    with session_factory() as session:
        case = session.get(Case, case_id)
        if case is not None:
            deliver_pending(session, context, case, utcnow())


def close(session: Session, context: LiveContext, case: Case, user: User, now: datetime) -> None:
    service.close(session, case, user, now)
    context.relay.handoff_closed(case.conversation_id, context.team_of(case).name)


def reopen(session: Session, context: LiveContext, case: Case, user: User, now: datetime) -> None:
    service.reopen(session, case, user, now)
    _announce(context, case)


def send_transcript(session: Session, context: LiveContext, case: Case, now: datetime) -> bool:
    """The conversation by e-mail to the address the visitor gave; recorded on the case."""
    if not case.contact_email:
        return False
    team = context.team_of(case)
    mail = transcript_mail(
        to=case.contact_email,
        first_name=case.contact_first_name,
        reference=case.reference,
        team_name=team.name,
        team_email=team.email,
        lines=service.conversation_lines(case),
    )
    try:
        send_now(context.mailer, mail)
    except SEND_ERRORS as error:
        log.warning(
            "handoff.transcript_mail_failed", case=case.reference, error=type(error).__name__
        )
        return False
    service.record_transcript_sent(session, case, now)
    return True
