"""scripts/check_nlu_data.py reports what `rasa data validate` lets through, with file:line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from scripts import check_nlu_data


def write_nlu(folder: Path, name: str, intent: str, examples: list[str]) -> Path:
    lines = ['version: "3.1"', "nlu:", f"- intent: {intent}", "  examples: |"]
    lines += [f"    - {example}" for example in examples]
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def workspace(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Problems are reported relative to the project root; the domain is the real one.
    monkeypatch.setattr(check_nlu_data, "THEME_INTENTS", set())
    folder = ROOT / "var" / "test-nlu-check"
    folder.mkdir(parents=True, exist_ok=True)
    yield folder
    for path in folder.glob("*.yml"):
        path.unlink()


def test_committed_training_data_passes_the_check() -> None:
    training = sorted((ROOT / "bot" / "data" / "nlu").glob("*.yml"))
    held_out = sorted((ROOT / "tests" / "nlu").glob("*.yml"))

    assert check_nlu_data.check(training, held_out) == []


def test_examples_differing_only_by_the_place_are_reported_with_their_line(
    workspace: Path,
) -> None:
    path = write_nlu(
        workspace,
        "schools.yml",
        "ask_schools",
        ["Quelles écoles à [Figeac](commune) ?", "Quelles écoles à [Gramat](commune) ?"],
    )

    problems = check_nlu_data.check([path], [])

    assert problems == [
        "var/test-nlu-check/schools.yml:6: differs from line 5 only by the place name; "
        "rewrite it as another visitor would say it."
    ]


def test_a_repeated_example_and_an_unknown_entity_are_reported(workspace: Path) -> None:
    path = write_nlu(
        workspace,
        "jobs.yml",
        "ask_jobs",
        ["je cherche du travail", "Je cherche du travail !", "emploi de [boulanger](metier)"],
    )

    problems = check_nlu_data.check([path], [])

    assert problems[0].startswith("var/test-nlu-check/jobs.yml:6: same example as")
    assert "entity 'metier' is not in domain.yml" in problems[1]


def test_an_example_copied_from_the_held_out_sets_is_reported(workspace: Path) -> None:
    training = write_nlu(workspace, "health.yml", "ask_health", ["un kiné à cahors ?"])
    held_out = write_nlu(workspace, "holdout.yml", "ask_health", ["Un kiné à Cahors ?"])

    problems = check_nlu_data.check([training], [held_out])

    assert problems == [
        "var/test-nlu-check/health.yml:5: also in the held-out set "
        "var/test-nlu-check/holdout.yml:5; held-out messages must stay unseen."
    ]


def test_a_theme_with_too_few_examples_is_reported(
    workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_nlu_data, "THEME_INTENTS", {"ask_health"})
    path = write_nlu(workspace, "health.yml", "ask_health", ["un médecin ?"])

    assert check_nlu_data.check([path], []) == ["ask_health: 1 examples, at least 40 needed."]
