"""The visitor's light profile: what they said of their household, trades, housing, area and
timeline, kept in slots only once they agreed, and turned into the body of POST /v1/plans.

Pure functions over a message's text and entities. The NLU tells that a message describes
the project (`inform_profile`) and finds the school levels, trades and sectors; who a trade
belongs to, the housing wished for and the timeline are read here from the words around
them, since the entity extractor sees one word on either side only. The French labels of
its values, which the visitor's recap and the referent's case share, close the module.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from contract.profile import HOUSING_KIND_LABELS, HOUSING_TENURE_LABELS, SCHOOL_LEVELS

CONSENT_SLOT = "profile_consent"
# The plan's link, kept for "envoyez-le moi par mail" and forgotten with the profile.
PLAN_SLOTS = ("plan_token", "plan_url", "plan_expires")
# The API's limits (docs/contracts.md, "Plans"): texts of 1-100 characters, 8 children,
# 3 communes.
MAX_TEXT = 100
MAX_CHILDREN = 8
MAX_COMMUNES = 3

# Words of each level, accents folded and lower case. Crèche first: "assistante maternelle"
# is childcare, not school.
_LEVEL_WORDS = (
    ("creche", r"creches?|micro-?creches?|nounou|nourrice|assistantes? maternelles?|assmat"),
    ("maternelle", r"maternelles?|maternel|(?:toute )?petite section|(?:moyenne|grande) section"),
    ("elementaire", r"primaires?|elementaires?|cp|ce1|ce2|cm1|cm2"),
    ("college", r"colleges?|collegien\w*|sixieme|cinquieme|quatrieme|troisieme|6e|5e|4e|3e"),
    ("lycee", r"lycees?|lyceens?|lyceennes?|seconde|premiere|terminale"),
    ("superieur", r"superieur|etudes sup\w*|fac|universite|bts|iut|prepa|licences?|master"),
)
_LEVEL_PATTERNS = tuple((level, re.compile(rf"\b(?:{words})\b")) for level, words in _LEVEL_WORDS)
# Found in a message's words when the NLU tagged no level: the words no other use shares
# ("première" or "seconde" may be anything but a class).
_LEVEL_IN_TEXT = re.compile(
    r"\b(?:creches?|micro-?creche|maternelle|(?:petite|moyenne|grande) section|primaire|"
    r"elementaire|cp|ce1|ce2|cm1|cm2|college|en (?:sixieme|cinquieme|quatrieme|troisieme|[6543]e)|"
    r"lycee|terminale|fac|universite|bts|etudes superieures)\b"
)
_NUMBER_WORDS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6}
_CHILDREN_COUNT = re.compile(
    r"\b(deux|trois|quatre|cinq|six|[2-8]) (?:enfants|ados|adolescents|gamins|petits|filles|"
    r"garcons|fils|loulous)\b|\b(jumeaux|jumelles)\b"
)
# "mon mari", "ma compagne", "lui"… : the trade that follows is the partner's.
_PARTNER = re.compile(
    r"\b(?:mon|ma|notre) (?:mari|femme|epoux|epouse|conjoint|conjointe|compagnon|compagne|"
    r"copain|copine|ami|amie|partenaire|moitie|cheri|cherie)\b"
)
_PARTNER_PRONOUN = re.compile(r"\b(?:lui|elle)\b")
_COUPLE = re.compile(r"\ben couple\b|\bnous deux\b|\ba deux adultes\b")
_ALONE = re.compile(r"\bseule?\b|\bcelibataire\b|\bsolo\b|\bparent isole\b")
# Where one person's part of a sentence ends: "je suis infirmière, et mon mari est…".
_CLAUSE_END = re.compile(r"[,;.!?:]|\bet\b|\bmais\b|\bpuis\b|\btandis que\b|\balors que\b")
# "en fait", "finalement", "pas en maternelle mais en CP": a correction, not an addition.
_CORRECTION = re.compile(
    r"\ben fait\b|\bfinalement\b|\bcorrection\b|\bje (?:me suis trompee?|rectifie|corrige)\b|"
    r"\berreur\b|\bje voulais dire\b|\bpardon\b|^\s*non\b|\bplus exactement\b|\bplutot\b"
)
_NEGATED_LEVEL = re.compile(
    r"\b(?:pas|plus|non) (?:en|au|a la|a l'|dans le|dans la|a|de)\s*(?P<what>[\w'-]+(?: [\w'-]+)?)"
)
_RENT = re.compile(
    r"\blou(?:er|e|ons|ez)\b|\blocation\b|\blocataires?\b|\blogement social\b|\bhlm\b"
)
_BUY = re.compile(
    r"\bachet\w*|\bachat\b|\bacquerir\b|\bacquisition\b|\bproprietaires?\b|\bdevenir proprio\b"
)
_HOUSE = re.compile(r"\bmaisons?\b|\blongere\b|\bcorps de ferme\b|\bpavillon\b|\bfermette\b")
_FLAT = re.compile(r"\bappartements?\b|\bappart\b|\bstudio\b|\b[tf][1-6]\b")
_MONTH = r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre"
_AMOUNT = r"\d{1,2}|un|une|deux|trois|quatre|cinq|six|huit|dix|douze|quinze|quelques"
_TIMELINE = re.compile(
    rf"(?:\b(?:en|des|d'ici|pour|vers|avant|apres|a partir de|fin|debut|courant|mi-)\s*)?"
    rf"\b(?:{_MONTH})\b(?: prochain)?(?: \d{{4}})?"
    rf"|\b(?:a|pour|des|avant|apres) la rentree(?: scolaire)?(?: \d{{4}}| prochaine)?"
    rf"|\b(?:au |cet |ce |l'|d'ici l')(?:printemps|ete|automne|hiver)(?: prochain)?(?: \d{{4}})?"
    rf"|\b(?:dans|d'ici|sous) (?:{_AMOUNT}) (?:jours|semaines?|mois|ans?|annees?)\b"
    rf"|\b(?:l'an prochain|l'annee prochaine|cette annee|d'ici la fin de l'annee)\b"
    rf"|\b(?:en|courant|fin|debut|pour|d'ici|avant) 20\d\d\b"
    rf"|\b(?:des que possible|le plus (?:tot|vite) possible|au plus vite|rapidement)\b"
    rf"|\bpas avant (?:un an|l'an prochain|l'annee prochaine|\d{{4}})"
)


def fold(text: str) -> str:
    """Lower case without accents, one character for one, so that positions still match
    the visitor's text."""
    return "".join(unicodedata.normalize("NFKD", char)[0] for char in text.lower())


def level_of(words: str) -> str | None:
    """The API's school level of an entity's value or words ("CM2" -> "elementaire")."""
    folded = fold(words).replace("’", "'")
    for level, pattern in _LEVEL_PATTERNS:
        if pattern.search(folded):
            return level
    return None


def _clip(text: str) -> str:
    return " ".join(text.split())[:MAX_TEXT]


@dataclass(frozen=True)
class Adult:
    trade: str | None = None
    sector: str | None = None

    def is_empty(self) -> bool:
        return self.trade is None and self.sector is None


@dataclass(frozen=True)
class Profile:
    """What the visitor agreed to let the assistant keep, slot by slot."""

    household: str | None = None  # "alone" | "couple"
    children: tuple[str, ...] = ()  # school levels (SCHOOL_LEVELS)
    you: Adult = Adult()
    partner: Adult = Adult()
    tenure: str | None = None  # "rent" | "buy"
    housing: str | None = None  # "house" | "flat"
    area: tuple[str, ...] = ()  # Lot communes' official names
    timeline: str | None = None

    def is_empty(self) -> bool:
        return self == Profile()

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> Profile:
        def text(name: str) -> str | None:
            value = slots.get(name)
            return str(value) if value else None

        def items(name: str) -> tuple[str, ...]:
            value = slots.get(name)
            return tuple(str(v) for v in value) if isinstance(value, list) else ()

        return cls(
            household=text("profile_household"),
            children=tuple(level for level in items("profile_children") if level in SCHOOL_LEVELS),
            you=Adult(text("profile_trade"), text("profile_sector")),
            partner=Adult(text("profile_partner_trade"), text("profile_partner_sector")),
            tenure=text("profile_tenure"),
            housing=text("profile_housing"),
            area=items("profile_area"),
            timeline=text("profile_timeline"),
        )

    def slots(self) -> dict[str, Any]:
        """The slot values that hold this profile (None clears a slot)."""
        return {
            "profile_household": self.household,
            "profile_children": list(self.children) or None,
            "profile_trade": self.you.trade,
            "profile_sector": self.you.sector,
            "profile_partner_trade": self.partner.trade,
            "profile_partner_sector": self.partner.sector,
            "profile_tenure": self.tenure,
            "profile_housing": self.housing,
            "profile_area": list(self.area) or None,
            "profile_timeline": self.timeline,
        }


PROFILE_SLOTS = tuple(Profile().slots())


@dataclass(frozen=True)
class Update:
    """What one message says of the project; None or empty: not said."""

    levels: tuple[str, ...] = ()
    children_count: int | None = None
    replaced_levels: tuple[str, ...] = ()  # "pas en maternelle": the level being corrected
    correction: bool = False
    household: str | None = None
    you: Adult = Adult()
    partner: Adult = Adult()
    tenure: str | None = None
    housing: str | None = None
    places: tuple[str, ...] = ()  # commune entities as written; resolved by the action
    timeline: str | None = None

    def is_empty(self) -> bool:
        return (
            not self.levels
            and self.household is None
            and self.you.is_empty()
            and self.partner.is_empty()
            and self.tenure is None
            and self.housing is None
            and not self.places
            and self.timeline is None
        )


def _entities(parse_data: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    found = [
        item
        for item in parse_data.get("entities") or []
        if item.get("entity") == name and item.get("value")
    ]
    return sorted(found, key=lambda item: int(item.get("start") or 0))


def _is_partners(folded: str, start: int) -> bool:
    """A trade belongs to the partner when their words open its part of the sentence."""
    clause_start = 0
    for match in _CLAUSE_END.finditer(folded, 0, start):
        clause_start = match.end()
    clause = folded[clause_start:start]
    return bool(_PARTNER.search(clause) or _PARTNER_PRONOUN.search(clause))


def _negated_levels(folded: str) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    levels: list[str] = []
    spans: list[tuple[int, int]] = []
    for match in _NEGATED_LEVEL.finditer(folded):
        level = level_of(match.group("what"))
        if level is not None:
            levels.append(level)
            spans.append(match.span())
    return tuple(levels), spans


def _levels(text: str, folded: str, parse_data: Mapping[str, Any]) -> tuple[str, ...]:
    _, negated = _negated_levels(folded)

    def kept(start: int) -> bool:
        return not any(begin <= start < end for begin, end in negated)

    levels = []
    for item in _entities(parse_data, "school_level"):
        start, end = int(item.get("start") or 0), int(item.get("end") or 0)
        level = level_of(str(item["value"])) or level_of(text[start:end])
        if level is not None and kept(start):
            levels.append(level)
    if not levels:
        levels = [
            level
            for match in _LEVEL_IN_TEXT.finditer(folded)
            if kept(match.start()) and (level := level_of(match.group())) is not None
        ]
    return tuple(levels)


def _children_count(folded: str) -> int | None:
    match = _CHILDREN_COUNT.search(folded)
    if match is None:
        return None
    if match.group(2):
        return 2
    word = match.group(1)
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def _adults(text: str, folded: str, parse_data: Mapping[str, Any]) -> tuple[Adult, Adult]:
    you: dict[str, str] = {}
    partner: dict[str, str] = {}
    for kind, field_name in (("job", "trade"), ("sector", "sector")):
        for item in _entities(parse_data, kind):
            start = int(item.get("start") or 0)
            owner = partner if _is_partners(folded, start) else you
            owner.setdefault(field_name, _clip(str(item["value"])))
    return Adult(you.get("trade"), you.get("sector")), Adult(
        partner.get("trade"), partner.get("sector")
    )


def read_message(text: str, parse_data: Mapping[str, Any]) -> Update:
    """What a message describing the project says, as an update of the profile."""
    folded = fold(text).replace("’", "'")
    you, partner = _adults(text, folded, parse_data)
    household = None
    if _PARTNER.search(folded) or _COUPLE.search(folded) or not partner.is_empty():
        household = "couple"
    elif _ALONE.search(folded):
        household = "alone"
    tenure = None
    kinds = {fold(str(item["value"])) for item in _entities(parse_data, "housing_kind")}
    if "achat" in kinds or _BUY.search(folded):
        tenure = "buy"
    elif kinds & {"location", "logement social", "temporaire"} or _RENT.search(folded):
        tenure = "rent"
    housing = "house" if _HOUSE.search(folded) else "flat" if _FLAT.search(folded) else None
    timeline = _TIMELINE.search(folded)
    replaced_levels = _negated_levels(folded)[0]
    return Update(
        levels=_levels(text, folded, parse_data),
        children_count=_children_count(folded),
        replaced_levels=replaced_levels,
        correction=bool(replaced_levels or _CORRECTION.search(folded)),
        household=household,
        you=you,
        partner=partner,
        tenure=tenure,
        housing=housing,
        places=tuple(str(item["value"]) for item in _entities(parse_data, "commune")),
        timeline=_clip(text[timeline.start() : timeline.end()]) if timeline else None,
    )


def _children(old: tuple[str, ...], update: Update) -> tuple[str, ...]:
    new = update.levels
    if not new:
        return old
    if update.correction and old:
        replaced = list(old)
        targets = [level for level in update.replaced_levels if level in replaced]
        if targets:
            for target, level in zip(targets, new, strict=False):
                replaced[replaced.index(target)] = level
            return tuple(replaced)
        if len(new) >= len(old):
            return new
        # The last child the visitor spoke of is the one corrected ("en fait elle est en CM2").
        return tuple(old[: len(old) - len(new)]) + new
    count = update.children_count
    if count and len(new) == 1 and count > 1:
        return (new[0],) * min(count, MAX_CHILDREN)
    if count or len(new) > 1:
        return new[:MAX_CHILDREN]
    return old if new[0] in old else (old + new)[:MAX_CHILDREN]


def _adult(old: Adult, new: Adult) -> Adult:
    if new.is_empty():
        return old
    # A new trade replaces the old one; a sector said alone keeps the trade, and the reverse.
    return Adult(new.trade or old.trade, new.sector or old.sector)


def apply(profile: Profile, update: Update, places: Sequence[str]) -> Profile:
    """The profile once `update` is taken in; `places` are the update's communes as the API
    resolved them (official names of Lot communes)."""
    partner = _adult(profile.partner, update.partner)
    household = update.household or profile.household
    if not partner.is_empty():
        household = "couple"
    return replace(
        profile,
        household=household,
        children=_children(profile.children, update),
        you=_adult(profile.you, update.you),
        partner=partner,
        tenure=update.tenure or profile.tenure,
        housing=update.housing or profile.housing,
        area=tuple(dict.fromkeys(places))[:MAX_COMMUNES] if places else profile.area,
        timeline=update.timeline or profile.timeline,
    )


def _adult_body(adult: Adult) -> dict[str, Any]:
    return {"trade": adult.trade, "sector": adult.sector, "looking_for": ["job"]}


def plan_body(profile: Profile, commune_name: str | None) -> dict[str, Any]:
    """The `profile` of POST /v1/plans: what the visitor gave, nothing else. The area is the
    one they described, else the commune the conversation is about."""
    area = list(profile.area) or ([commune_name] if commune_name else [])
    return {
        "household": {
            "adults": [
                _adult_body(adult)
                for adult in (profile.you, profile.partner)
                if not adult.is_empty()
            ],
            "children": [{"level": level} for level in profile.children],
        },
        "housing": {"tenure": profile.tenure, "kind": profile.housing},
        "area": {"communes": area[:MAX_COMMUNES]},
        "timeline": profile.timeline,
    }


# -- the profile in French, as the visitor (plan.py) and the referent (handoff.py) read it


def adult_label(adult: Adult) -> str:
    return " – ".join(part for part in (adult.trade, adult.sector) if part)


def housing_label(profile: Profile) -> str | None:
    if profile.tenure is None and profile.housing is None:
        return None
    tenure = HOUSING_TENURE_LABELS.get(profile.tenure or "", "trouver")
    return f"{tenure} {HOUSING_KIND_LABELS.get(profile.housing or '', 'un logement')}"
