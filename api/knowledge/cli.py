"""`python -m api.cli validate`: check the knowledge files like a reload would, for editors."""

import argparse
from datetime import date
from pathlib import Path

from api.compare.facilities import FACILITIES_FILE, check_facilities
from api.core.config import get_settings
from api.knowledge.validation import validate_directory
from api.territory.service import check_territory


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count <= 1 else (plural or word + 's')}"


def _validate(args: argparse.Namespace) -> int:
    directory = Path(args.dir) if args.dir else get_settings().knowledge_dir
    if not directory.is_dir():
        print(f"Dossier introuvable : {directory}")
        return 2
    territory_dir = directory / "territory"
    if not territory_dir.is_dir():
        # A folder of test fixtures or drafts: check it against the real territory.
        territory_dir = get_settings().knowledge_dir / "territory"
        print(f"(communes et équipes lues dans {territory_dir})")
    territory, problems = check_territory(territory_dir)
    report = validate_directory(directory, territory, date.today())
    problems += report.problems
    if territory_dir == directory / "territory":
        # The facilities cite entries: only the folder's own ones can be checked.
        _, facility_problems = check_facilities(
            territory_dir / FACILITIES_FILE,
            territory,
            {loaded.entry.id: loaded.entry for loaded in report.entries},
        )
        problems += facility_problems
    base = Path.cwd()
    for problem in problems:
        print(problem.render(base))
    errors = sum(1 for problem in problems if problem.is_error)
    warnings = len(problems) - errors
    entries = _plural(len(report.entries), "fiche valide", "fiches valides")
    if errors:
        print(
            f"✘ {_plural(errors, 'erreur')} et {_plural(warnings, 'avertissement')} ; "
            f"{entries}. Tant qu'il reste une erreur, l'assistant garde la version précédente "
            "des fiches."
        )
        return 1
    if warnings:
        print(
            f"✔ {entries}, aucune erreur, {_plural(warnings, 'avertissement')} "
            "(les fiches sont publiées, mais lisez les avertissements)."
        )
        return 0
    print(f"✔ {entries}, aucune erreur, aucun avertissement.")
    return 0


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    validate = commands.add_parser("validate", help="check the knowledge files (knowledge/)")
    validate.add_argument("--dir", help="knowledge directory (default: settings.knowledge_dir)")
    validate.set_defaults(handler=_validate)
