"""When two visitors' questions are the same question: the sentence encoder of the knowledge
search when there is one, else fuzzy word matching (rapidfuzz).

Place names are taken out first: "une piscine à Gourdon ?" and "un club de rugby à Gourdon ?"
are two topics, while "location à Figeac" and "location à Cahors" are one missing entry."""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from api.knowledge.encoder import Encoder
from api.territory.normalize import place_key, tokens

# Measured on paraphrases and unrelated questions of the unanswered log (see docs/contracts.md):
# paraphrases score 0.45-0.70 with USE once places are out, different topics below 0.40.
ENCODER_THRESHOLD = 0.45
FUZZY_THRESHOLD = 75.0
_LONGEST_PLACE = 5


def place_keys(names: Iterable[str]) -> frozenset[str]:
    return frozenset(key for key in (place_key(name) for name in names) if key)


def without_places(text: str, places: frozenset[str]) -> str:
    """The question's words, folded, with every commune name taken out (longest first)."""
    words = tokens(text)
    kept: list[str] = []
    index = 0
    while index < len(words):
        for size in range(min(_LONGEST_PLACE, len(words) - index), 0, -1):
            if " ".join(words[index : index + size]) in places:
                index += size
                break
        else:
            kept.append(words[index])
            index += 1
    return " ".join(kept)


@dataclass(frozen=True)
class Prepared:
    words: str
    vector: list[float] | None


@dataclass(frozen=True)
class Similarity:
    encoder: Encoder | None
    places: frozenset[str]

    @property
    def encoder_name(self) -> str | None:
        return self.encoder.name if self.encoder is not None else None

    def prepare(self, texts: list[str]) -> list[Prepared]:
        words = [without_places(text, self.places) for text in texts]
        if self.encoder is None:
            return [Prepared(text, None) for text in words]
        vectors = self.encoder.queries([text or "?" for text in words])
        return [
            Prepared(text, [float(x) for x in row])
            for text, row in zip(words, vectors, strict=True)
        ]

    def same_question(self, a: Prepared, b: Prepared) -> float | None:
        """The similarity when `a` and `b` ask the same thing, else None."""
        if a.vector is not None and b.vector is not None:
            score = float(np.dot(np.asarray(a.vector), np.asarray(b.vector)))
            return score if score >= ENCODER_THRESHOLD else None
        ratio = fuzz.token_set_ratio(a.words, b.words)
        return ratio / 100 if ratio >= FUZZY_THRESHOLD else None
