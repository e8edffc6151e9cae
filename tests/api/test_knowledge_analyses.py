"""spaCy's analysis of the entries cached on disk by text: a restarted API lemmatizes only
what changed, and finds the same words."""

import json
from pathlib import Path

import pytest

from api.core.config import get_settings
from api.knowledge.analyses import analyses_file, warm
from api.knowledge.index import Lemmatizer

TEXTS = ["Les lycées de Figeac", "Trouver un médecin traitant dans le Lot, permis D"]


@pytest.fixture(scope="module")
def model() -> str:
    return get_settings().spacy_model


def test_a_new_process_reads_the_analyses_and_finds_the_same_words(
    tmp_path: Path, model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Lemmatizer(model)
    path = analyses_file(tmp_path, first)
    warm(first, TEXTS, path)
    expected = first.words_many(TEXTS)

    restarted = Lemmatizer(model)
    # Every text is in the file: spaCy is not asked again.
    monkeypatch.setattr(restarted, "_nlp", None)
    warm(restarted, TEXTS, path)

    assert restarted.words_many(TEXTS) == expected
    assert ("lycee", "lycees") in expected[0]


def test_an_edited_text_is_analysed_and_the_old_one_leaves_the_file(
    tmp_path: Path, model: str
) -> None:
    lemmatizer = Lemmatizer(model)
    path = analyses_file(tmp_path, lemmatizer)
    warm(lemmatizer, TEXTS, path)
    edited = [TEXTS[0], "Trouver une sage-femme dans le Lot"]

    warm(Lemmatizer(model), edited, path)

    again = Lemmatizer(model)
    warm(again, edited, path)
    assert set(again.analyses(edited)) == set(edited)
    assert len(json.loads(path.read_text(encoding="utf-8"))) == 2


def test_a_reload_after_an_edit_in_the_same_process_leaves_the_file_complete(
    tmp_path: Path, model: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lemmatizer = Lemmatizer(model)
    path = analyses_file(tmp_path, lemmatizer)
    warm(lemmatizer, TEXTS, path)
    edited = [TEXTS[0], "Trouver une sage-femme dans le Lot"]

    warm(lemmatizer, edited, path)

    restarted = Lemmatizer(model)
    monkeypatch.setattr(restarted, "_nlp", None)
    warm(restarted, edited, path)
    assert restarted.words_many(edited) == lemmatizer.words_many(edited)


def test_a_damaged_cache_file_only_costs_analysing_again(tmp_path: Path, model: str) -> None:
    lemmatizer = Lemmatizer(model)
    path = analyses_file(tmp_path, lemmatizer)
    path.write_text("not json", encoding="utf-8")

    warm(lemmatizer, TEXTS, path)

    assert lemmatizer.words_many(TEXTS)[0][:1] == (("lycee", "lycees"),)
    assert len(json.loads(path.read_text(encoding="utf-8"))) == 2
