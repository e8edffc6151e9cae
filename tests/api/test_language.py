"""Telling an English question from a French one, for the knowledge search."""

import pytest

from api.knowledge.language import is_english


@pytest.mark.parametrize(
    "text",
    [
        "Any coworking space near Figeac?",
        "My wife only speaks a little French. Are there classes for her near Figeac?",
        "Which airport is closest to Cahors?",
    ],
)
def test_an_english_question_is_told_english(text: str) -> None:
    assert is_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "je bosse full remote, la fibre ca passe dans le lot ou c la cata ?",
        "Y a-t-il un lycée à Saint-Céré ?",
        "coworking Figeac",
        "c koi le CPF",
    ],
)
def test_a_french_question_even_with_english_words_is_not(text: str) -> None:
    assert not is_english(text)
