"""Territory data (communes, communes déléguées, referent teams, places outside the Lot, the
département's facts): loaded from knowledge/territory/, checked, and served from memory."""

import csv
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from api.content.problems import ContentError, Problem
from api.content.yamlfile import line_of, pydantic_problems, read_yaml
from api.core.config import get_settings
from api.territory.department import DEPARTMENT_FILE, load_department
from api.territory.hours import HoursFile, OpeningHours, WeekFile
from api.territory.normalize import place_key
from api.territory.resolver import Resolver
from api.territory.schemas import (
    Commune,
    DelegatedCommune,
    Department,
    OutsidePlace,
    Resolution,
    Team,
)

COMMUNES_FILE = "communes.csv"
DELEGATED_FILE = "communes_deleguees.csv"
REFERENTS_FILE = "referents.yml"
OUTSIDE_FILE = "hors_lot.yml"
# Prefixes of the official EPCI names that editors often leave out ("Grand-Figeac").
_EPCI_PREFIXES = (
    "communaute d agglomeration du ",
    "communaute d agglomeration de ",
    "communaute de communes du ",
    "communaute de communes de ",
    "communaute de communes des ",
    "communaute de communes ",
    "ca du ",
    "ca de ",
    "cc du ",
    "cc de la ",
    "cc de ",
    "cc des ",
    "ca ",
    "cc ",
)
# Everyday names of EPCIs, used by editors and visitors alike.
_EPCI_NICKNAMES = {"cauvaldor": "200066371"}


class Territory:
    def __init__(
        self,
        communes: list[Commune],
        delegated: list[DelegatedCommune],
        teams: list[Team],
        outside: list[OutsidePlace],
        department: Department | None = None,
    ) -> None:
        self._department = department
        self._communes = {commune.insee: commune for commune in communes}
        self._delegated = list(delegated)
        self._teams = list(teams)
        self._outside = list(outside)
        self._epci_names = {c.epci_siren: c.epci_name for c in communes}
        self._epci_keys: dict[str, str] = {}
        for siren, name in self._epci_names.items():
            for key in _epci_keys(name):
                self._epci_keys.setdefault(key, siren)
        for nickname, siren in _EPCI_NICKNAMES.items():
            if siren in self._epci_names:
                self._epci_keys.setdefault(nickname, siren)
        self._team_by_epci = {siren: team for team in teams for siren in team.epci}
        defaults = [team for team in teams if team.default]
        self._default_team = defaults[0] if defaults else None
        self._resolver = Resolver(communes, delegated, outside)

    def department(self) -> Department:
        if self._department is None:
            raise LookupError(f"{DEPARTMENT_FILE} was not loaded")
        return self._department

    def commune(self, insee: str) -> Commune | None:
        return self._communes.get(insee)

    def communes(self) -> list[Commune]:
        return list(self._communes.values())

    def delegated_communes(self) -> list[DelegatedCommune]:
        return list(self._delegated)

    def outside_places(self) -> list[OutsidePlace]:
        return list(self._outside)

    def epcis(self) -> dict[str, str]:
        """SIREN -> official name of every EPCI that has a Lot commune."""
        return dict(self._epci_names)

    def epci_siren(self, name_or_siren: str) -> str | None:
        """The SIREN of an EPCI given by SIREN, official name, or name without "CC"/"CA"."""
        text = name_or_siren.strip()
        if text in self._epci_names:
            return text
        for key in _epci_keys(text):
            if key in self._epci_keys:
                return self._epci_keys[key]
        return None

    def teams(self) -> list[Team]:
        return list(self._teams)

    def team(self, team_id: str) -> Team | None:
        return next((team for team in self._teams if team.id == team_id), None)

    def default_team(self) -> Team:
        if self._default_team is None:
            raise LookupError("referents.yml has no team with `default: true`")
        return self._default_team

    def team_for_commune(self, insee: str | None) -> Team:
        """The team of the commune's EPCI; the department-wide team when nobody covers it."""
        commune = self.commune(insee) if insee else None
        if commune is not None and commune.epci_siren in self._team_by_epci:
            return self._team_by_epci[commune.epci_siren]
        return self.default_team()

    def resolve(self, name: str) -> Resolution:
        return self._resolver.resolve(name)

    def lookup(self, insee_or_name: str) -> Resolution:
        """Like `resolve`, but a 5-digit text that is an INSEE code means that commune."""
        commune = self.commune(insee_or_name.strip())
        if commune is not None:
            return Resolution(query=insee_or_name, status="found", commune=commune, via="exact")
        return self.resolve(insee_or_name)


def _epci_keys(name: str) -> list[str]:
    key = place_key(name)
    keys = [key]
    for prefix in _EPCI_PREFIXES:
        if key.startswith(prefix):
            keys.append(key[len(prefix) :])
            break
    return keys


class _TeamFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    role: str
    email: str
    epci: list[str] = []
    default: bool = False
    # The team's own week (else the file's `hours:`) and its extra closed days.
    hours: WeekFile | None = None
    closed_days: list[date] = []


class _OutsideFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    departement: str
    departement_code: str
    aliases: list[str] = []


def _read_csv(path: Path, problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        problems.append(Problem(path, 1, "fichier introuvable", "remettez le fichier d'origine"))
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
    return rows


def _load_communes(path: Path, problems: list[Problem]) -> list[Commune]:
    communes: list[Commune] = []
    seen: set[str] = set()
    for line, row in _read_csv(path, problems):
        try:
            commune = Commune(
                insee=row["code_insee"],
                name=row["nom"],
                postal_codes=[code for code in row["codes_postaux"].split(";") if code],
                epci_siren=row["epci_siren"],
                epci_name=row["epci_nom"],
                population=int(row["population_municipale_2023"]),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
            )
        except (KeyError, ValueError) as error:
            problems.append(
                Problem(
                    path,
                    line,
                    f"ligne de commune illisible ({error})",
                    "comparez-la aux autres lignes : même nombre de colonnes, nombres sans espace",
                )
            )
            continue
        if commune.insee in seen:
            problems.append(
                Problem(
                    path,
                    line,
                    f"le code INSEE {commune.insee} apparaît deux fois",
                    "gardez une seule ligne par commune",
                )
            )
            continue
        seen.add(commune.insee)
        communes.append(commune)
    return communes


def _load_delegated(
    path: Path, communes: dict[str, Commune], problems: list[Problem]
) -> list[DelegatedCommune]:
    delegated: list[DelegatedCommune] = []
    for line, row in _read_csv(path, problems):
        try:
            former = DelegatedCommune(
                insee=row["code_insee_deleguee"],
                name=row["nom_commune_deleguee"],
                commune_insee=row["code_insee_commune_nouvelle"],
            )
        except (KeyError, ValueError) as error:
            problems.append(
                Problem(
                    path,
                    line,
                    f"ligne de commune déléguée illisible ({error})",
                    "comparez-la aux autres lignes",
                )
            )
            continue
        if former.commune_insee not in communes:
            problems.append(
                Problem(
                    path,
                    line,
                    f"la commune nouvelle {former.commune_insee} n'existe pas dans {COMMUNES_FILE}",
                    "corrigez le code INSEE de la commune nouvelle",
                )
            )
            continue
        delegated.append(former)
    return delegated


def _load_default_hours(
    path: Path, data: Any, lines: dict[Any, int], problems: list[Problem]
) -> HoursFile | None:
    raw = data.get("hours") if isinstance(data, dict) else None
    start = line_of(lines, ("hours",), 1)
    if raw is None:
        problems.append(
            Problem(
                path,
                1,
                "le bloc « hours: » (horaires des équipes) est absent",
                "ajoutez-le en tête du fichier, avec « week: » et les plages de chaque jour",
            )
        )
        return None
    try:
        return HoursFile.model_validate(raw)
    except ValidationError as error:
        problems.extend(pydantic_problems(path, error, lines, ("hours",), start))
        return None


def _load_teams(path: Path, epcis: set[str], problems: list[Problem]) -> list[Team]:
    data, lines = read_yaml(path, problems)
    if data is None:
        return []
    default_hours = _load_default_hours(path, data, lines, problems)
    raw_teams = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(raw_teams, list):
        problems.append(
            Problem(
                path, 1, "la liste « teams: » est absente", "commencez le fichier par « teams: »"
            )
        )
        return []
    teams: list[Team] = []
    seen: dict[str, int] = {}
    covered: dict[str, str] = {}
    for index, raw in enumerate(raw_teams):
        start = line_of(lines, ("teams", index), 1)
        try:
            parsed = _TeamFile.model_validate(raw)
        except ValidationError as error:
            problems.extend(pydantic_problems(path, error, lines, ("teams", index), start))
            continue
        if parsed.id in seen:
            problems.append(
                Problem(
                    path,
                    line_of(lines, ("teams", index, "id"), start),
                    f"l'identifiant d'équipe « {parsed.id} » est déjà pris "
                    f"(ligne {seen[parsed.id]})",
                    "donnez à chaque équipe un identifiant unique",
                )
            )
            continue
        seen[parsed.id] = line_of(lines, ("teams", index, "id"), start)
        for position, siren in enumerate(parsed.epci):
            siren_line = line_of(lines, ("teams", index, "epci", position), start)
            if siren not in epcis:
                problems.append(
                    Problem(
                        path,
                        siren_line,
                        f"l'intercommunalité {siren} n'existe pas dans {COMMUNES_FILE}",
                        "indiquez le numéro SIREN d'une intercommunalité du Lot "
                        f"({', '.join(sorted(epcis))})",
                    )
                )
            elif siren in covered:
                problems.append(
                    Problem(
                        path,
                        siren_line,
                        f"l'intercommunalité {siren} est déjà suivie par l'équipe "
                        f"« {covered[siren]} »",
                        "une intercommunalité ne peut relever que d'une seule équipe",
                    )
                )
            else:
                covered[siren] = parsed.id
        own_week = parsed.hours
        week = own_week or (default_hours.week if default_hours else None)
        hours = (
            OpeningHours.from_file(
                week,
                parsed.closed_days,
                provisional=own_week is None
                and default_hours is not None
                and default_hours.provisional,
            )
            if week is not None
            else None
        )
        teams.append(Team(**parsed.model_dump(exclude={"hours", "closed_days"}), hours=hours))
    defaults = [team.id for team in teams if team.default]
    if len(defaults) != 1:
        problems.append(
            Problem(
                path,
                1,
                f"il faut exactement une équipe avec « default: true » (trouvé : {len(defaults)})",
                "marquez l'équipe départementale par « default: true », et elle seule",
            )
        )
    return teams


def _load_outside(path: Path, problems: list[Problem]) -> list[OutsidePlace]:
    data, lines = read_yaml(path, problems)
    raw_places = data.get("places") if isinstance(data, dict) else None
    if data is not None and not isinstance(raw_places, list):
        problems.append(
            Problem(path, 1, "la liste « places: » est absente", "commencez par « places: »")
        )
        return []
    places: list[OutsidePlace] = []
    for index, raw in enumerate(raw_places or []):
        start = line_of(lines, ("places", index), 1)
        try:
            places.append(OutsidePlace(**_OutsideFile.model_validate(raw).model_dump()))
        except ValidationError as error:
            problems.extend(pydantic_problems(path, error, lines, ("places", index), start))
    return places


def check_territory(directory: Path) -> tuple[Territory, list[Problem]]:
    """Load everything that loads, and list every problem (the territory may be partial)."""
    problems: list[Problem] = []
    communes = _load_communes(directory / COMMUNES_FILE, problems)
    by_insee = {commune.insee: commune for commune in communes}
    delegated = _load_delegated(directory / DELEGATED_FILE, by_insee, problems)
    epcis = {commune.epci_siren for commune in communes}
    teams = _load_teams(directory / REFERENTS_FILE, epcis, problems)
    outside = _load_outside(directory / OUTSIDE_FILE, problems)
    for place in outside:
        for name in [place.name, *place.aliases]:
            key = place_key(name)
            clash = next((c for c in communes if place_key(c.name) == key), None)
            if clash is not None:
                problems.append(
                    Problem(
                        directory / OUTSIDE_FILE,
                        1,
                        f"« {name} » est aussi le nom d'une commune du Lot ({clash.insee})",
                        "retirez ce nom de la liste des lieux hors du Lot",
                    )
                )
    department = load_department(
        directory / DEPARTMENT_FILE,
        {commune.name for commune in communes},
        sum(commune.population for commune in communes),
        problems,
    )
    return Territory(communes, delegated, teams, outside, department), problems


def load_territory(directory: Path) -> Territory:
    """The territory of `directory`; raises ContentError if any file has an error."""
    territory, problems = check_territory(directory)
    errors = [problem for problem in problems if problem.is_error]
    if errors:
        raise ContentError(errors)
    return territory


@lru_cache(maxsize=4)
def _cached_territory(directory: Path) -> Territory:
    return load_territory(directory)


_current: dict[Path, Territory] = {}


def set_territory(directory: Path, territory: Territory) -> None:
    """Replace the served territory after a successful reload of the knowledge directory."""
    _current[directory.resolve()] = territory


def get_territory() -> Territory:
    """The territory of settings.knowledge_dir / "territory"; usable as a FastAPI dependency."""
    directory = (get_settings().knowledge_dir / "territory").resolve()
    current = _current.get(directory)
    return current if current is not None else _cached_territory(directory)
