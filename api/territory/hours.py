"""Opening hours of the referent teams (knowledge/territory/referents.yml): when a person
can answer live, and when the team is back. French public holidays are always closed days
(the `holidays` library)."""

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Annotated

import holidays
from pydantic import AfterValidator, BaseModel, ConfigDict

from contract.french import DAYS, PARIS, day_of_month, month_name, weekday_name

_SLOT = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
# How far ahead the next opening is looked for (a team closed longer is "not known").
_LOOKAHEAD_DAYS = 60

Slot = tuple[time, time]


def _slot(text: str) -> str:
    match = _SLOT.match(text.strip())
    if match is None:
        raise ValueError(
            f"« {text} » n'est pas une plage horaire : écrivez par exemple 09:00-12:30"
        )
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"« {text} » contient une heure qui n'existe pas")
    if (h1, m1) >= (h2, m2):
        raise ValueError(f"« {text} » finit avant de commencer")
    return text.strip()


SlotText = Annotated[str, AfterValidator(_slot)]


class WeekFile(BaseModel):
    """A week as written in the file: for each French day name, its time slots."""

    model_config = ConfigDict(extra="forbid")

    lundi: list[SlotText] = []
    mardi: list[SlotText] = []
    mercredi: list[SlotText] = []
    jeudi: list[SlotText] = []
    vendredi: list[SlotText] = []
    samedi: list[SlotText] = []
    dimanche: list[SlotText] = []


class HoursFile(BaseModel):
    """The `hours:` block at the top of referents.yml: the hours of every team that states
    none of its own, and whether they are only placeholders."""

    model_config = ConfigDict(extra="forbid")

    provisional: bool = True
    week: WeekFile


def _parse(text: str) -> Slot:
    start, _, end = text.partition("-")
    closing = time.max if end == "24:00" else time.fromisoformat(end)
    return time.fromisoformat(start), closing


@lru_cache(maxsize=8)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=year))


class OpeningHours(BaseModel):
    model_config = ConfigDict(frozen=True)

    # Monday first, like DAYS.
    week: tuple[tuple[Slot, ...], ...]
    closed_days: frozenset[date] = frozenset()
    # True while these are the file's placeholders, not hours a team has set.
    provisional: bool = False

    @classmethod
    def from_file(
        cls, week: WeekFile, closed_days: list[date], *, provisional: bool
    ) -> "OpeningHours":
        days = tuple(tuple(sorted(_parse(slot) for slot in getattr(week, day))) for day in DAYS)
        return cls(week=days, closed_days=frozenset(closed_days), provisional=provisional)

    def _slots(self, day: date) -> tuple[Slot, ...]:
        if day in self.closed_days or day in _public_holidays(day.year):
            return ()
        return self.week[day.weekday()]

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(PARIS)
        return any(start <= local.time() < end for start, end in self._slots(local.date()))

    def next_opening(self, at: datetime) -> datetime | None:
        """The next moment the team is open, after `at` (itself when open); None when the
        team has no opening in the coming weeks."""
        local = at.astimezone(PARIS)
        if self.is_open(at):
            return local
        for offset in range(_LOOKAHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            for start, _ in self._slots(day):
                moment = datetime.combine(day, start, tzinfo=PARIS)
                if moment > local:
                    return moment
        return None


def french_moment(moment: datetime, now: datetime) -> str:
    """« aujourd’hui à 13 h 30 », « demain à 9 h », « lundi 7 décembre à 9 h »."""
    local = moment.astimezone(PARIS)
    today = now.astimezone(PARIS).date()
    hour = f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")
    if local.date() == today:
        return f"aujourd’hui à {hour}"
    if local.date() == today + timedelta(days=1):
        return f"demain à {hour}"
    return f"{weekday_name(local)} {day_of_month(local)} {month_name(local)} à {hour}"
