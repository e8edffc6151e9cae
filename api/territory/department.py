"""departement.yml: the département's identity facts and the sources of the commune figures,
read and checked for editors (each problem with its file, line and what to do).

The file has three sections: `department` (the facts), `commune_data` (where each kind of
commune figure comes from) and `sources` (title and URL of each source, by identifier). Facts
name their source by identifier; the identifiers are replaced by the sources before the
sections are validated as a `Department`."""

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError

from api.content.problems import Problem
from api.content.yamlfile import KeyPath, line_of, pydantic_problems, read_yaml
from api.territory.schemas import Department, Source

DEPARTMENT_FILE = "departement.yml"
_SECTIONS = ("department", "commune_data", "sources")


class _Checker:
    def __init__(self, path: Path, lines: dict[Any, int], problems: list[Problem]) -> None:
        self.path = path
        self.lines = lines
        self.problems = problems
        self.errors = 0

    def error(self, at: KeyPath, message: str, hint: str) -> None:
        self.errors += 1
        self.problems.append(Problem(self.path, line_of(self.lines, at, 1), message, hint))

    def sources(self, raw: dict[Any, Any]) -> dict[str, Source]:
        sources: dict[str, Source] = {}
        for source_id, fields in raw.items():
            at = ("sources", str(source_id))
            try:
                source = Source.model_validate(fields)
            except ValidationError as error:
                self.errors += 1
                self.problems.extend(pydantic_problems(self.path, error, self.lines, at, 1))
                # Reported once: the facts citing it are still checked against a stand-in.
                sources[str(source_id)] = Source(title=str(source_id), url="")
                continue
            parsed = urlparse(source.url.strip())
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                self.error(
                    (*at, "url"),
                    f"l'adresse de la source « {source_id} » n'est pas une adresse web",
                    "écrivez l'adresse complète, commençant par https:// (ou http://)",
                )
            if not source.title.strip():
                self.error(
                    (*at, "title"),
                    f"la source « {source_id} » n'a pas de titre",
                    "donnez le nom de l'organisme et du document, avec son année",
                )
            sources[str(source_id)] = source
        return sources

    def cited(self, node: Any, at: KeyPath, sources: dict[str, Source]) -> Any:
        """`node` with every `source: <identifier>` replaced by that source."""
        if not isinstance(node, dict):
            return node
        result: dict[Any, Any] = {}
        for key, value in node.items():
            if key == "source" and isinstance(value, str):
                if value not in sources:
                    self.error(
                        (*at, "source"),
                        f"la source « {value} » n'est pas décrite sous « sources: »",
                        "ajoutez-la sous « sources: » (title et url) ou reprenez un "
                        f"identifiant existant ({', '.join(sorted(sources))})",
                    )
                # A stand-in for the missing source, so that the rest is still checked.
                result[key] = sources.get(value, Source(title=value, url=""))
            else:
                result[key] = self.cited(value, (*at, str(key)), sources)
        return result

    def towns(self, department: Department, commune_names: set[str]) -> None:
        towns = {
            ("prefecture", "value"): [department.prefecture.value],
            ("subprefectures", "value", 0): department.subprefectures.value,
            ("arrondissements", "value", 0): department.arrondissements.value,
        }
        for at, names in towns.items():
            for position, name in enumerate(names):
                if name not in commune_names:
                    place = at if len(at) == 2 else (*at[:2], position)
                    self.error(
                        ("department", *place),
                        f"« {name} » n'est pas le nom d'une commune de communes.csv",
                        "écrivez le nom officiel de la commune, tel qu'il figure dans communes.csv",
                    )


def load_department(
    path: Path, commune_names: set[str], population_total: int, problems: list[Problem]
) -> Department | None:
    """The département of departement.yml, or None when it has an error. Its towns must be
    communes of communes.csv; a population that is not the communes' sum is a warning."""
    data, lines = read_yaml(path, problems)
    if data is None:
        return None
    check = _Checker(path, lines, problems)
    if not isinstance(data, dict) or any(not isinstance(data.get(s), dict) for s in _SECTIONS):
        check.error(
            (),
            "les rubriques « department: », « commune_data: » et « sources: » sont attendues",
            "reprenez la forme du fichier d'origine (voir le guide des éditeurs)",
        )
        return None
    for unknown in set(data) - set(_SECTIONS):
        check.error((str(unknown),), f"rubrique « {unknown} » inconnue", "retirez-la")
    sources = check.sources(data["sources"])
    merged = {
        **check.cited(data["department"], ("department",), sources),
        "commune_data": check.cited(data["commune_data"], ("commune_data",), sources),
    }
    # Lines of the merged mapping: the facts' keys lose their "department" prefix.
    merged_lines = {
        (key[1:] if key[0] == "department" else key): line
        for key, line in lines.items()
        if len(key) > 1 and key[0] in ("department", "commune_data")
    }
    try:
        department = Department.model_validate(merged)
    except ValidationError as error:
        problems.extend(pydantic_problems(path, error, merged_lines, (), 1))
        return None
    check.towns(department, commune_names)
    if commune_names and department.population.value != population_total:
        problems.append(
            Problem(
                path,
                line_of(lines, ("department", "population", "value"), 1),
                f"la population du département ({department.population.value}) n'est pas la "
                f"somme des populations municipales de communes.csv ({population_total})",
                "vérifiez que le chiffre et son année (year) sont ceux du fichier des communes",
                severity="warning",
            )
        )
    return None if check.errors else department
