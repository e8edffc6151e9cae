"""equipements.yml: the hospitals, railway stations, housing prices and reference towns the
comparison of communes uses, each tied to the knowledge entry that states it.

An item whose entry is missing, or whose entry does not name its commune (or its price), is
left out with a warning: the comparison never shows what no entry says."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from api.content.problems import Problem
from api.content.yamlfile import line_of, pydantic_problems, read_yaml
from api.knowledge.schemas import Entry
from api.territory.schemas import Commune, Source
from api.territory.service import Territory

FACILITIES_FILE = "equipements.yml"
_SECTIONS = ("hospitals", "stations", "housing_prices", "destinations", "coordinates_source")


class _HospitalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    commune: str
    entry: str


class _StationIn(_HospitalIn):
    line: str


class _PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    commune: str
    entry: str
    date: date
    flat_eur_m2: int | None = None
    house_eur_m2: int | None = None


class _DestinationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    commune: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    source: Source | None = None


@dataclass(frozen=True)
class Facility:
    """A hospital or a station, in a Lot commune, as an entry of the knowledge base states it."""

    name: str
    commune: Commune
    entry: Entry
    line: str | None = None


@dataclass(frozen=True)
class HousingPrice:
    commune: Commune
    entry: Entry
    date: date
    flat_eur_m2: int | None
    house_eur_m2: int | None


@dataclass(frozen=True)
class Destination:
    name: str
    latitude: float
    longitude: float
    source: Source


@dataclass(frozen=True)
class Facilities:
    hospitals: list[Facility] = field(default_factory=list)
    stations: list[Facility] = field(default_factory=list)
    housing_prices: dict[str, HousingPrice] = field(default_factory=dict)
    destinations: list[Destination] = field(default_factory=list)
    coordinates_source: Source | None = None


def french_number(value: int) -> str:
    """1684 -> "1 684", as entries write figures (a space or a narrow no-break space)."""
    return f"{value:,}".replace(",", " ")


def _mentions(text: str, needle: str) -> bool:
    normalised = text.replace("\u202f", " ").replace("\u00a0", " ")
    return needle in normalised


class _Checker:
    def __init__(
        self,
        path: Path,
        lines: dict[Any, int],
        territory: Territory,
        entries: Mapping[str, Entry],
        problems: list[Problem],
    ) -> None:
        self.path = path
        self.lines = lines
        self.territory = territory
        self.entries = entries
        self.problems = problems

    def warn(self, at: tuple[Any, ...], message: str, hint: str) -> None:
        self.problems.append(
            Problem(self.path, line_of(self.lines, at, 1), message, hint, severity="warning")
        )

    def error(self, at: tuple[Any, ...], message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, line_of(self.lines, at, 1), message, hint))

    def parse(self, model: type[BaseModel], raw: Any, at: tuple[Any, ...]) -> Any:
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            self.problems.extend(
                pydantic_problems(self.path, error, self.lines, at, line_of(self.lines, at, 1))
            )
            return None

    def commune(self, name: str, at: tuple[Any, ...]) -> Commune | None:
        commune = self.territory.commune(name)
        resolution = self.territory.resolve(name) if commune is None else None
        if resolution is not None and resolution.status == "found" and resolution.via == "exact":
            commune = resolution.commune
        if commune is None:
            self.error(
                (*at, "commune"),
                f"« {name} » n'est pas le nom officiel d'une commune du Lot",
                "écrivez le nom tel qu'il figure dans communes.csv, ou le code INSEE",
            )
        return commune

    def entry(self, entry_id: str, at: tuple[Any, ...]) -> Entry | None:
        entry = self.entries.get(entry_id)
        if entry is None:
            self.warn(
                (*at, "entry"),
                f"la fiche « {entry_id} » n'existe pas : cet élément n'est pas utilisé",
                "indiquez l'identifiant (id) d'une fiche qui cite cet élément et sa source",
            )
        return entry

    def items(self, raw: Any, section: str) -> list[Any]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.error((section,), f"« {section}: » doit être une liste", "un élément par « - »")
            return []
        return raw

    def facilities(self, raw: Any, section: str, model: type[_HospitalIn]) -> list[Facility]:
        found: list[Facility] = []
        for index, item in enumerate(self.items(raw, section)):
            at = (section, index)
            parsed = self.parse(model, item, at)
            if parsed is None:
                continue
            commune = self.commune(parsed.commune, at)
            entry = self.entry(parsed.entry, at)
            if commune is None or entry is None:
                continue
            if not _mentions(entry.answer, commune.name):
                self.warn(
                    (*at, "entry"),
                    f"la fiche « {entry.id} » ne cite pas {commune.name} : "
                    f"« {parsed.name} » n'est pas utilisé",
                    "choisissez la fiche qui parle de cet équipement, ou complétez-la",
                )
                continue
            found.append(
                Facility(parsed.name, commune, entry, getattr(parsed, "line", None) or None)
            )
        return found

    def prices(self, raw: Any) -> dict[str, HousingPrice]:
        found: dict[str, HousingPrice] = {}
        for index, item in enumerate(self.items(raw, "housing_prices")):
            at = ("housing_prices", index)
            parsed = self.parse(_PriceIn, item, at)
            if parsed is None:
                continue
            commune = self.commune(parsed.commune, at)
            entry = self.entry(parsed.entry, at)
            if commune is None or entry is None:
                continue
            figures = [value for value in (parsed.flat_eur_m2, parsed.house_eur_m2) if value]
            missing = [v for v in figures if not _mentions(entry.answer, french_number(v))]
            if not figures or missing:
                self.warn(
                    (*at, "entry"),
                    f"la fiche « {entry.id} » n'écrit pas le prix "
                    f"{', '.join(french_number(v) for v in missing) or '(aucun prix)'} €/m² : "
                    f"le prix de {commune.name} n'est pas utilisé",
                    "recopiez les prix tels que la fiche les écrit, ou mettez la fiche à jour",
                )
                continue
            found[commune.insee] = HousingPrice(
                commune, entry, parsed.date, parsed.flat_eur_m2, parsed.house_eur_m2
            )
        return found

    def destinations(self, raw: Any, coordinates: Source | None) -> list[Destination]:
        found: list[Destination] = []
        for index, item in enumerate(self.items(raw, "destinations")):
            at = ("destinations", index)
            parsed = self.parse(_DestinationIn, item, at)
            if parsed is None:
                continue
            if parsed.commune is not None:
                commune = self.commune(parsed.commune, at)
                if commune is not None and coordinates is not None:
                    found.append(
                        Destination(parsed.name, commune.latitude, commune.longitude, coordinates)
                    )
                continue
            if parsed.latitude is None or parsed.longitude is None or parsed.source is None:
                self.error(
                    at,
                    f"la ville « {parsed.name} » n'a ni commune du Lot, ni coordonnées sourcées",
                    "indiquez « commune: » (une commune du Lot), ou « latitude: », "
                    "« longitude: » et « source: » (title et url)",
                )
                continue
            found.append(Destination(parsed.name, parsed.latitude, parsed.longitude, parsed.source))
        return found


def check_facilities(
    path: Path, territory: Territory, entries: Mapping[str, Entry]
) -> tuple[Facilities, list[Problem]]:
    """The usable facilities of `path` and every problem found (a missing file: a warning)."""
    problems: list[Problem] = []
    if not path.is_file():
        problems.append(
            Problem(
                path,
                1,
                "fichier des équipements absent : la comparaison de communes dira « inconnu »",
                "remettez le fichier d'origine",
                severity="warning",
            )
        )
        return Facilities(), problems
    data, lines = read_yaml(path, problems)
    if not isinstance(data, dict):
        if not problems:
            problems.append(
                Problem(path, 1, "le fichier est vide", "reprenez la forme du fichier d'origine")
            )
        return Facilities(), problems
    check = _Checker(path, lines, territory, entries, problems)
    for unknown in set(data) - set(_SECTIONS):
        check.error((str(unknown),), f"rubrique « {unknown} » inconnue", "retirez-la")
    coordinates = (
        check.parse(Source, data["coordinates_source"], ("coordinates_source",))
        if "coordinates_source" in data
        else None
    )
    facilities = Facilities(
        hospitals=check.facilities(data.get("hospitals"), "hospitals", _HospitalIn),
        stations=check.facilities(data.get("stations"), "stations", _StationIn),
        housing_prices=check.prices(data.get("housing_prices")),
        destinations=check.destinations(data.get("destinations"), coordinates),
        coordinates_source=coordinates,
    )
    return facilities, problems
