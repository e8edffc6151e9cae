"""Territory data (communes, communes déléguées, referent teams, places outside the Lot, the
département's facts): loaded from knowledge/territory/, checked, and served from memory."""

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from api.content.problems import ContentError, Problem
from api.content.yamlfile import line_of, pydantic_problems, read_yaml
from api.core.config import get_settings
from api.territory.department import DEPARTMENT_FILE, load_department
from api.territory.hours import HoursFile, OpeningHours, WeekFile
from api.territory.normalize import epci_keys, place_key
from api.territory.resolver import Resolver
from api.territory.schemas import (
    Area,
    Commune,
    DelegatedCommune,
    Department,
    Epci,
    OutsidePlace,
    Resolution,
    Team,
)

COMMUNES_FILE = "communes.csv"
DELEGATED_FILE = "communes_deleguees.csv"
REFERENTS_FILE = "referents.yml"
OUTSIDE_FILE = "hors_lot.yml"
SECTORS_FILE = "secteurs.yml"


class _CommunauteFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    epci: str
    names: list[str] = []
    outside_lot: bool = False


class _SecteurFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: list[str]
    epci: list[str] = []


@dataclass(frozen=True)
class Sectors:
    """secteurs.yml: everyday names of communautés, and areas over several of them."""

    communautes: tuple[_CommunauteFile, ...] = ()
    secteurs: tuple[_SecteurFile, ...] = ()


class Territory:
    def __init__(
        self,
        communes: list[Commune],
        delegated: list[DelegatedCommune],
        teams: list[Team],
        outside: list[OutsidePlace],
        department: Department | None = None,
        sectors: Sectors = Sectors(),
    ) -> None:
        self._department = department
        self._communes = {commune.insee: commune for commune in communes}
        self._delegated = list(delegated)
        self._teams = list(teams)
        self._outside = list(outside)
        beyond = {entry.epci for entry in sectors.communautes if entry.outside_lot}
        self._epcis = {
            c.epci_siren: Epci(
                siren=c.epci_siren, name=c.epci_name, outside_lot=c.epci_siren in beyond
            )
            for c in communes
        }
        # Largest first: the first is the commune a communauté's name resolves to.
        self._members: dict[str, list[Commune]] = {}
        for commune in sorted(communes, key=lambda c: (-c.population, c.name)):
            self._members.setdefault(commune.epci_siren, []).append(commune)
        self._areas = self._area_names(sectors)
        self._team_by_epci = {siren: team for team in teams for siren in team.epci}
        defaults = [team for team in teams if team.default]
        self._default_team = defaults[0] if defaults else None
        self._resolver = Resolver(
            communes,
            delegated,
            outside,
            {key: (area, self.centre(area)) for key, area in self._areas.items()},
        )

    def _area_names(self, sectors: Sectors) -> dict[str, Area]:
        """Key of every name of a communauté or area -> the area. The official names first:
        a name of secteurs.yml never takes one over."""
        areas: dict[str, Area] = {}
        for epci in self._epcis.values():
            for key in epci_keys(epci.name):
                areas.setdefault(key, Area(name=epci.name, epcis=[epci], communaute=True))
        for communaute in sectors.communautes:
            named = self._epcis.get(communaute.epci)
            for name in communaute.names if named is not None else []:
                areas.setdefault(place_key(name), Area(name=name, epcis=[named], communaute=True))
        for secteur in sectors.secteurs:
            known = [self._epcis[siren] for siren in secteur.epci if siren in self._epcis]
            for name in secteur.names:
                areas.setdefault(place_key(name), Area(name=name, epcis=known, communaute=False))
        return areas

    def centre(self, area: Area) -> Commune | None:
        """The commune a communauté's name stands for: its most populated; none for an area
        over several communautés."""
        if not area.communaute:
            return None
        return self._members[area.epcis[0].siren][0]

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
        return {siren: epci.name for siren, epci in self._epcis.items()}

    def areas(self) -> dict[str, Area]:
        """Key of every name of a communauté or area (secteurs.yml, official names) -> it."""
        return dict(self._areas)

    def epci(self, siren: str) -> Epci | None:
        return self._epcis.get(siren)

    def epci_communes(self, siren: str) -> list[Commune]:
        """The EPCI's communes of the Lot, the most populated first."""
        return list(self._members.get(siren, []))

    def epci_siren(self, name_or_siren: str) -> str | None:
        """The SIREN of an EPCI given by SIREN, official name, name without "CC"/"CA", or a
        name of secteurs.yml that means that one EPCI ("Cauvaldor")."""
        text = name_or_siren.strip()
        if text in self._epcis:
            return text
        for key in epci_keys(text):
            area = self._areas.get(key)
            if area is not None and area.communaute:
                return area.epcis[0].siren
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


_Entry = TypeVar("_Entry", bound=BaseModel)


def _entries(
    path: Path,
    data: dict[str, Any],
    lines: dict[Any, int],
    section: str,
    model: type[_Entry],
    problems: list[Problem],
) -> list[tuple[int, int, _Entry]]:
    """The valid entries of one list of a YAML file: (index, line, entry)."""
    raw = data.get(section)
    if raw is not None and not isinstance(raw, list):
        problems.append(
            Problem(
                path,
                line_of(lines, (section,), 1),
                f"« {section}: » doit être une liste",
                "commencez chaque entrée par « - », comme les autres",
            )
        )
        return []
    entries: list[tuple[int, int, _Entry]] = []
    for index, item in enumerate(raw or []):
        start = line_of(lines, (section, index), 1)
        try:
            entries.append((index, start, model.model_validate(item)))
        except ValidationError as error:
            problems.extend(pydantic_problems(path, error, lines, (section, index), start))
    return entries


def _load_sectors(
    path: Path,
    epcis: dict[str, str],
    taken: dict[str, str],
    problems: list[Problem],
) -> Sectors:
    """secteurs.yml, every name checked: `taken` maps the key of each name already in use
    (communes, communes déléguées, official EPCI names) to what it names."""
    data, lines = read_yaml(path, problems)
    if data is None:
        return Sectors()
    if not isinstance(data, dict):
        problems.append(
            Problem(path, 1, "le fichier doit commencer par « communautes: »", "voir l'en-tête")
        )
        return Sectors()
    seen: dict[str, int] = {}

    def check_names(names: list[str], at: tuple[str, int], meaning: str | None) -> None:
        for position, name in enumerate(names):
            line = line_of(lines, (*at, "names", position), 1)
            key = place_key(name)
            owner = taken.get(key)
            if key in seen:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"le nom « {name} » figure déjà dans ce fichier (ligne {seen[key]})",
                        "gardez-le une seule fois",
                    )
                )
            elif owner is not None and owner != meaning:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"« {name} » est déjà le nom de {owner}",
                        "retirez ce nom : l'assistant le reconnaît déjà",
                    )
                )
            seen.setdefault(key, line)

    def check_epci(siren: str, line: int) -> bool:
        if siren in epcis:
            return True
        problems.append(
            Problem(
                path,
                line,
                f"l'intercommunalité {siren} n'existe pas dans {COMMUNES_FILE}",
                "indiquez le numéro SIREN d'une intercommunalité du Lot "
                f"({', '.join(sorted(epcis))})",
            )
        )
        return False

    communautes: list[_CommunauteFile] = []
    for index, start, communaute in _entries(
        path, data, lines, "communautes", _CommunauteFile, problems
    ):
        if check_epci(communaute.epci, line_of(lines, ("communautes", index, "epci"), start)):
            meaning = f"l'intercommunalité {epcis[communaute.epci]}"
            check_names(communaute.names, ("communautes", index), meaning)
            communautes.append(communaute)
    secteurs: list[_SecteurFile] = []
    for index, start, secteur in _entries(path, data, lines, "secteurs", _SecteurFile, problems):
        known = [
            check_epci(siren, line_of(lines, ("secteurs", index, "epci", position), start))
            for position, siren in enumerate(secteur.epci)
        ]
        check_names(secteur.names, ("secteurs", index), None)
        if all(known):
            secteurs.append(secteur)
    return Sectors(tuple(communautes), tuple(secteurs))


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
    epci_names = {commune.epci_siren: commune.epci_name for commune in communes}
    taken = {place_key(c.name): f"la commune {c.name}" for c in communes}
    for former in delegated:
        taken.setdefault(place_key(former.name), f"l'ancienne commune {former.name}")
    for name in epci_names.values():
        for key in epci_keys(name):
            taken.setdefault(key, f"l'intercommunalité {name}")
    sectors = _load_sectors(directory / SECTORS_FILE, epci_names, taken, problems)
    department = load_department(
        directory / DEPARTMENT_FILE,
        {commune.name for commune in communes},
        sum(commune.population for commune in communes),
        problems,
    )
    return Territory(communes, delegated, teams, outside, department, sectors), problems


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
