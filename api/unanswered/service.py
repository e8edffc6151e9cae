"""Logging unanswered questions without personal data, and grouping them for the editors."""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.territory.normalize import fold
from api.unanswered.models import UnansweredQuestion

EMAIL_PLACEHOLDER = "[adresse e-mail retirée]"
PHONE_PLACEHOLDER = "[numéro retiré]"
_EMAIL = re.compile(r"[\w.+-]+(?:@|\s?\(at\)\s?|\s?\[at\]\s?)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# French numbers in any usual writing (06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78,
# 0033612345678), and any other long run of digits, which is more likely a number than a fact.
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?\d{2,3}[\s.\-]?(?:\(0\)\s?)?\d|0\d)(?:[\s.\-]?\d{2}){4}(?!\d)"
    r"|(?<!\d)\d(?:[\s.\-]?\d){8,}(?!\d)"
)
_NON_WORD = re.compile(r"[^\w]+")
GROUPS_WINDOW = 5000


def scrub(text: str) -> str:
    """Remove e-mail addresses and phone numbers: the log must hold no personal data."""
    without_emails = _EMAIL.sub(EMAIL_PLACEHOLDER, text)
    return _PHONE.sub(PHONE_PLACEHOLDER, without_emails)


def record(
    session: Session, text: str, theme_guess: str | None, commune_insee: str | None
) -> UnansweredQuestion:
    question = UnansweredQuestion(
        text=scrub(text.strip()), theme_guess=theme_guess, commune_insee=commune_insee
    )
    session.add(question)
    session.commit()
    return question


def group_key(text: str) -> str:
    """Same question, however it was typed: case, accents and punctuation do not count."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


@dataclass(frozen=True)
class QuestionGroup:
    text: str
    count: int
    theme_guess: str | None
    communes: list[str]
    last_asked: datetime


def grouped(session: Session, limit: int = 100) -> list[QuestionGroup]:
    """Most frequent first, over the latest questions; ties go to the most recent."""
    rows = session.scalars(
        select(UnansweredQuestion)
        .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
        .limit(GROUPS_WINDOW)
    ).all()
    buckets: dict[str, list[UnansweredQuestion]] = {}
    for row in rows:
        buckets.setdefault(group_key(row.text), []).append(row)
    groups = []
    for questions in buckets.values():
        themes = Counter(q.theme_guess for q in questions if q.theme_guess)
        communes = Counter(q.commune_insee for q in questions if q.commune_insee)
        groups.append(
            QuestionGroup(
                text=questions[0].text,
                count=len(questions),
                theme_guess=themes.most_common(1)[0][0] if themes else None,
                communes=[insee for insee, _ in communes.most_common()],
                last_asked=_aware(questions[0].created_at),
            )
        )
    groups.sort(key=lambda group: (-group.count, -group.last_asked.timestamp()))
    return groups[:limit]


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes; they were written in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
