"""Search terms (French lemmas and surface forms) and distances for openings.

An opening's text and a visitor's words go through the same steps, so that "infirmière",
"infirmières" and "Infirmier (H/F)" all become the term `infirmier`.
"""

import math
import re
from collections.abc import Iterable, Sequence

from api.core.config import get_settings
from api.knowledge.index import Word, get_lemmatizer
from api.openings.records import OpeningRecord

# spaCy's French lemmatizer leaves many feminine or plural job nouns as they are, or cuts them
# ("serveuse", "conductrices", "soudeus", "technicienn"): fold them onto the masculine singular
# so that every spelling meets. (ending, replacement, shortest stem left before the ending)
_ENDINGS = (
    ("euses", "eur", 3),
    ("trices", "teur", 2),
    ("ieres", "ier", 2),
    ("iennes", "ien", 2),
    ("onnes", "on", 3),
    ("iers", "ier", 2),
    ("eurs", "eur", 2),
    ("iens", "ien", 2),
    ("euser", "eur", 3),
    ("euse", "eur", 3),
    ("eus", "eur", 4),
    ("trice", "teur", 2),
    ("iere", "ier", 2),
    ("ienne", "ien", 2),
    ("ienn", "ien", 2),
    ("onne", "on", 3),
    ("gere", "ger", 3),
    ("chere", "cher", 2),
    ("ante", "ant", 2),
    ("ente", "ent", 2),
)
_WORD = re.compile(r"[a-z0-9]")
# "H/F" says the offer is open to all; spaCy would read that "H" as "heure".
_GENDER_MARK = re.compile(r"\(?\b[HhFf]\s*/\s*[HhFf]\b\)?")
# Indexing long descriptions in full costs time and adds little: the start says what the job is.
MAX_INDEXED_CHARS = 4000
EARTH_RADIUS_KM = 6371.0088


def normalise_term(lemma: str) -> str | None:
    """A lemma (lower case, accents folded) as a search term: masculine; None if not a word."""
    term = lemma.strip(" -'’.")
    if len(term) < 2 or not _WORD.search(term):
        return None
    for ending, replacement, min_stem in _ENDINGS:
        if term.endswith(ending) and len(term) - len(ending) >= min_stem:
            return term[: -len(ending)] + replacement
    return term


def _forms(word: Word) -> tuple[str, ...]:
    """The search terms of one word: its lemma's, then its surface form's when different."""
    terms = (normalise_term(word.lemma), normalise_term(word.surface))
    return tuple(dict.fromkeys(term for term in terms if term is not None))


def _words(texts: Sequence[str]) -> list[tuple[Word, ...]]:
    """The knowledge area's lemmatizer: one spaCy pipeline per process."""
    lemmatizer = get_lemmatizer(get_settings().spacy_model)
    return lemmatizer.words_many([_GENDER_MARK.sub(" ", text) for text in texts])


def _padded(terms: Iterable[str]) -> str:
    unique = sorted(set(terms))
    return f" {' '.join(unique)} " if unique else " "


def index_texts(records: Sequence[OpeningRecord]) -> list[tuple[str, str]]:
    """(title_terms, all_terms) of each record: the title tier and everything searchable,
    every word under both of its forms."""
    texts: list[str] = []
    for record in records:
        texts.append(f"{record.title}. {record.title_keywords}")
        texts.append(
            " ".join(
                part
                for part in (record.employer_or_seller, record.description[:MAX_INDEXED_CHARS])
                if part
            )
        )
    flat = [[term for word in words for term in _forms(word)] for words in _words(texts)]
    return [
        (_padded(title_terms), _padded(title_terms + body_terms))
        for title_terms, body_terms in zip(flat[::2], flat[1::2], strict=True)
    ]


def query_terms(query: str) -> list[tuple[str, ...]]:
    """The visitor's words in their order, without repeats, each as the terms that match it
    (its lemma first, then its surface form when that differs)."""
    if not query.strip():
        return []
    forms = (_forms(word) for word in _words([query])[0])
    return list(dict.fromkeys(terms for terms in forms if terms))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(
    latitude: float, longitude: float, radius_km: float
) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) enclosing the circle: a cheap indexed pre-filter."""
    d_lat = math.degrees(radius_km / EARTH_RADIUS_KM)
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    d_lon = math.degrees(radius_km / (EARTH_RADIUS_KM * cos_lat))
    return latitude - d_lat, latitude + d_lat, longitude - d_lon, longitude + d_lon
