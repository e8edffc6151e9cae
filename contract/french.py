"""French dates and times, for what a visitor, referent or editor reads.

A month table rather than Babel: Babel is in the bot env but not in the app env (see
docs/contracts.md); both write dates the same way through these functions.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

# Referents, editors and visitors live on French time whatever the server's zone.
PARIS = ZoneInfo("Europe/Paris")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


def day_of_month(day: date) -> str:
    """ "1er" for the first of the month, as French writes it; the number otherwise."""
    return "1er" if day.day == 1 else str(day.day)


def french_date(day: date) -> str:
    """« 1er décembre 2026 », « 25 novembre 2026 »."""
    return f"{day_of_month(day)} {MONTHS[day.month - 1]} {day.year}"


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
