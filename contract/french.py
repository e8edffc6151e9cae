"""French dates and times, for what a visitor, referent or editor reads.

Day and month names come from Babel's French locale data (pinned in both environments);
both the API and the action server write dates through these functions.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

LOCALE = "fr_FR"
# Referents, editors and visitors live on French time whatever the server's zone.
PARIS = ZoneInfo("Europe/Paris")
# The days of the week as the opening hours in knowledge/territory/ name their fields,
# Monday first like `date.weekday()`.
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def weekday_name(day: date) -> str:
    """« lundi »."""
    return format_date(day, "EEEE", locale=LOCALE)


def month_name(day: date) -> str:
    """« décembre »."""
    return format_date(day, "MMMM", locale=LOCALE)


def day_of_month(day: date) -> str:
    """ "1er" for the first of the month, as French writes it (Babel writes "1"); the number
    otherwise."""
    return "1er" if day.day == 1 else str(day.day)


def french_date(day: date) -> str:
    """« 1er décembre 2026 », « 25 novembre 2026 »."""
    return f"{day_of_month(day)} {month_name(day)} {day.year}"


def french_date_time(moment: datetime) -> str:
    """« 3 décembre 2026 à 14:05 », on Paris time."""
    local = moment.astimezone(PARIS)
    return f"{french_date(local)} à {local:%H:%M}"


def numeric_date(moment: datetime) -> str:
    """« 03/12/2026 », the day on Paris time."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y")


def numeric_date_time(moment: datetime) -> str:
    """« 03/12/2026 à 14:05 », on Paris time: for lists and transcripts."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y à %H:%M")
