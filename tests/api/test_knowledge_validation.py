"""What an editor reads when a knowledge file is wrong: `path:line: what — how to fix`."""

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from api.cli import main as cli_main
from api.knowledge.validation import ValidationReport, validate_directory
from api.territory.service import Territory

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "knowledge_broken"
TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def broken_report(territory: Territory) -> ValidationReport:
    return validate_directory(BROKEN, territory, TODAY)


def _problems_of(report: ValidationReport, relative: str) -> list[str]:
    path = BROKEN / relative
    return [problem.render(BROKEN) for problem in report.problems if problem.path == path]


# (file, line, start of the message, a word of the fix, is an error)
CASES = [
    (
        "schools/yaml-casse.md",
        4,
        "YAML illisible (mapping values are not allowed here)",
        "guillemets",
        True,
    ),
    ("schools/sans-entete.md", 1, "l'en-tête (front matter) est absent", "---", True),
    (
        "schools/entete-non-fermee.md",
        1,
        "l'en-tête ouvert ligne 1 par « --- » n'est jamais fermé",
        "ajoutez une ligne",
        True,
    ),
    ("schools/sans-sources.md", 1, "champ obligatoire « sources » absent", "url: https://", True),
    (
        "housing/theme-inconnu.md",
        3,
        "thème « logement » inconnu",
        "vouliez-vous dire « housing »",
        True,
    ),
    (
        "housing/commune-inconnue.md",
        6,
        "commune « Figeak » inconnue dans le Lot",
        "vouliez-vous dire « Figeac »",
        True,
    ),
    (
        "housing/epci-inconnu.md",
        7,
        "intercommunalité « CC du Grand Lot » inconnue",
        "CC Grand-Figeac",
        True,
    ),
    (
        "housing/doublon-b.md",
        3,
        "l'identifiant « logement-doublon » est déjà utilisé par housing/doublon-a.md",
        "identifiant unique",
        True,
    ),
    (
        "leisure/source-sans-url.md",
        9,
        "la source n°2 n'a pas d'adresse (url)",
        "url: https://",
        True,
    ),
    (
        "leisure/url-invalide.md",
        8,
        "l'adresse de source « www.lot.fr » n'est pas une adresse web",
        "https://",
        True,
    ),
    ("leisure/reponse-vide.md", 11, "la réponse est vide", "écrivez le texte", True),
    (
        "leisure/reponse-trop-longue.md",
        11,
        "réponse trop longue : 1\u202f582 caractères (maximum 1\u202f200)",
        "raccourcissez",
        True,
    ),
    ("health/date-invalide.md", 9, "date de relecture « 25/11/2026 » invalide", "AAAA-MM-JJ", True),
    ("health/id-invalide.md", 2, "identifiant « Santé_Cahors » invalide", "id: sante-cahors", True),
    (
        "health/mauvais-dossier.md",
        3,
        "avertissement : le fichier est dans le dossier « health » mais son thème est « schools »",
        "knowledge/schools/",
        False,
    ),
    (
        "health/relue-il-y-a-longtemps.md",
        9,
        "avertissement : fiche relue pour la dernière fois le 2024-03-15, il y a plus de 12 mois",
        "reviewed",
        False,
    ),
]


@pytest.mark.parametrize(("relative", "line", "message", "fix", "is_error"), CASES)
def test_each_broken_file_gets_one_located_message_with_a_fix(
    broken_report: ValidationReport,
    relative: str,
    line: int,
    message: str,
    fix: str,
    is_error: bool,
) -> None:
    problems = _problems_of(broken_report, relative)
    assert len(problems) == 1, problems
    location, _, rest = problems[0].partition(": ")
    assert location == f"{relative}:{line}"
    assert rest.startswith(message)
    _what, _, how = rest.partition(" — ")
    assert fix in how
    severity = [p.severity for p in broken_report.problems if p.path == BROKEN / relative]
    assert severity == ["error" if is_error else "warning"]


def test_every_broken_file_is_covered(broken_report: ValidationReport) -> None:
    files = {path.relative_to(BROKEN).as_posix() for path in BROKEN.rglob("*.md")}
    files.discard("README.md")
    assert files == {case[0] for case in CASES} | {"housing/doublon-a.md"}


def test_warnings_do_not_stop_an_entry_from_being_served(broken_report: ValidationReport) -> None:
    served = {loaded.entry.id for loaded in broken_report.entries}
    assert served == {"logement-doublon", "mauvais-dossier", "relue-il-y-a-longtemps"}


@pytest.mark.parametrize("field", ["id", "theme", "title", "scope", "sources", "reviewed"])
def test_each_missing_required_field_is_named(
    tmp_path: Path, territory: Territory, write_entry: Callable[..., Path], field: str
) -> None:
    path = write_entry(tmp_path, folder="housing", **{field: None})
    report = validate_directory(tmp_path, territory, TODAY)
    rendered = [problem.render(tmp_path) for problem in report.errors]
    assert rendered[0].startswith(f"housing/{path.name}:1: champ obligatoire « {field} » absent —")
    assert report.entries == []


def test_entry_reviewed_exactly_twelve_months_ago_is_not_yet_stale(
    tmp_path: Path, territory: Territory, write_entry: Callable[..., Path]
) -> None:
    write_entry(tmp_path, "a-jour", reviewed="2025-11-25")
    write_entry(tmp_path, "perimee", reviewed="2025-11-24")
    report = validate_directory(tmp_path, territory, TODAY)
    stale = [problem.path.stem for problem in report.warnings]
    assert stale == ["perimee"]


def test_scope_by_insee_code_official_name_or_former_commune_is_accepted(
    tmp_path: Path, territory: Territory, write_entry: Callable[..., Path]
) -> None:
    write_entry(tmp_path, "par-code", scope={"communes": ["46102"]})
    write_entry(tmp_path, "par-nom", scope={"communes": ["Saint-Céré", "Labastide-Murat"]})
    write_entry(tmp_path, "par-epci", scope={"epci": ["CC Grand-Figeac", "200023737"]})
    report = validate_directory(tmp_path, territory, TODAY)
    assert report.problems == []
    scopes = {loaded.entry.id: loaded.entry.scope for loaded in report.entries}
    assert scopes["par-code"].communes == ["46102"]
    assert scopes["par-nom"].communes == ["46251", "46138"]
    assert scopes["par-epci"].epci == ["200067361", "200023737"]


def test_a_place_outside_the_lot_in_a_scope_is_refused(
    tmp_path: Path, territory: Territory, write_entry: Callable[..., Path]
) -> None:
    write_entry(tmp_path, "hors-lot", scope={"communes": ["Brive-la-Gaillarde"]})
    report = validate_directory(tmp_path, territory, TODAY)
    assert "« Brive-la-Gaillarde » n'est pas une commune du Lot" in report.errors[0].message


def test_misspelled_optional_field_is_a_warning_with_a_suggestion(
    tmp_path: Path, territory: Territory, write_entry: Callable[..., Path]
) -> None:
    write_entry(tmp_path, "mot-cle", keyword=["lycée"])
    report = validate_directory(tmp_path, territory, TODAY)
    assert [p.severity for p in report.problems] == ["warning"]
    assert "vouliez-vous dire « keywords »" in report.problems[0].hint
    assert len(report.entries) == 1


def test_the_real_knowledge_base_is_valid(territory: Territory) -> None:
    report = validate_directory(ROOT / "knowledge", territory, date.today())
    assert [problem.render(ROOT) for problem in report.errors] == []
    assert len(report.entries) >= 30


def test_validate_command_lists_problems_and_fails_on_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli_main(["validate", "--dir", str(BROKEN)]) == 1
    out = capsys.readouterr().out
    assert "yaml-casse.md:4: YAML illisible" in out
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith("✘ 14 erreurs et 2 avertissements ; 3 fiches valides.")
    )


def test_validate_command_succeeds_with_warnings_only(
    tmp_path: Path, write_entry: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    write_entry(tmp_path, "ancienne", reviewed="2020-01-10")
    assert cli_main(["validate", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "ancienne.md:" in out
    assert (
        out.rstrip().splitlines()[-1].startswith("✔ 1 fiche valide, aucune erreur, 1 avertissement")
    )


def test_validate_command_on_the_real_content_succeeds(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["validate", "--dir", str(ROOT / "knowledge")]) == 0
    assert "aucune erreur" in capsys.readouterr().out
