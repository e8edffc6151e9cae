"""The French e-mails of the handoff: new case to the team, a referent's reply to the visitor."""

from datetime import datetime

from api.notifications.mailer import OutgoingMail
from api.pages.templating import environment
from contract.french import numeric_date, numeric_date_time


def team_phrase(team_name: str) -> str:
    """'Équipe accueil du Grand-Figeac' -> 'l’équipe accueil du Grand-Figeac' (mid-sentence)."""
    first, _, rest = team_name.partition(" ")
    if first.lower() in ("équipe", "equipe") and rest:
        return f"l’équipe {rest}"
    return team_name


def case_link(public_base_url: str, reference: str) -> str:
    return f"{public_base_url.rstrip('/')}/tableau-de-bord/dossiers/{reference}"


def new_case_mail(
    *, to: str, reference: str, team_name: str, commune_name: str | None, link: str
) -> OutgoingMail:
    """Tells a team a case arrived. No transcript and no contact details: the link needs a login."""
    text = environment.get_template("notifications/new_case.txt").render(
        reference=reference,
        team_name=team_name,
        team_phrase=team_phrase(team_name),
        commune_name=commune_name,
        link=link,
    )
    return OutgoingMail(
        to=to, subject=f"Nouvelle demande d’accueil {reference} – {team_name}", text=text
    )


def referent_reply_mail(
    *,
    to: str,
    first_name: str,
    reference: str,
    team_name: str,
    team_email: str,
    text: str,
) -> OutgoingMail:
    """A referent's reply for a visitor who left the chat; replies go to the team's address."""
    phrase = team_phrase(team_name)
    subject = f"Réponse de {phrase} – demande {reference}"
    values = {
        "subject": subject,
        "first_name": first_name,
        "reference": reference,
        "team_name": team_name,
        "team_phrase": phrase,
        "text": text,
    }
    return OutgoingMail(
        to=to,
        subject=subject,
        text=environment.get_template("notifications/referent_reply.txt").render(values),
        html=environment.get_template("notifications/referent_reply.html").render(values),
        reply_to=team_email,
        personal=True,
    )


_SPEAKERS = {"visitor": "Vous", "bot": "L’assistant", "referent": "L’équipe"}


def transcript_mail(
    *,
    to: str,
    first_name: str,
    reference: str,
    team_name: str,
    team_email: str,
    lines: list[tuple[str, datetime | None, str]],
) -> OutgoingMail:
    """The whole conversation, sent to the visitor who asked for it: (who, when, text)."""
    phrase = team_phrase(team_name)
    text = environment.get_template("notifications/transcript.txt").render(
        first_name=first_name,
        reference=reference,
        team_name=team_name,
        team_phrase=phrase,
        lines=[
            {
                "who": _SPEAKERS.get(who, who),
                "when": numeric_date_time(at) if at else "",
                "text": said,
            }
            for who, at, said in lines
        ],
    )
    return OutgoingMail(
        to=to,
        subject=f"Votre conversation avec {phrase} – demande {reference}",
        text=text,
        reply_to=team_email,
        personal=True,
    )


def plan_link_mail(*, to: str, link: str, expires_at: datetime) -> OutgoingMail:
    """The link to the visitor's plan, sent to the address they gave for it (not stored)."""
    text = environment.get_template("notifications/plan_link.txt").render(
        link=link, expires=numeric_date(expires_at)
    )
    return OutgoingMail(
        to=to, subject="Votre projet d’installation dans le Lot", text=text, personal=True
    )
