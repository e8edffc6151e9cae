"""Checks knowledge files against the format of docs/guide-editeurs.md.

Every problem becomes `path:line: what is wrong — how to fix it` in French, for editors.
Errors stop a (re)load; warnings (stale review, file in another theme's folder, unknown
field) are shown but the content is served.
"""

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from rapidfuzz import fuzz, process

from api.content.problems import Problem
from api.core.config import get_settings
from api.knowledge.loader import ParsedFile, parse_file
from api.knowledge.schemas import THEMES, Entry, Scope, Source
from api.territory.normalize import place_key
from api.territory.service import Territory

MAX_ANSWER_CHARS = 1200
REQUIRED_FIELDS = ("id", "theme", "title", "scope", "sources", "reviewed")
OPTIONAL_FIELDS = ("questions", "keywords")
_ID_PATTERN = re.compile(r"^[a-z0-9-]+$")
_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The French words editors reach for, mapped to the theme codes of the contract.
_FRENCH_THEMES = {
    "emploi": "jobs",
    "emplois": "jobs",
    "travail": "jobs",
    "entreprise": "business",
    "entreprises": "business",
    "reprise": "business",
    "reconversion": "retraining",
    "formation": "retraining",
    "ecole": "schools",
    "ecoles": "schools",
    "scolarite": "schools",
    "education": "schools",
    "logement": "housing",
    "logements": "housing",
    "loisirs": "leisure",
    "loisir": "leisure",
    "culture": "leisure",
    "sante": "health",
    "transports": "transport",
    "mobilite": "transport",
    "vie": "living",
    "quotidien": "living",
    "vivre": "living",
}
_MISSING_HINTS = {
    "id": "ajoutez dans l'en-tête une ligne comme « id: lycees-cahors »",
    "theme": "ajoutez dans l'en-tête une ligne comme « theme: schools »",
    "title": 'ajoutez dans l\'en-tête une ligne comme « title: "Les lycées de Cahors" »',
    "scope": "ajoutez dans l'en-tête « scope: department » (ou une liste de communes ou d'EPCI)",
    "sources": (
        "ajoutez dans l'en-tête « sources: », puis pour chaque source une ligne "
        "« - title: ... » et une ligne « url: https://... »"
    ),
    "reviewed": "ajoutez dans l'en-tête la date de votre relecture, « reviewed: 2026-11-25 »",
}
_TYPE_WORDS = {
    "string_type": "un texte",
    "list_type": "une liste",
    "dict_type": "des champs « title » et « url »",
    "model_type": "des champs « title » et « url »",
}


def _content_error(message: str, hint: str) -> PydanticCustomError:
    return PydanticCustomError("content", "{message}", {"message": message, "hint": hint})


class _SourceIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    title: str
    url: str

    @field_validator("title")
    @classmethod
    def _title_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise _content_error("source sans titre", "donnez le nom du site ou du document")
        return value.strip()

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parsed = urlparse(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise _content_error(
                f"l'adresse de source « {value} » n'est pas une adresse web",
                "écrivez l'adresse complète, commençant par https:// (ou http://)",
            )
        return value.strip()


class _ScopeIn(BaseModel):
    level: str
    names: list[str] = []


class _FrontMatter(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    theme: str
    title: str
    scope: _ScopeIn
    sources: list[_SourceIn]
    reviewed: date
    questions: list[str] = []
    keywords: list[str] = []

    @field_validator("id")
    @classmethod
    def _id_pattern(cls, value: str) -> str:
        if not _ID_PATTERN.match(value):
            suggestion = re.sub(r"[^a-z0-9]+", "-", place_key(value).replace(" ", "-")).strip("-")
            raise _content_error(
                f"identifiant « {value} » invalide : seulement minuscules sans accent, "
                "chiffres et tirets",
                f"écrivez par exemple « id: {suggestion or 'lycees-cahors'} »",
            )
        return value

    @field_validator("theme")
    @classmethod
    def _known_theme(cls, value: str) -> str:
        if value not in THEMES:
            guess = _FRENCH_THEMES.get(place_key(value))
            if guess is None:
                match = process.extractOne(value.lower(), THEMES, scorer=fuzz.ratio)
                guess = match[0] if match and match[1] >= 70 else None
            advice = f"vouliez-vous dire « {guess} » ? " if guess else ""
            raise _content_error(
                f"thème « {value} » inconnu",
                f"{advice}thèmes possibles : {', '.join(THEMES)}",
            )
        return value

    @field_validator("title")
    @classmethod
    def _title_not_empty(cls, value: str) -> str:
        if not value.strip():
            raise _content_error("le titre est vide", "donnez un titre court, en français")
        return value.strip()

    @field_validator("scope", mode="before")
    @classmethod
    def _scope_shape(cls, value: Any) -> Any:
        hint = (
            "écrivez « scope: department », ou « scope: » suivi de « communes: [Cahors] » "
            "ou de « epci: [CA du Grand Cahors] » (une seule des deux listes)"
        )
        if value == "department":
            return {"level": "department"}
        if isinstance(value, dict) and len(value) == 1:
            ((level, names),) = value.items()
            if isinstance(names, str):
                names = [names]
            if level in ("communes", "epci") and isinstance(names, list) and names:
                return {"level": level, "names": [str(name) for name in names]}
        raise _content_error(f"portée (scope) « {value} » non reconnue", hint)

    @field_validator("sources")
    @classmethod
    def _at_least_one_source(cls, value: list[_SourceIn]) -> list[_SourceIn]:
        if not value:
            raise _content_error(
                "aucune source", "ajoutez au moins une source officielle (title et url)"
            )
        return value

    @field_validator("reviewed", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> date:
        text = str(value).strip()
        try:
            if not _DATE_PATTERN.match(text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            raise _content_error(
                f"date de relecture « {value} » invalide",
                "écrivez la date au format AAAA-MM-JJ, par exemple « reviewed: 2026-11-25 »",
            ) from None


@dataclass(frozen=True)
class LoadedEntry:
    """An entry plus what only the index needs."""

    entry: Entry
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    path: Path
    id_line: int


@dataclass
class ValidationReport:
    entries: list[LoadedEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.is_error]


def _number(value: int) -> str:
    """French thousands separator: 1 582."""
    return f"{value:,}".replace(",", "\u202f")


def _field_name(loc: tuple[int | str, ...]) -> str:
    names = {"title": "titre", "url": "adresse (url)"}
    if len(loc) >= 3 and loc[0] == "sources" and isinstance(loc[1], int):
        return f"{names.get(str(loc[2]), loc[2])} de la source n°{loc[1] + 1}"
    return ".".join(str(part) for part in loc)


def _pydantic_problems(parsed: ParsedFile, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        line = parsed.line(loc)
        ctx = item.get("ctx") or {}
        if item["type"] == "content":
            message, hint = str(ctx["message"]), str(ctx["hint"])
        elif item["type"] == "missing" and len(loc) == 1:
            name = str(loc[0])
            message = f"champ obligatoire « {name} » absent"
            hint = _MISSING_HINTS.get(name, f"ajoutez la ligne « {name}: ... »")
        elif item["type"] == "missing" and loc[0] == "sources" and isinstance(loc[1], int):
            missing = "d'adresse (url)" if loc[-1] == "url" else "de titre (title)"
            message = f"la source n°{loc[1] + 1} n'a pas {missing}"
            hint = "chaque source a deux lignes : « - title: ... » puis « url: https://... »"
        elif item["type"] == "missing":
            message = f"« {_field_name(loc)} » manque"
            hint = "reprenez la forme de l'exemple dans docs/guide-editeurs.md"
        else:
            expected = _TYPE_WORDS.get(item["type"], "d'une autre forme")
            message = f"« {_field_name(loc)} » doit être {expected}"
            hint = "reprenez la forme de l'exemple dans docs/guide-editeurs.md"
        problems.append(Problem(parsed.path, line, message, hint))
    return problems


def _closest(name: str, choices: list[str]) -> str | None:
    match = process.extractOne(
        place_key(name), {choice: place_key(choice) for choice in choices}, scorer=fuzz.ratio
    )
    return str(match[2]) if match and match[1] >= 60 else None


def _resolve_scope(
    parsed: ParsedFile, scope: _ScopeIn, territory: Territory
) -> tuple[Scope | None, list[Problem]]:
    problems: list[Problem] = []
    if scope.level == "department":
        return Scope(level="department"), problems
    resolved: list[str] = []
    if scope.level == "communes":
        names = [c.name for c in territory.communes()]
        names += [d.name for d in territory.delegated_communes()]
        for index, name in enumerate(scope.names):
            line = parsed.line(("scope", "communes", index))
            insee = name if territory.commune(name) else _exact_commune(territory, name)
            if insee is not None:
                resolved.append(insee)
                continue
            resolution = territory.resolve(name)
            if resolution.status == "outside_lot":
                problems.append(
                    Problem(
                        parsed.path,
                        line,
                        f"« {name} » n'est pas une commune du Lot",
                        "une fiche ne couvre que des communes du Lot : retirez ce nom",
                    )
                )
                continue
            guess = _closest(name, names)
            advice = f"vouliez-vous dire « {guess} » ? " if guess else ""
            problems.append(
                Problem(
                    parsed.path,
                    line,
                    f"commune « {name} » inconnue dans le Lot",
                    f"{advice}écrivez le nom officiel (liste : knowledge/territory/communes.csv) "
                    "ou le code INSEE",
                )
            )
        return Scope(level="communes", communes=list(dict.fromkeys(resolved))), problems
    epcis = territory.epcis()
    for index, name in enumerate(scope.names):
        siren = territory.epci_siren(name)
        if siren is not None:
            resolved.append(siren)
            continue
        guess = _closest(name, list(epcis.values()))
        advice = f"vouliez-vous dire « {guess} » ? " if guess else ""
        problems.append(
            Problem(
                parsed.path,
                parsed.line(("scope", "epci", index)),
                f"intercommunalité « {name} » inconnue",
                f"{advice}intercommunalités possibles : {', '.join(sorted(epcis.values()))}",
            )
        )
    return Scope(level="epci", epci=list(dict.fromkeys(resolved))), problems


def _exact_commune(territory: Territory, name: str) -> str | None:
    """Official name or name of a commune déléguée, spelled out (no guessing in content)."""
    resolution = territory.resolve(name)
    if resolution.status == "found" and resolution.via in ("exact", "delegated"):
        assert resolution.commune is not None
        return resolution.commune.insee
    return None


def stale_months() -> int:
    """After how many months without review an entry is stale (KNOWLEDGE_STALE_MONTHS)."""
    return get_settings().knowledge_stale_months


def stale_before(today: date) -> date:
    """Entries reviewed before this date are stale: the same day `stale_months()` earlier."""
    year, month = divmod(today.year * 12 + today.month - 1 - stale_months(), 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(today.day, last_day))


def validate_file(
    path: Path, root: Path, territory: Territory, today: date
) -> tuple[LoadedEntry | None, list[Problem]]:
    parsed = parse_file(path)
    if parsed.data is None:
        return None, parsed.problems
    data = parsed.data
    problems = list(parsed.problems)
    for key in data:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            known = _closest(str(key), [*REQUIRED_FIELDS, *OPTIONAL_FIELDS])
            advice = f"vouliez-vous dire « {known} » ? " if known else ""
            problems.append(
                Problem(
                    path,
                    parsed.line((str(key),)),
                    f"champ « {key} » inconnu, il est ignoré",
                    f"{advice}champs possibles : {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}",
                    severity="warning",
                )
            )
    if not parsed.body:
        problems.append(
            Problem(
                path,
                parsed.body_line,
                "la réponse est vide",
                "écrivez le texte de la réponse sous la seconde ligne « --- »",
            )
        )
    elif len(parsed.body) > MAX_ANSWER_CHARS:
        problems.append(
            Problem(
                path,
                parsed.body_line,
                f"réponse trop longue : {_number(len(parsed.body))} caractères "
                f"(maximum {_number(MAX_ANSWER_CHARS)})",
                "raccourcissez-la, ou découpez-la en deux fiches sur des questions distinctes",
            )
        )
    try:
        front = _FrontMatter.model_validate(data)
    except ValidationError as error:
        return None, problems + _pydantic_problems(parsed, error)
    scope, scope_problems = _resolve_scope(parsed, front.scope, territory)
    problems += scope_problems
    relative = path.relative_to(root)
    folder = relative.parts[0] if len(relative.parts) > 1 else None
    if folder != front.theme:
        where = f"dans le dossier « {folder} »" if folder else "à la racine de knowledge/"
        problems.append(
            Problem(
                path,
                parsed.line(("theme",)),
                f"le fichier est {where} mais son thème est « {front.theme} »",
                f"déplacez-le dans knowledge/{front.theme}/ ou corrigez le thème "
                f"(la fiche est servie avec le thème « {front.theme} »)",
                severity="warning",
            )
        )
    if front.reviewed < stale_before(today):
        problems.append(
            Problem(
                path,
                parsed.line(("reviewed",)),
                f"fiche relue pour la dernière fois le {front.reviewed.isoformat()}, "
                f"il y a plus de {stale_months()} mois",
                "relisez-la, vérifiez chaque chiffre et sa source, puis mettez la date du jour "
                "dans « reviewed »",
                severity="warning",
            )
        )
    elif front.reviewed > today:
        problems.append(
            Problem(
                path,
                parsed.line(("reviewed",)),
                f"date de relecture {front.reviewed.isoformat()} dans le futur",
                "mettez la date du jour de votre relecture",
                severity="warning",
            )
        )
    if any(problem.is_error for problem in problems) or scope is None:
        return None, problems
    entry = Entry(
        id=front.id,
        theme=front.theme,
        title=front.title,
        answer=parsed.body,
        scope=scope,
        sources=[Source(title=s.title, url=s.url) for s in front.sources],
        reviewed=front.reviewed,
    )
    loaded = LoadedEntry(
        entry=entry,
        questions=tuple(q.strip() for q in front.questions if q.strip()),
        keywords=tuple(str(k).strip() for k in front.keywords if str(k).strip()),
        path=path,
        id_line=parsed.line(("id",)),
    )
    return loaded, problems


def knowledge_files(directory: Path) -> list[Path]:
    """Every entry file under `directory`, in a stable order (READMEs are not entries)."""
    return sorted(
        path
        for path in directory.rglob("*.md")
        if path.is_file() and path.name.lower() != "readme.md"
    )


def validate_directory(directory: Path, territory: Territory, today: date) -> ValidationReport:
    report = ValidationReport()
    first_seen: dict[str, Path] = {}
    for path in knowledge_files(directory):
        loaded, problems = validate_file(path, directory, territory, today)
        report.problems += problems
        if loaded is None:
            continue
        entry_id = loaded.entry.id
        if entry_id in first_seen:
            other = first_seen[entry_id].relative_to(directory)
            report.problems.append(
                Problem(
                    path,
                    loaded.id_line,
                    f"l'identifiant « {entry_id} » est déjà utilisé par {other}",
                    "donnez à cette fiche un identifiant unique (par exemple en ajoutant la "
                    "commune)",
                )
            )
            continue
        first_seen[entry_id] = path
        report.entries.append(loaded)
    return report
