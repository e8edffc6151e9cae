"""Search over the entries: a lexical score (French lemmas through spaCy, BM25 through bm25s)
and a semantic one (a multilingual sentence encoder) fused into one score, then the theme the
NLU recognised and the visitor's commune weigh on it. Every theme is searched: a strong match
elsewhere wins over a weak one in the asked theme."""

import bisect
import itertools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

import bm25s
import numpy as np
import numpy.typing as npt
import spacy
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from api.knowledge.encoder import Encoder, Vectors
from api.knowledge.language import is_english
from api.knowledge.schemas import THEMES, ScopeMatch
from api.knowledge.validation import LoadedEntry
from api.territory.normalize import fold
from api.territory.schemas import Commune

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
# Words by which a question names the whole department (lemmas, accents folded).
DEPARTMENT_WORDS = frozenset({"lot", "46"})
# A word held by this many entries or fewer is a name (`Ranking.rare_word`).
RARE_WORD_ENTRIES = 2
# Words by which a question names a part of the department ("que visiter dans le nord du
# Lot ?"): an entry written for one place may then be just what is asked.
AREA_WORDS = frozenset({"nord", "sud", "est", "ouest"})
# A word typed with its article or pronoun glued on ("linterim", "lecole", "jhabite")
# stands for the rest when the entries hold the rest and it is long enough to be a word.
GLUED_ARTICLES = frozenset("ldjmnstc")
GLUED_MIN = 5
# A clipped word ("covoit", "gyneco") stands for the entries' words it starts, when it is
# this long and they are few: "dispo" starts eight words, "dispositif" among them.
CLIPPED_MIN = 5
CLIPPED_MAX_WORDS = 3
# The start of an answer says what it is about; the rest adds details, not topic.
ANSWER_CHARS_EMBEDDED = 600
# The best cosine of an entry needs every one of its vectors (dozens of example questions):
# over thousands of entries, reading them all is most of a search. Beyond this many entries,
# it is computed for a shortlist: the entries first by the same cosine on vectors reduced to
# their main axes (an eighth of the reading), and those first by BM25 and by character
# n-grams. The others keep their mean cosine, a lower bound of their best.
SEMANTIC_SHORTLIST = 256
SHORTLIST_BY_WORDS = 64
REDUCED_AXES = 64
# Character n-grams over thousands of entries: the n-grams found in a tenth of their
# texts or more (" de", "le ") are most of the reading and tell no entry apart. Beyond
# `SEMANTIC_SHORTLIST` entries, the others' cosine is drawn from the rarer n-grams alone (a
# lower bound) and the exact cosine computed for the shortlist they draw.
COMMON_NGRAM_SHARE = 0.1
_MARKDOWN = re.compile(r"[*_#>`]|\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class Ranking:
    """How the parts of the score add up (tuned on the tuning split of tests/answers/)."""

    # Weight of the lexical score: BM25 divided by the best BM25 of the query.
    lexical: float = 0.25
    # Weight of the semantic score: the best cosine between the question and an entry's
    # title, example questions and start of answer...
    semantic: float = 0.5
    # ...and of their mean: one example question close in form but not in topic ("inscrire
    # mon enfant au car scolaire" for "inscrire mon enfant en maternelle") weighs less.
    semantic_mean: float = 0.5
    # Weight of the best cosine of character n-grams between the question and the entry's
    # title and example questions: typos, missing accents and clipped words ("c koi",
    # "hopitaux", "apparts") still meet the words an editor wrote.
    characters: float = 1.0
    # Added to entries of the theme the NLU recognised: it weighs, it does not wall off.
    theme: float = 0.3
    # Added to entries written for the visitor's commune, or for its communauté.
    commune: float = 0.65
    epci: float = 0.3
    # The same for entries written for some town when the visitor named none...
    local_without_commune: float = -0.1
    # ...and when the visitor named the whole department instead ("dans le Lot").
    local_in_department: float = -0.2
    # Added, without a commune, to the town entries whose matching words the best entry
    # for the whole department has too (`_covered_locals`).
    local_covered: float = -0.3
    # With a commune carried from earlier in the conversation, not named in the question,
    # the place's bonus goes only to its entries at least this share as relevant as the
    # best entry for the whole department: about Figeac, "et le covoit ça existe ?" asks
    # about car-sharing, not about Figeac's buses.
    carried_place: float = 0.6
    # The same for a place the question names, with a higher share, when the best entry
    # for the department is clearly about the question (`named_place_floor`): "la
    # médiathèque de Figeac c'est où ?" asks about libraries, not about Figeac's outings,
    # while "Gourdon, ça irait ?" asks about Gourdon. Not when that entry is a theme's
    # overview either: "se loger à Figeac c'est cher ?" is the general question, and the
    # town's entry is its local answer. First questions of development batches 32-41, before
    # they were attached (2026-12-07): 0.7 +15 -2, 0.6 +11 -2, 0.5 +5 -2; batches 1-31
    # (their examples attached) -1. The floor: 1.0 keeps the same gains, 1.05 loses two.
    named_place: float = 0.7
    named_place_floor: float = 1.0
    # A place named after a question ("à figeac plus précisément" after setting up as a
    # joiner) brings its entries on the theme when they are above the floor or at least
    # this share of the best entry's relevance: the visitor wants the local answer, and
    # the words of a question rarely match a town's general entry. Tuning and development
    # splits (2026-12-06): 0.45 +3 turns, none lost; 0.3 +4 -1 ("dans le grand figeac" got
    # Figeac's buses instead of the communauté's transport).
    local_share: float = 0.45
    # Added to an entry for each word of the question that at most RARE_WORD_ENTRIES
    # entries hold: a name ("La Quercynoise", "UPE2A", "crues") says which entry is meant
    # more than BM25's share of the score does.
    rare_word: float = 0.1
    # Below this relevance, an entry sharing no word with the question does not answer
    # it. On the tuning split, the best entry's relevance: out-of-scope questions 0.51
    # (first quartile) / 0.63 (median), rightly answered ones 0.91 (5th percentile) / 1.09.
    floor: float = 0.6
    # With a commune known, an entry written for it on another theme than the question's keeps
    # its place bonus only from this relevance on ("on déménage à Gramat avec nos deux
    # enfants, ça recrute ?" got Gramat's collèges). First questions of the tuning and
    # development splits (2026-12-07): 1.05 +3 -1, 0.8 +1, the floor (0.6) before.
    other_theme_place: float = 1.05
    # The relevance an entry needs to answer a message the NLU could not place. On the
    # tuning split (2026-12-06, 20 out-of-scope and 220 answerable first questions): one
    # out-of-scope question reaches it, and of the others whose best entry does (or leads as
    # below), 146 are rightly answered and 19 wrongly (1.1: 139 and 18; 1.0: 151 and 25).
    confident: float = 1.05
    # ...or this one, when the entry leads every other by `lead`: on the tuning split, of the
    # messages the NLU could not place, those an entry answers rightly lead by 0.26 or more,
    # the others (out of scope, or a wrong entry) by 0.17 at most (few cases: ten messages).
    confident_leading: float = 0.97
    lead: float = 0.2
    # The relevance an entry needs to be offered with `likely_only`: for a message the NLU
    # could not place, the bot answers from such an entry when its theme is one the NLU
    # hesitated towards (two readings agree). On the tuning and development splits
    # (2026-12-06): 0.8 gained 9 answers and lost none; 0.85 gained 6, 0.75 lost one
    # ("un terrain près de Bretenoux… inondable ?" got Bretenoux's collège, another theme).
    likely: float = 0.8
    # A runner-up within this distance of the best is offered as a button (on the tuning
    # split, a right first answer leads by less than this one time in eight, a wrong one
    # one time in three).
    close: float = 0.1

    @property
    def semantic_weight(self) -> float:
        return self.semantic + self.semantic_mean

    @property
    def total_weight(self) -> float:
        return self.lexical + self.semantic_weight + self.characters


DEFAULT_RANKING = Ranking()


class Word(NamedTuple):
    lemma: str
    surface: str


class Token(NamedTuple):
    """What spaCy says of one token, all the index keeps: cached on disk, it spares a
    restarted API the analysis of every entry (most of a load's time)."""

    text: str
    lemma: str
    skipped: bool  # punctuation or space
    stop: bool


Analysis = tuple[Token, ...]


# Words of the chat itself, not of the question ("ok. et l'été à Figeac, des spectacles ?"):
# spaCy's stop words lack them, and "ok" found in one entry made it the answer.
CHAT_WORDS = frozenset(
    {
        "ok",
        "okay",
        "oki",
        "bonjour",
        "bonsoir",
        "salut",
        "coucou",
        "merci",
        "svp",
        "stp",
        "euh",
        "bah",
        "ben",
        "hein",
        "voila",
        "daccord",
    }
)


# A capital letter standing alone names a category (licence, holiday zone); "A", "I" and
# "Y" are also words (an unaccented "À", English "I", "Y a-t-il").
CATEGORY_LETTERS = frozenset("BCDEFGHJKLMNOPQRSTUVWXZ")


class Lemmatizer:
    """spaCy French lemmas, accents folded, stop words out; cached, since visitors repeat
    themselves and entries rarely change.

    Each kept word also carries its folded surface form: spaCy's lemma of a word can depend
    on its neighbours ("03f81e4a" alone, "03f81e4er" in "… 03f81e4a à reprendre"), so an
    exact-match index stores both forms and a query matches either."""

    def __init__(self, model: str) -> None:
        self._nlp = spacy.load(model, disable=["parser", "ner", "senter"])
        meta = self._nlp.meta
        self.model_id = f"{meta['lang']}_{meta['name']}-{meta['version']}"
        self._stop = {fold(word) for word in self._nlp.Defaults.stop_words} | CHAT_WORDS
        self._cache: dict[str, tuple[Word, ...]] = {}
        self._analyses: dict[str, Analysis] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _analyse(doc: "spacy.tokens.Doc") -> Analysis:
        return tuple(Token(t.text, t.lemma_, t.is_punct or t.is_space, t.is_stop) for t in doc)

    def _words(self, analysis: Analysis) -> tuple[Word, ...]:
        words = []
        for token in analysis:
            if token.text in CATEGORY_LETTERS:
                # "permis D", "zone C": the letter is what tells the bus licence from the
                # car's, yet as a word it is too short and a stop word ("d'").
                words.append(Word(token.text.lower(), token.text.lower()))
                continue
            if token.skipped or token.stop:
                continue
            lemma = fold(token.lemma or token.text).strip("-'’ ")
            if len(lemma) < 2 or lemma in self._stop:
                continue
            words.append(Word(lemma, fold(token.text).strip("-'’ ")))
        return tuple(words)

    def terms(self, text: str) -> tuple[str, ...]:
        return self.terms_many([text])[0]

    def terms_many(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """Each word's lemma, and its folded form where it differs: a typed "hopitaux"
        lemmatizes to "hopitau", and only its form meets the entries' "hôpitaux"."""
        return [
            tuple(term for word in words for term in dict.fromkeys(word))
            for words in self.words_many(texts)
        ]

    def words_many(self, texts: Sequence[str]) -> list[tuple[Word, ...]]:
        missing = list(dict.fromkeys(text for text in texts if text not in self._cache))
        if missing:
            # spaCy pipelines are not safe to share between threads.
            with self._lock:
                if len(self._cache) + len(missing) > _CACHE_SIZE:
                    self._cache.clear()
                    self._analyses.clear()
                # A visitor's new question comes alone: `pipe`'s batching costs about a third
                # of spaCy's time on one short text, for the same analysis.
                docs = (
                    [self._nlp(missing[0])]
                    if len(missing) == 1
                    else self._nlp.pipe(missing, batch_size=64)
                )
                for text, doc in zip(missing, docs, strict=True):
                    self._analyses[text] = self._analyse(doc)
                    self._cache[text] = self._words(self._analyses[text])
        return [self._cache.get(text) or self._words_uncached(text) for text in texts]

    def _words_uncached(self, text: str) -> tuple[Word, ...]:
        with self._lock:
            return self._words(self._analyse(self._nlp(text)))

    def remember(self, analyses: dict[str, Analysis]) -> None:
        """Analyses read from a cache: these texts are not given to spaCy again."""
        with self._lock:
            for text, analysis in analyses.items():
                self._analyses[text] = analysis
                self._cache[text] = self._words(analysis)

    def analyses(self, texts: Iterable[str]) -> dict[str, Analysis]:
        """The analyses of those of `texts` analysed (or remembered) since the last clear."""
        return {text: self._analyses[text] for text in texts if text in self._analyses}


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
    flat = lemmatizer.terms_many([text for texts in parts for text in texts])
    documents: list[list[str]] = []
    position = 0
    for texts in parts:
        terms: list[str] = []
        for words in flat[position : position + len(texts)]:
            terms.extend(words)
        position += len(texts)
        documents.append(terms)
    return documents


def titled_questions(loaded: LoadedEntry) -> list[str]:
    """What the character n-grams compare a question with: how the entry is asked for."""
    return [loaded.entry.title, *loaded.questions]


class CharacterMatcher:
    """TF-IDF over character n-grams (within words) of every entry's title and questions."""

    def __init__(self, entries: Sequence[LoadedEntry]) -> None:
        texts = [[fold(text) for text in titled_questions(loaded)] for loaded in entries]
        counts = [len(group) for group in texts]
        self._starts = np.cumsum([0, *counts[:-1]]).astype(np.intp)
        self._ends = self._starts + np.array(counts, dtype=np.intp)
        self._size = len(entries)
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True
        )
        flat = [text for group in texts for text in group]
        # By column: a question's few n-grams select their columns, ten times faster than a
        # product with the whole matrix once entries have a dozen questions each.
        self._columns = self._vectorizer.fit_transform(flat).tocsc() if flat else None
        self._common = (
            np.diff(self._columns.indptr) > COMMON_NGRAM_SHARE * len(flat)
            if self._columns is not None
            else np.zeros(0, dtype=bool)
        )

    @cached_property
    def _rows(self) -> "sparse.csr_matrix":
        assert self._columns is not None
        return self._columns.tocsr()

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """Per entry, the best cosine between `query` and its title or questions (beyond
        `SEMANTIC_SHORTLIST` entries, a lower bound of it outside the shortlist)."""
        if self._columns is None:
            return np.zeros(self._size, dtype=np.float32)
        vector = self._vectorizer.transform([fold(query)])
        if self._size <= SEMANTIC_SHORTLIST:
            return self._best(self._columns[:, vector.indices] @ vector.data)
        rare = ~self._common[vector.indices]
        scores = self._best(self._columns[:, vector.indices[rare]] @ vector.data[rare])
        shortlist = np.sort(_best_positions(scores, SEMANTIC_SHORTLIST))
        rows, firsts = _rows_of(shortlist, self._starts, self._ends)
        exact = self._rows[rows] @ vector.toarray().ravel()
        scores[shortlist] = np.maximum.reduceat(exact, firsts)
        return scores

    def _best(self, cosines: npt.ArrayLike) -> npt.NDArray[np.float32]:
        return np.maximum.reduceat(np.asarray(cosines).ravel(), self._starts).astype(np.float32)


def embedded_texts(loaded: LoadedEntry) -> list[str]:
    """What the encoder reads of an entry: each of these may match a question on its own."""
    entry = loaded.entry
    answer = _MARKDOWN.sub(lambda match: match.group(1) or "", entry.answer)
    return [entry.title, *loaded.questions, " ".join(answer.split())[:ANSWER_CHARS_EMBEDDED]]


def _best_positions(scores: npt.NDArray[np.float32], count: int) -> npt.NDArray[np.intp]:
    """Positions of the `count` highest scores, in no order."""
    if scores.size <= count:
        return np.arange(scores.size, dtype=np.intp)
    return np.argpartition(scores, -count)[-count:].astype(np.intp)


def _rows_of(
    positions: npt.NDArray[np.intp], starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The rows of the entries at `positions` (sorted), each entry's rows in a run, and
    where each run starts among them."""
    lengths = ends[positions] - starts[positions]
    firsts: npt.NDArray[np.intp] = np.cumsum(lengths) - lengths
    offsets: npt.NDArray[np.intp] = np.repeat(starts[positions] - firsts, lengths)
    return np.arange(int(lengths.sum()), dtype=np.intp) + offsets, firsts


@dataclass(frozen=True)
class Signals:
    """Per entry: BM25 over the best BM25 of the query (0..1), the best and mean cosine
    between the query and the entry's embedded texts (0 without an encoder), and the best
    character n-gram cosine with its title and questions."""

    lexical: npt.NDArray[np.float32]
    semantic: npt.NDArray[np.float32]
    semantic_mean: npt.NDArray[np.float32]
    characters: npt.NDArray[np.float32]
    # "les loyers sont chers dans le Lot ?": the whole department is asked about.
    names_department: bool = False
    # The question's lemmas, to tell what an entry matches that another does not.
    terms: tuple[str, ...] = ()
    # Written in English: only its meaning can match the French entries.
    english: bool = False


@dataclass(frozen=True)
class Hit:
    entry: LoadedEntry
    score: float
    scope_match: ScopeMatch


@dataclass(frozen=True)
class Outcome:
    """The ranked hits, the runner-up worth offering, and how many entries of the asked
    theme are written for the visitor's commune or its communauté."""

    hits: list[Hit]
    close_call: LoadedEntry | None
    local_in_theme: int


class KnowledgeIndex:
    def __init__(
        self,
        entries: Sequence[LoadedEntry],
        documents: Sequence[Sequence[str]],
        lemmatizer: Lemmatizer,
        encoder: Encoder | None = None,
        vectors: Vectors | None = None,
        ranking: Ranking = DEFAULT_RANKING,
    ) -> None:
        """`vectors` holds the rows of `embedded_texts` of every entry, in order."""
        self.entries = list(entries)
        self.ranking = ranking
        self._lemmatizer = lemmatizer
        self._characters = CharacterMatcher(self.entries)
        self._bm25 = bm25s.BM25()
        if self.entries:
            self._bm25.index([list(doc) for doc in documents], show_progress=False)
        self._vocabulary = sorted(self._bm25.vocab_dict) if self.entries else []
        size = len(self.entries)
        self._encoder = encoder if vectors is not None else None
        self._vectors = vectors
        # Visitors repeat themselves and buttons send fixed phrases: their vectors are kept.
        self._query_vectors: dict[str, npt.NDArray[np.float32]] = {}
        counts = [len(embedded_texts(loaded)) for loaded in self.entries]
        self._starts = np.cumsum([0, *counts[:-1]]).astype(np.intp)
        self._ends = self._starts + np.array(counts, dtype=np.intp)
        # The mean cosine with a question is the cosine with the mean vector.
        self._means = (
            np.add.reduceat(vectors, self._starts, axis=0)
            / np.array(counts, dtype=np.float32)[:, None]
            if vectors is not None and self.entries
            else None
        )
        levels = [loaded.entry.scope.level for loaded in self.entries]
        self._themes = np.array([loaded.entry.theme for loaded in self.entries], dtype=object)
        self._department = np.array([level == "department" for level in levels], dtype=bool)
        self._local = ~self._department
        self._department_positions = np.flatnonzero(self._department)
        self._by_commune: dict[str, list[int]] = {}
        self._by_epci: dict[str, list[int]] = {}
        for position, loaded in enumerate(self.entries):
            for insee in loaded.entry.scope.communes:
                self._by_commune.setdefault(insee, []).append(position)
            for siren in loaded.entry.scope.epci:
                self._by_epci.setdefault(siren, []).append(position)
        self._positions = {loaded.entry.id: position for position, loaded in enumerate(entries)}
        self._entry_terms = [frozenset(terms) for terms in documents]
        # Which entries hold each word (lemma), whatever its weight.
        postings: dict[str, list[int]] = {}
        for position, terms in enumerate(documents):
            for term in set(terms):
                postings.setdefault(term, []).append(position)
        self._postings = {term: np.array(where, dtype=np.intp) for term, where in postings.items()}
        self._theme_masks = {theme: self._themes == theme for theme in THEMES}
        self._zeros = np.zeros(size, dtype=np.float32)
        self._overview = {theme: self._choose_overview(theme) for theme in THEMES}
        self._overview_positions = {p for p in self._overview.values() if p is not None}

    @property
    def lemmatizer(self) -> Lemmatizer:
        return self._lemmatizer

    @property
    def encoder(self) -> Encoder | None:
        return self._encoder

    def _lexical(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        known = [term for term in terms if term in self._bm25.vocab_dict] if self.entries else []
        if not known:
            return self._zeros
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def _repaired(self, words: Sequence[Word]) -> list[str]:
        """The words of the entries that the question's unknown words stand for: typed with
        their article glued on ("linterim", "lecole"), or clipped ("covoit", "gyneco") when
        few words of the entries start with them. A word whose lemma or typed form the
        entries hold is no unknown word ("generaliste", lemmatised "generalist")."""
        if not self.entries:
            return []
        vocabulary = self._bm25.vocab_dict
        repaired: list[str] = []
        for word in words:
            if word.lemma in vocabulary or word.surface in vocabulary:
                continue
            repaired += self._repair(word.surface) or self._repair(word.lemma)
        return repaired

    def _repair(self, term: str) -> list[str]:
        vocabulary = self._bm25.vocab_dict
        if len(term) > GLUED_MIN and term[0] in GLUED_ARTICLES and term[1:] in vocabulary:
            return [term[1:]]
        if len(term) < CLIPPED_MIN:
            return []
        start = bisect.bisect_left(self._vocabulary, term)
        longer = list(
            itertools.takewhile(lambda word: word.startswith(term), self._vocabulary[start:])
        )
        return longer if len(longer) <= CLIPPED_MAX_WORDS else []

    def _semantic(
        self, query: str, *by_words: npt.NDArray[np.float32]
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Per entry, the best and the mean cosine of its embedded texts with `query`; the
        best only on a shortlist (`SEMANTIC_SHORTLIST`) drawn with `by_words`' scores."""
        if self._encoder is None or self._vectors is None or self._means is None:
            return self._zeros, self._zeros
        vector = self._query_vectors.get(query)
        if vector is None:
            vector = self._encoder.queries([query])[0]
            if len(self._query_vectors) >= _CACHE_SIZE:
                self._query_vectors.clear()
            self._query_vectors[query] = vector
        mean = (self._means @ vector).astype(np.float32)
        if len(self.entries) <= SEMANTIC_SHORTLIST:
            cosines = self._vectors @ vector
            return np.maximum.reduceat(cosines, self._starts).astype(np.float32), mean
        axes, reduced = self._reduced
        approximate = np.maximum.reduceat(reduced @ (vector @ axes), self._starts)
        shortlist = np.union1d(
            _best_positions(approximate, SEMANTIC_SHORTLIST),
            np.concatenate([_best_positions(scores, SHORTLIST_BY_WORDS) for scores in by_words]),
        )
        best = mean.copy()
        # Entry by entry: a product on a slice of the vectors reads them where they lie,
        # where gathering the shortlist's rows first copied tens of megabytes.
        for position in shortlist:
            best[position] = (
                self._vectors[self._starts[position] : self._ends[position]] @ vector
            ).max()
        return best, mean

    @cached_property
    def _reduced(self) -> tuple[Vectors, Vectors]:
        """The main axes of the entries' vectors (those that keep their dot products best)
        and the vectors on them; computed at the first search that needs them."""
        assert self._vectors is not None
        sample = self._vectors[:: max(1, len(self._vectors) // 20_000)]
        _, eigenvectors = np.linalg.eigh(sample.T @ sample)
        axes = np.ascontiguousarray(eigenvectors[:, ::-1][:, :REDUCED_AXES], dtype=np.float32)
        return axes, self._vectors @ axes

    def _choose_overview(self, theme: str) -> int | None:
        candidates = np.flatnonzero(self._theme_masks[theme] & self._department)
        if candidates.size == 0:
            return None
        words = f"{THEME_OVERVIEW[theme]} {OVERVIEW_WORDS}"
        scores = self._lexical(self._lemmatizer.terms(words))[candidates]
        return int(candidates[int(np.argmax(scores))])

    def overview(self, theme: str) -> LoadedEntry | None:
        position = self._overview.get(theme)
        return None if position is None else self.entries[position]

    def signals(self, query: str) -> "Signals":
        """What the words of `query` say of every entry, before any weighting."""
        words = self._lemmatizer.words_many([query])[0]
        terms = tuple(term for word in words for term in dict.fromkeys(word))
        lexical = self._lexical([*terms, *self._repaired(words)])
        best = float(lexical.max()) if lexical.size else 0.0
        lexical = lexical / best if best > 0 else lexical
        characters = self._characters.scores(query)
        semantic, semantic_mean = self._semantic(query, lexical, characters)
        names_department = not DEPARTMENT_WORDS.isdisjoint(terms)
        english = self._encoder is not None and is_english(query)
        if english:
            # French lemmas and n-grams of English words match by chance ("farm", "work":
            # the one entry with an English example question won them all).
            lexical, characters = self._zeros, self._zeros
        return Signals(
            lexical,
            semantic,
            semantic_mean,
            characters,
            names_department,
            tuple(dict.fromkeys(terms)),
            english,
        )

    def scores(
        self,
        signals: "Signals",
        theme: str | None,
        commune: Commune | None,
        ranking: Ranking | None = None,
        *,
        place_carried: bool = False,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
        """(relevance, full score, eligible) of every entry: relevance is what the words
        say, the full score adds the theme and the place (`place_carried`: the commune is
        the conversation's, not named in the question)."""
        rank = ranking or self.ranking
        relevance = (
            rank.lexical * signals.lexical
            + rank.semantic * signals.semantic
            + rank.semantic_mean * signals.semantic_mean
            + rank.characters * signals.characters
        )
        if signals.english:
            # Meaning alone, scaled to the whole weight, so that the thresholds (floor,
            # confident, likely) keep their sense for an English question.
            relevance = relevance * rank.total_weight / rank.semantic_weight
        local = np.zeros(len(self.entries), dtype=np.float32)
        eligible = np.ones(len(self.entries), dtype=bool)
        if commune is not None:
            own_epci = self._by_epci.get(commune.epci_siren, [])
            own_commune = self._by_commune.get(commune.insee, [])
            # Entries written for other places never answer for this commune.
            eligible = self._department | self._own_place(commune)
            local[own_epci] = rank.epci
            local[own_commune] = rank.commune
            if self._department_positions.size:
                department = self._department_positions
                leader = int(department[int(np.argmax(relevance[department]))])
                best_department = float(relevance[leader])
                if place_carried:
                    local[relevance < rank.carried_place * best_department] = 0.0
                elif (
                    best_department >= rank.named_place_floor
                    and leader not in self._overview_positions
                ):
                    local[relevance < rank.named_place * best_department] = 0.0
            if theme in self._theme_masks:
                # "et s'il veut se mettre à son compte ?" about Cahors: Cahors's entry on
                # studies does not answer it, however local; on the theme asked, or close
                # to the question, a local entry still wins.
                other_theme = ~self._theme_masks[str(theme)]
                local[other_theme & (relevance < rank.other_theme_place)] = 0.0
        else:
            local[self._local] = (
                rank.local_in_department if signals.names_department else rank.local_without_commune
            )
        themed = relevance + rank.rare_word * self._rare_words(signals.terms)
        if theme is not None and theme in self._theme_masks:
            themed = themed + rank.theme * self._theme_masks[theme]
        if commune is None and rank.local_covered and AREA_WORDS.isdisjoint(signals.terms):
            local[self._covered_locals(signals.terms, themed)] += rank.local_covered
        # Added, not multiplied: a short "et pour le logement ?" says little, and the
        # town's housing entry must still win (measured the same on the tuning split).
        scores = themed + local
        return relevance, scores.astype(np.float32), eligible

    def _covering(self, entry_id: str, query: str) -> int | None:
        """The entry's position when it holds every word of `query`, as lemma or as typed."""
        position = self._positions.get(entry_id)
        if position is None:
            return None
        words = self._lemmatizer.words_many([query])[0]
        held = self._entry_terms[position]
        covers = bool(words) and all(word.lemma in held or word.surface in held for word in words)
        return position if covers else None

    def _rare_words(self, terms: Sequence[str]) -> npt.NDArray[np.float32]:
        """Per entry, how many words of the question it holds that few entries hold."""
        counts = np.zeros(len(self.entries), dtype=np.float32)
        for term in terms:
            holders = self._postings.get(term)
            if holders is not None and len(holders) <= RARE_WORD_ENTRIES:
                counts[holders] += 1
        return counts

    def _covered_locals(
        self, terms: Sequence[str], themed: npt.NDArray[np.float32]
    ) -> npt.NDArray[np.bool_]:
        """Entries written for one place that match no word of the question the best entry
        for the whole department lacks: "un hôpital pas trop loin ?" is answered by the
        department's overview, "Andros recrute ?" still by the entry on Biars."""
        covered = self._local.copy()
        department = self._department_positions
        if department.size == 0:
            return np.zeros(len(self.entries), dtype=bool)
        best = department[int(np.argmax(themed[department]))]
        for term in terms:
            holders = self._postings.get(term)
            if holders is not None and best not in holders:
                covered[holders] = False
        return covered

    def search(
        self,
        query: str,
        theme: str | None,
        commune: Commune | None,
        limit: int,
        confident_only: bool = False,
        local_first: bool = False,
        place_carried: bool = False,
        likely_only: bool = False,
        covered_by: str | None = None,
    ) -> Outcome:
        """The best entries; `confident_only`: only entries clearly about the question, and
        no overview of the theme when none is; `likely_only`: only entries likely about it
        (`Ranking.likely`), no overview either; `local_first`: entries of the theme written
        for the commune or its communauté come first when they answer at all;
        `place_carried`: the commune is the conversation's, the question does not name it;
        `covered_by`: an entry id, the only result when that entry holds every word of the
        question ("c'est financé ?" after an entry on retraining that says how) and, without
        `confident_only`, no entry leads it by `Ranking.lead`."""
        signals = self.signals(query)
        relevance, scores, eligible = self.scores(
            signals, theme, commune, place_carried=place_carried
        )
        covering = self._covering(covered_by, query) if covered_by else None
        if covering is not None and not confident_only:
            # A question on the theme, not a follow-up the NLU recognised, may be about
            # another entry clearly more about it, which the entry just shown names too.
            best = scores.max(where=eligible, initial=-np.inf)
            if scores[covering] < best - self.ranking.lead:
                covering = None
        if covering is not None:
            return Outcome(
                hits=[
                    Hit(
                        self.entries[covering],
                        float(scores[covering]),
                        self._scope_match(covering, commune),
                    )
                ],
                close_call=None,
                local_in_theme=self._local_in_theme(theme, commune),
            )
        if confident_only:
            rare = self._rare_words(signals.terms)
            matching = relevance + self.ranking.rare_word * rare >= self.ranking.confident
            leader = self._clear_leader(relevance, eligible)
            if leader is not None:
                matching[leader] = True
            if rare.any():
                # "c'est quoi l'APA exactement ?": only the entries naming the APA are clearly
                # about it, not one whose example "C'est quoi l'ACRE ?" has the same form.
                matching &= rare > 0
        elif likely_only:
            matching = relevance >= self.ranking.likely
        else:
            # A word of the question found in the entry is a match, whatever its meaning
            # (a rare word an editor just added); without one, the meaning must be close.
            matching = (signals.lexical > 0) | (relevance >= self.ranking.floor)
        if local_first and commune is not None and theme in self._theme_masks:
            # "et à Cahors même ?" after a question on getting about without a car: the
            # place's entries on other themes (its outings) answer another question.
            matching &= ~(self._own_place(commune) & ~self._theme_masks[str(theme)])
        order = self._top(scores, eligible & matching, limit)
        # "et niveau transports ?" in a conversation about Saint-Céré: the theme's overview
        # of the whole department is the best match, but the town's own entry on the theme
        # is the same general answer, made local, whatever words it shares with a question
        # the overview answers ("qu'est-ce qu'on fait le week-end par là-bas ?" about Cazals).
        general = bool(order) and theme is not None and order[0] == self._overview.get(theme)
        wanted_local = local_first or (general and not confident_only)
        local = (
            self._local_first(relevance, scores, theme, commune, limit, any_relevance=general)
            if wanted_local
            else []
        )
        if local:
            order = [*local, *(i for i in order if i not in local)][:limit]
        fallback = (
            self._overview.get(theme) if theme and not (confident_only or likely_only) else None
        )
        if not order and fallback is not None:
            # Nothing matched the words: the theme's general answer, the town's own first.
            local = self._local_first(relevance, scores, theme, commune, limit, any_relevance=True)
            order = [*local, fallback][:limit]
            scores = self._zeros
        close_call = None
        # After "plutôt vers Montcuq", the department's answer just shown is no runner-up.
        close = len(order) > 1 and scores[order[0]] - scores[order[1]] <= self.ranking.close
        if close and not local:
            close_call = self.entries[order[1]]
        return Outcome(
            hits=[
                Hit(self.entries[i], float(scores[i]), self._scope_match(i, commune))
                for i in order[:limit]
            ],
            close_call=close_call,
            local_in_theme=self._local_in_theme(theme, commune),
        )

    def _clear_leader(
        self, relevance: npt.NDArray[np.float32], eligible: npt.NDArray[np.bool_]
    ) -> int | None:
        """The entry relevant enough, and far enough ahead of all others, to be the answer."""
        candidates = np.flatnonzero(eligible)
        if candidates.size < 2:
            return None
        second, first = candidates[np.argsort(relevance[candidates])[-2:]]
        best = relevance[first]
        if best < self.ranking.confident_leading or best - relevance[second] < self.ranking.lead:
            return None
        return int(first)

    def _local_first(
        self,
        relevance: npt.NDArray[np.float32],
        scores: npt.NDArray[np.float32],
        theme: str | None,
        commune: Commune | None,
        limit: int,
        *,
        any_relevance: bool = False,
    ) -> list[int]:
        """Entries of `theme` written for `commune` or its communauté that answer the
        question at least loosely (`Ranking.local_share`; or at all, with `any_relevance`),
        best first: a visitor who names the place after the question has seen the
        department's answer and wants the local one."""
        if commune is None or theme not in self._theme_masks:
            return []
        mask = self._own_place(commune) & self._theme_masks[str(theme)]
        if not any_relevance:
            best = float(relevance.max()) if relevance.size else 0.0
            mask &= relevance >= min(self.ranking.floor, self.ranking.local_share * best)
        return self._top(scores, mask, limit)

    def _own_place(self, commune: Commune) -> npt.NDArray[np.bool_]:
        """The entries written for `commune` or for its communauté."""
        mask = np.zeros(len(self.entries), dtype=bool)
        mask[self._by_commune.get(commune.insee, [])] = True
        mask[self._by_epci.get(commune.epci_siren, [])] = True
        return mask

    def _local_in_theme(self, theme: str | None, commune: Commune | None) -> int:
        if commune is None:
            return 0
        local = self._own_place(commune)
        if theme is None:
            return int(local.sum())
        in_theme = self._theme_masks.get(theme)
        return 0 if in_theme is None else int((local & in_theme).sum())

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

    def _scope_match(self, position: int, commune: Commune | None) -> ScopeMatch:
        entry = self.entries[position].entry
        if commune is None:
            level = entry.scope.level
            return "commune" if level == "communes" else "epci" if level == "epci" else "department"
        if commune.insee in entry.scope.communes:
            return "commune"
        if commune.epci_siren in entry.scope.epci:
            return "epci"
        return "department"
