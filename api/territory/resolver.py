"""Turns a visitor's spelling of a place into a Lot commune, a place outside the Lot, or nothing.

Order matters: certain matches first (name, commune déléguée, postal code), then the list of
well-known places outside the Lot, so that "Capdenac-Gare" or "Brives" is never taken for a
Lot commune, then the names of communautés and areas ("Cauvaldor", "le Ségala"), and only
then short names and small misspellings.
"""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from api.territory.normalize import epci_keys, place_key, query_keys
from api.territory.schemas import (
    Area,
    Commune,
    DelegatedCommune,
    OutsidePlace,
    Resolution,
    ResolutionVia,
)

MAX_ALTERNATIVES = 3
_POSTAL_CODE = re.compile(r"^\d{5}$")
# Words that end the distinctive part of a name: "Biars-sur-Cère" is also called "Biars".
_CONNECTORS = {"sur", "en", "de", "du", "des", "d", "la", "le", "les", "l", "et", "lez", "pres"}
_ALTERNATIVE_CUTOFF = 65.0
_COMMON_FIRST_WORDS = {"saint", "sainte", "notre", "dame"}
# Area names shorter than this are only taken as typed: one letter off, they are everyday
# words ("cause" is not "causse").
_AREA_FUZZY_LETTERS = 8


@dataclass(frozen=True)
class _Target:
    commune: Commune | None = None
    delegated_name: str | None = None
    outside: OutsidePlace | None = None
    area: Area | None = None


def max_edits(key: str) -> int:
    """Edits tolerated for a misspelling; none on short words, where one edit is another name.
    "Saint" is left out of the length: "saint cirq" is as short as "cirq"."""
    words = key.split()
    while len(words) > 1 and words[0] in _COMMON_FIRST_WORDS:
        words = words[1:]
    length = len("".join(words))
    if length < 5:
        return 0
    if length <= 7:
        return 1
    if length <= 12:
        return 2
    return 3


class Resolver:
    def __init__(
        self,
        communes: list[Commune],
        delegated: list[DelegatedCommune],
        outside: list[OutsidePlace],
        areas: dict[str, tuple[Area, Commune | None]] | None = None,
    ) -> None:
        """`areas`: key of a communauté's or area's name -> the area, and for a communauté
        the commune it resolves to (its most populated)."""
        by_insee = {commune.insee: commune for commune in communes}
        self._by_insee = by_insee
        self._exact: dict[str, list[Commune]] = {}
        for commune in communes:
            self._exact.setdefault(place_key(commune.name), []).append(commune)
        self._delegated: dict[str, _Target] = {}
        for former in delegated:
            key = place_key(former.name)
            target = by_insee.get(former.commune_insee)
            if target is not None and key not in self._exact:
                self._delegated[key] = _Target(commune=target, delegated_name=former.name)
        self._postal: dict[str, list[Commune]] = {}
        for commune in sorted(communes, key=lambda c: -c.population):
            for code in commune.postal_codes:
                self._postal.setdefault(code, []).append(commune)
        self._outside: dict[str, OutsidePlace] = {}
        for place in outside:
            for name in [place.name, *place.aliases]:
                self._outside[place_key(name)] = place
        self._areas = {
            key: _Target(commune=commune, area=area)
            for key, (area, commune) in (areas or {}).items()
            if key not in self._exact and key not in self._delegated
        }
        self._short = self._short_names()
        self._fuzzy_targets: dict[str, _Target] = {}
        for key, found in self._exact.items():
            if len(found) == 1:
                self._fuzzy_targets[key] = _Target(commune=found[0])
        self._fuzzy_targets.update(self._delegated)
        for key, place in self._outside.items():
            self._fuzzy_targets[key] = _Target(outside=place)
        for key, area_target in self._areas.items():
            if len(key.replace(" ", "")) >= _AREA_FUZZY_LETTERS:
                self._fuzzy_targets.setdefault(key, area_target)
        self._fuzzy_keys = list(self._fuzzy_targets)
        self._by_population = [
            (place_key(commune.name), commune)
            for commune in sorted(communes, key=lambda c: -c.population)
        ]

    def _short_names(self) -> dict[str, _Target]:
        """Distinctive part of each name, kept only when it points to one commune and no other
        name starts with the same words."""
        full: dict[str, _Target] = {
            key: _Target(commune=found[0]) for key, found in self._exact.items() if len(found) == 1
        }
        full.update(self._delegated)
        candidates: dict[str, list[_Target]] = {}
        for key, target in full.items():
            words = key.split()
            cut = next((i for i, word in enumerate(words) if i > 0 and word in _CONNECTORS), None)
            if cut is None:
                continue
            short = " ".join(words[:cut])
            if short in {"saint", "sainte", "notre"}:
                continue
            candidates.setdefault(short, []).append(target)
        short_names: dict[str, _Target] = {}
        for short, targets in candidates.items():
            communes = {t.commune.insee for t in targets if t.commune is not None}
            shared_prefix = sum(1 for key in full if key == short or key.startswith(short + " "))
            if len(communes) == 1 and shared_prefix == len(targets) and short not in full:
                short_names[short] = targets[0]
        return short_names

    def resolve(self, text: str) -> Resolution:
        query = text.strip()
        if _POSTAL_CODE.match(query):
            return self._resolve_postal_code(query)
        keys = query_keys(query)
        if not keys:
            return Resolution(query=query, status="unknown")
        for key in keys:
            exact = self._exact.get(key, [])
            if len(exact) == 1:
                return Resolution(query=query, status="found", commune=exact[0], via="exact")
            if len(exact) > 1:
                return Resolution(
                    query=query, status="unknown", alternatives=exact[:MAX_ALTERNATIVES]
                )
            delegated = self._delegated.get(key)
            if delegated is not None:
                return self._found(query, delegated, "delegated")
        for key in keys:
            place = self._outside.get(key)
            if place is not None:
                return Resolution(query=query, status="outside_lot", outside=place)
        for key in keys:
            # "la communauté de communes du Grand Figeac" as well as "Grand Figeac".
            area = next((self._areas[k] for k in epci_keys(key) if k in self._areas), None)
            if area is not None:
                return self._found(query, area, "area")
        for key in keys:
            short = self._short.get(key)
            if short is not None:
                return self._found(query, short, "short_name")
        for key in keys:
            fuzzy = self._fuzzy(key)
            if isinstance(fuzzy, _Target):
                if fuzzy.outside is not None:
                    return Resolution(query=query, status="outside_lot", outside=fuzzy.outside)
                return self._found(query, fuzzy, "fuzzy")
        return Resolution(query=query, status="unknown", alternatives=self._alternatives(keys[-1]))

    @staticmethod
    def _found(query: str, target: _Target, via: ResolutionVia) -> Resolution:
        if target.commune is None:
            # An area over several communautés: named, but no one commune.
            return Resolution(query=query, status="unknown", via=via, area=target.area)
        return Resolution(
            query=query,
            status="found",
            commune=target.commune,
            via=via,
            delegated_name=target.delegated_name,
            area=target.area,
        )

    def _resolve_postal_code(self, code: str) -> Resolution:
        """Five digits are a postal code or an INSEE code (Figeac: 46100 and 46102). A postal
        code wins; a commune whose INSEE code it also is comes first among the alternatives."""
        communes = self._postal.get(code, [])
        by_insee = self._by_insee.get(code)
        if communes:
            others = [c for c in [by_insee, *communes[1:]] if c is not None and c != communes[0]]
            return Resolution(
                query=code,
                status="found",
                commune=communes[0],
                via="postal_code",
                alternatives=others[:MAX_ALTERNATIVES],
            )
        if by_insee is not None:
            return Resolution(query=code, status="found", commune=by_insee, via="insee_code")
        if not code.startswith("46"):
            return Resolution(query=code, status="outside_lot")
        return Resolution(query=code, status="unknown")

    def _fuzzy(self, key: str) -> _Target | None:
        limit = max_edits(key)
        if limit == 0 or any(name.startswith(key + " ") for name, _ in self._by_population):
            # The beginning of several names ("saint cirq") is a question, not a misspelling.
            return None
        matches = process.extract(
            key, self._fuzzy_keys, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if not matches:
            return None
        best = min(distance for _, distance, _ in matches)
        targets = {
            self._target_id(self._fuzzy_targets[choice]): self._fuzzy_targets[choice]
            for choice, distance, _ in matches
            if distance == best
        }
        # Two places equally close: guessing would be worse than asking.
        return next(iter(targets.values())) if len(targets) == 1 else None

    @staticmethod
    def _target_id(target: _Target) -> str:
        if target.area is not None:
            # Two names of one communauté are one place; an area is its own.
            first = target.area.epcis[0].siren if target.area.epcis else ""
            return f"epci:{first}" if target.area.communaute else f"area:{target.area.name}"
        if target.commune is not None:
            return target.commune.insee
        assert target.outside is not None
        return "outside:" + target.outside.name

    def _alternatives(self, key: str) -> list[Commune]:
        found: dict[str, Commune] = {}
        for name_key, commune in self._by_population:
            if name_key.startswith(key + " "):
                found.setdefault(commune.insee, commune)
        for choice, _score, _ in process.extract(
            key,
            self._fuzzy_keys,
            scorer=fuzz.ratio,
            score_cutoff=_ALTERNATIVE_CUTOFF,
            limit=MAX_ALTERNATIVES * 3,
        ):
            target = self._fuzzy_targets[choice]
            if target.commune is not None:
                found.setdefault(target.commune.insee, target.commune)
        return list(found.values())[:MAX_ALTERNATIVES]
