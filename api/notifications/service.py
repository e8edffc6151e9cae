"""Who is told about a new case, and sending that news without holding up the bot."""

from sqlalchemy.orm import Session

from api.accounts.service import active_team_members
from api.notifications.mailer import Mailer, OutgoingMail, send_with_retries
from api.notifications.messages import case_link, new_case_mail
from api.territory.schemas import Team


def new_case_mails(
    session: Session,
    *,
    reference: str,
    team: Team,
    commune_name: str | None,
    public_base_url: str,
) -> list[OutgoingMail]:
    """One mail per address (the team's, then each active member's), so nobody sees the others."""
    addresses = [team.email, *(user.email for user in active_team_members(session, team.id))]
    unique = list(dict.fromkeys(address.lower() for address in addresses))
    link = case_link(public_base_url, reference)
    return [
        new_case_mail(
            to=address,
            reference=reference,
            team_name=team.name,
            commune_name=commune_name,
            link=link,
        )
        for address in unique
    ]


async def send_all(mailer: Mailer, mails: list[OutgoingMail]) -> None:
    """Runs as a background task after the case is committed; failures are logged, not raised."""
    for mail in mails:
        await send_with_retries(mailer, mail)
