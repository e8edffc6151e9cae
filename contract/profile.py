"""The family's profile in French, as the chat's recap (bot), the plan's page and the
referent's case (API) show it: one table for all three."""

from __future__ import annotations

from typing import Literal, get_args

# A child's school level, in school order, as the plan's API and the bot's profile name it.
SchoolLevel = Literal["creche", "maternelle", "elementaire", "college", "lycee", "superieur"]
SCHOOL_LEVELS: tuple[str, ...] = get_args(SchoolLevel)
SCHOOL_LEVEL_LABELS: dict[str, str] = {
    "creche": "tout-petit (crèche ou assistante maternelle)",
    "maternelle": "maternelle",
    "elementaire": "école élémentaire",
    "college": "collège",
    "lycee": "lycée",
    "superieur": "études supérieures",
}
# "louer une maison", "acheter un appartement".
HOUSING_TENURE_LABELS: dict[str, str] = {"rent": "louer", "buy": "acheter"}
HOUSING_KIND_LABELS: dict[str, str] = {"house": "une maison", "flat": "un appartement"}
