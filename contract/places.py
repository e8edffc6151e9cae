"""Where a message names a place, as the NLU's entities say: shared by the action server,
which searches without the place, and the ranking replay of scripts/tune_ranking.py, which
must cut the same words."""

from __future__ import annotations

import re
from typing import Any

# "à", "vers", "du côté de"… left dangling once the place is cut out of a question.
_PLACE_PREPOSITION = re.compile(
    r"(?:\b(?:à|a|au|aux|en|sur|vers|pour|près de|autour de|côté de|du côté de|"
    r"secteur de|le secteur de|dans le secteur de|région de|la région de))\s*$",
    re.IGNORECASE,
)


# "vin de Cahors", "l'appellation Cahors", "AOC Rocamadour": a product named after a town,
# not the place the visitor looks at.
_PRODUCT_BEFORE = re.compile(
    r"\b(?:aoc|aop|igp|appellation|vins?|vignobles?|fromages?|cab[ée]cous?)"
    r"(?:\s+(?:de|du|des)\s*|\s*d['’]\s*|\s+)$",
    re.IGNORECASE,
)


# "et dans le reste du département ?", "et sur tout le Lot ?", "ailleurs dans le 46 ?": the
# question before, widened from the conversation's town to the whole department.
_WHOLE_DEPARTMENT = re.compile(
    r"\b(?:tout|toute|reste|ensemble|ailleurs|partout)\b"
    r"(?:\s+(?:le|la|du|de|des|dans|en|sur|l['’]))*\s*(?:d[ée]partement|lot|46)\b"
    r"|\b(?:d[ée]partement|lot|46)\s+(?:en\s+)?entier\b",
    re.IGNORECASE,
)


def widens_to_department(text: str) -> bool:
    """Whether a message asks about the whole department rather than one town."""
    return bool(_WHOLE_DEPARTMENT.search(text))


# "dans le Lot", "le 46", "du Lot": the department named (not "Lot-et-Garonne", "un lot de").
_THE_LOT = re.compile(r"\b(?:le|du|au|dans le|en)\s+(?:lot|46)\b(?!-)", re.IGNORECASE)


# "c'est bien dans le Lot ?", "Martel dans le lot ou pas ?": whether a place is in it.
_WHETHER_IN_THE_LOT = (
    r"\b(?:c\W?\s*est|est|sont)\s+(?:bien\s+|vraiment\s+)?(?:dans|en)\s+le\s+lot\b"
    r"|\bdans\s+le\s+lot\s+ou\s+(?:pas|non)\b"
)
_IN_THE_LOT_ASKED = re.compile(_WHETHER_IN_THE_LOT, re.IGNORECASE)
# Also a question ending on "dans le Lot ?": it may ask it ("Capdenac-Gare dans le lot ?"),
# too loosely to answer where a place is ("où accouche-t-on dans le Lot ?"), enough not to
# take the Lot for the question's place.
_ENDS_ON_THE_LOT = re.compile(_WHETHER_IN_THE_LOT + r"|\bdans\s+le\s+lot\s*\?", re.IGNORECASE)


# How the reply to a question about a place outside the Lot declines it ("Brive-la-Gaillarde
# (Corrèze) n'est pas dans le Lot : …"): the bot says it, the answer evaluation knows it.
OUTSIDE_LOT_DECLINE = "n'est pas dans le Lot : je ne connais bien que le Lot."


def names_the_lot(text: str) -> bool:
    """Whether a message names the department itself, other than to ask whether a place is
    in it."""
    return bool(_THE_LOT.search(text)) and not _ENDS_ON_THE_LOT.search(text)


def asks_if_in_the_lot(text: str) -> bool:
    """Whether a message asks in so many words if a place is in the department ("Carennac
    c'est bien dans le Lot ?", "Martel dans le lot ou pas ?")."""
    return bool(_IN_THE_LOT_ASKED.search(text))


def _names_a_product(parse_data: dict[str, Any], item: dict[str, Any]) -> bool:
    text = str(parse_data.get("text") or "")
    start = item.get("start")
    return isinstance(start, int) and bool(_PRODUCT_BEFORE.search(text[:start]))


def commune_aware_entities(parse_data: dict[str, Any] | None, entity: str) -> list[dict[str, Any]]:
    """The message's entities of a kind; a town's name that names a product ("vin de
    Cahors") is no `commune`."""
    if not parse_data:
        return []
    return [
        item
        for item in parse_data.get("entities") or []
        if item.get("entity") == entity
        and not (entity == "commune" and _names_a_product(parse_data, item))
    ]


def without_place(
    text: str, parse_data: dict[str, Any] | None, *, keep_subject: bool = False
) -> str:
    """The question minus the place, so that "lycées à Cahors" can be asked again for
    Figeac without Cahors weighing on the search. `keep_subject`: a place named without a
    preposition before it stays ("padirac ouvert en hiver ?" asks about the site)."""
    spans = sorted(
        (
            (int(item["start"]), int(item["end"]))
            for item in commune_aware_entities(parse_data, "commune")
            if "start" in item and "end" in item
        ),
        reverse=True,
    )
    for start, end in spans:
        before = _PLACE_PREPOSITION.sub("", text[:start])
        if keep_subject and before == text[:start]:
            continue
        text = before + text[end:]
    # The question mark stays: the entries' example questions end with one, and the
    # sentence encoder reads a question closer to them with it.
    return " ".join(text.split()).strip(" !.,;:")
