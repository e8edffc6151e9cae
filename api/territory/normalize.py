"""Place-name normalisation: the key under which a commune and a visitor's spelling meet."""

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_SEPARATORS = re.compile(r"[\s\-‐‑–—'’ʼ`´.,;:/()_\"«»]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
_ARTICLES = {"le", "la", "les", "l"}
# Words a visitor puts before a place ("à Figeac", "vers Souillac", "près de Gramat").
_LEADING_PHRASES = (
    ("du", "cote", "de"),
    ("cote", "de"),
    ("pres", "de"),
    ("pres", "d"),
    ("a", "cote", "de"),
    ("a",),
    ("au",),
    ("aux",),
    ("vers",),
    ("sur",),
    ("en",),
)
_POSTAL_CODE = re.compile(r"^\d{5}$")
_TRAILING_PHRASES = (("dans", "le", "lot"), ("lot",), ("46",))
# Prefixes of the official EPCI names that editors and visitors often leave out ("Grand-Figeac").
_EPCI_PREFIXES = (
    "communaute d agglomeration du ",
    "communaute d agglomeration de ",
    "communaute de communes du ",
    "communaute de communes de la ",
    "communaute de communes de ",
    "communaute de communes des ",
    "communaute de communes ",
    "ca du ",
    "ca de ",
    "cc du ",
    "cc de la ",
    "cc de ",
    "cc des ",
    "ca ",
    "cc ",
)


def fold(text: str) -> str:
    """Lower case without accents or ligatures; keeps punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES).lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokens(text: str) -> list[str]:
    words = [word for word in _SEPARATORS.split(fold(text)) if word]
    return [_ABBREVIATIONS.get(word, word) for word in words]


def place_key(text: str) -> str:
    """Normalised key of a place name: `"St-Céré"`, `"saint cere"` -> `"saint cere"`."""
    words = tokens(text)
    while len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    return " ".join(words)


def query_keys(text: str) -> list[str]:
    """Keys to try for a visitor's text, the literal one first, then without filler words."""
    words = tokens(text)
    keys = [place_key(text)]
    stripped = list(words)
    for phrase in _LEADING_PHRASES:
        if len(stripped) > len(phrase) and tuple(stripped[: len(phrase)]) == phrase:
            stripped = stripped[len(phrase) :]
            break
    if len(stripped) > 1 and _POSTAL_CODE.match(stripped[-1]):
        stripped = stripped[:-1]
    for phrase in _TRAILING_PHRASES:
        if len(stripped) > len(phrase) and tuple(stripped[-len(phrase) :]) == phrase:
            stripped = stripped[: -len(phrase)]
            break
    key = place_key(" ".join(stripped))
    if key and key not in keys:
        keys.append(key)
    return [key for key in keys if key]


def epci_keys(name: str) -> list[str]:
    """Keys of an EPCI's name: as written, then without its "CC"/"communauté de communes"."""
    key = place_key(name)
    keys = [key]
    for prefix in _EPCI_PREFIXES:
        if key.startswith(prefix):
            keys.append(key[len(prefix) :])
            break
    return keys
