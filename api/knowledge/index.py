"""Full-text search over the entries: French lemmas (spaCy), BM25 (bm25s), then theme and
territory rules on top of the BM25 score."""

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import bm25s
import numpy as np
import numpy.typing as npt
import spacy

from api.knowledge.schemas import THEMES, ScopeMatch
from api.knowledge.validation import LoadedEntry
from api.territory.normalize import fold
from api.territory.schemas import Commune

# An entry written for the visitor's commune beats one for its EPCI, which beats a
# department-wide one, unless the latter is clearly more relevant.
COMMUNE_BOOST = 2.0
EPCI_BOOST = 1.3
# Without a commune, an overview of the whole Lot fits better than another town's details.
LOCAL_WITHOUT_COMMUNE = 0.85
TITLE_WEIGHT = 2
_CACHE_SIZE = 20_000
# Words of a general question per theme, to choose the overview used when nothing matches;
# an editor makes an entry the overview by saying "vue d'ensemble" or "en bref" in its title.
OVERVIEW_WORDS = "vue d'ensemble en bref panorama"
THEME_OVERVIEW = {
    "jobs": "trouver un emploi travailler dans le Lot",
    "business": "créer ou reprendre une entreprise dans le Lot",
    "retraining": "reconversion professionnelle formation",
    "schools": "écoles scolarité des enfants dans le Lot",
    "housing": "se loger logement dans le Lot",
    "leisure": "loisirs sorties activités dans le Lot",
    "health": "santé médecins soins dans le Lot",
    "transport": "transports se déplacer dans le Lot",
    "living": "vivre dans le Lot vie quotidienne",
}


class Word(NamedTuple):
    lemma: str
    surface: str


class Lemmatizer:
    """spaCy French lemmas, accents folded, stop words out; cached, since visitors repeat
    themselves and entries rarely change.

    Each kept word also carries its folded surface form: spaCy's lemma of a word can depend
    on its neighbours ("03f81e4a" alone, "03f81e4er" in "… 03f81e4a à reprendre"), so an
    exact-match index stores both forms and a query matches either."""

    def __init__(self, model: str) -> None:
        self._nlp = spacy.load(model, disable=["parser", "ner", "senter"])
        self._stop = {fold(word) for word in self._nlp.Defaults.stop_words}
        self._cache: dict[str, tuple[Word, ...]] = {}
        self._lock = threading.Lock()

    def _words(self, doc: "spacy.tokens.Doc") -> tuple[Word, ...]:
        words = []
        for token in doc:
            if token.is_punct or token.is_space or token.is_stop:
                continue
            lemma = fold(token.lemma_ or token.text).strip("-'’ ")
            if len(lemma) < 2 or lemma in self._stop:
                continue
            words.append(Word(lemma, fold(token.text).strip("-'’ ")))
        return tuple(words)

    def lemmas(self, text: str) -> tuple[str, ...]:
        return self.lemmas_many([text])[0]

    def lemmas_many(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        return [tuple(word.lemma for word in words) for words in self.words_many(texts)]

    def words_many(self, texts: Sequence[str]) -> list[tuple[Word, ...]]:
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            # spaCy pipelines are not safe to share between threads.
            with self._lock:
                if len(self._cache) + len(missing) > _CACHE_SIZE:
                    self._cache.clear()
                for text, doc in zip(missing, self._nlp.pipe(missing, batch_size=64), strict=True):
                    self._cache[text] = self._words(doc)
        return [self._cache.get(text) or self._words_uncached(text) for text in texts]

    def _words_uncached(self, text: str) -> tuple[Word, ...]:
        with self._lock:
            return self._words(self._nlp(text))


@lru_cache(maxsize=2)
def get_lemmatizer(model: str) -> Lemmatizer:
    """One pipeline per process: loading it takes seconds."""
    return Lemmatizer(model)


def entry_text_parts(loaded: LoadedEntry) -> list[str]:
    entry = loaded.entry
    return [
        *([entry.title] * TITLE_WEIGHT),
        " ".join(loaded.keywords),
        *loaded.questions,
        entry.answer,
    ]


def document_terms(lemmatizer: Lemmatizer, entries: Iterable[LoadedEntry]) -> list[list[str]]:
    parts = [entry_text_parts(loaded) for loaded in entries]
    flat = lemmatizer.lemmas_many([text for texts in parts for text in texts])
    documents: list[list[str]] = []
    position = 0
    for texts in parts:
        terms: list[str] = []
        for lemmas in flat[position : position + len(texts)]:
            terms.extend(lemmas)
        position += len(texts)
        documents.append(terms)
    return documents


@dataclass(frozen=True)
class Hit:
    entry: LoadedEntry
    score: float
    scope_match: ScopeMatch


class KnowledgeIndex:
    def __init__(
        self,
        entries: Sequence[LoadedEntry],
        documents: Sequence[Sequence[str]],
        lemmatizer: Lemmatizer,
    ) -> None:
        self.entries = list(entries)
        self._lemmatizer = lemmatizer
        self._bm25 = bm25s.BM25()
        if self.entries:
            self._bm25.index([list(doc) for doc in documents], show_progress=False)
        size = len(self.entries)
        levels = [loaded.entry.scope.level for loaded in self.entries]
        self._themes = np.array([loaded.entry.theme for loaded in self.entries], dtype=object)
        self._department = np.array([level == "department" for level in levels], dtype=bool)
        self._local = ~self._department
        self._by_commune: dict[str, list[int]] = {}
        self._by_epci: dict[str, list[int]] = {}
        for position, loaded in enumerate(self.entries):
            for insee in loaded.entry.scope.communes:
                self._by_commune.setdefault(insee, []).append(position)
            for siren in loaded.entry.scope.epci:
                self._by_epci.setdefault(siren, []).append(position)
        self._theme_masks = {theme: self._themes == theme for theme in THEMES}
        self._zeros = np.zeros(size, dtype=np.float32)
        self._overview = {theme: self._choose_overview(theme) for theme in THEMES}

    @property
    def lemmatizer(self) -> Lemmatizer:
        return self._lemmatizer

    def _scores(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        known = [term for term in terms if term in self._bm25.vocab_dict] if self.entries else []
        if not known:
            return self._zeros
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def _choose_overview(self, theme: str) -> int | None:
        candidates = np.flatnonzero(self._theme_masks[theme] & self._department)
        if candidates.size == 0:
            return None
        words = f"{THEME_OVERVIEW[theme]} {OVERVIEW_WORDS}"
        scores = self._scores(self._lemmatizer.lemmas(words))[candidates]
        return int(candidates[int(np.argmax(scores))])

    def overview(self, theme: str) -> LoadedEntry | None:
        position = self._overview.get(theme)
        return None if position is None else self.entries[position]

    def search(
        self, query: str, theme: str | None, commune: Commune | None, limit: int
    ) -> list[Hit]:
        raw = self._scores(self._lemmatizer.lemmas(query))
        factor = np.ones(len(self.entries), dtype=np.float32)
        eligible = np.ones(len(self.entries), dtype=bool)
        own_commune: list[int] = []
        own_epci: list[int] = []
        if commune is not None:
            own_commune = self._by_commune.get(commune.insee, [])
            own_epci = self._by_epci.get(commune.epci_siren, [])
            # Entries written for other places never answer for this commune.
            eligible = self._department.copy()
            eligible[own_epci] = True
            eligible[own_commune] = True
            factor[own_epci] = EPCI_BOOST
            factor[own_commune] = COMMUNE_BOOST
        else:
            factor[self._local] = LOCAL_WITHOUT_COMMUNE
        scores = raw * factor
        matching = eligible & (raw > 0)
        if theme is not None and theme in self._theme_masks:
            in_theme = self._theme_masks[theme]
            order = self._top(scores, matching & in_theme, limit)
            if not order:
                fallback = self._overview.get(theme)
                order = [] if fallback is None else [fallback]
            order += self._top(scores, matching & ~in_theme, limit - len(order))
        else:
            order = self._top(scores, matching, limit)
        commune_set, epci_set = set(own_commune), set(own_epci)
        return [
            Hit(
                self.entries[i],
                float(scores[i]),
                self._scope_match(i, commune, commune_set, epci_set),
            )
            for i in order[:limit]
        ]

    @staticmethod
    def _top(scores: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_], limit: int) -> list[int]:
        if limit <= 0:
            return []
        candidates = np.flatnonzero(mask)
        if candidates.size > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        # Stable order on ties: the index order is the files' order.
        ranked = sorted(candidates.tolist(), key=lambda i: (-float(scores[i]), i))
        return [int(i) for i in ranked]

    def _scope_match(
        self, position: int, commune: Commune | None, communes: set[int], epcis: set[int]
    ) -> ScopeMatch:
        if commune is None:
            level = self.entries[position].entry.scope.level
            return "commune" if level == "communes" else "epci" if level == "epci" else "department"
        if position in communes:
            return "commune"
        if position in epcis:
            return "epci"
        return "department"
