"""French calendar words, for what a visitor, referent or editor reads."""

from __future__ import annotations

from datetime import date

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
