"""The family's profile in French, as the chat's recap (bot), the plan's page and the
referent's case (API) show it: one table for all three."""

from __future__ import annotations

# School levels of the children (`school_level` entity values, the plan's `level`).
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
