"""Which language a visitor writes in, as far as the knowledge search cares: the entries are
French, and a question in English shares none of their words, only their meaning."""

import re

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.fr.stop_words import STOP_WORDS as FRENCH_STOP_WORDS

# Grammar words of one language only: "a", "on", "me" or "son" tell nothing.
_ENGLISH_ONLY = frozenset(ENGLISH_STOP_WORDS - FRENCH_STOP_WORDS)
_FRENCH_ONLY = frozenset(FRENCH_STOP_WORDS - ENGLISH_STOP_WORDS)
_WORD = re.compile(r"[a-zà-ÿœæ]+")


def is_english(text: str) -> bool:
    """More English grammar words than French ones: "Any coworking space near Figeac?" is
    English, "je bosse full remote, la fibre ca passe ?" is French."""
    words = _WORD.findall(text.lower())
    english = sum(word in _ENGLISH_ONLY for word in words)
    return english > sum(word in _FRENCH_ONLY for word in words)
