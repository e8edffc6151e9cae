"""spaCy's analysis of the entries' texts cached on disk by content hash, as their vectors
are (`vectors.py`): lemmatizing every title, example question and answer is most of the time
a fresh API process takes to load the knowledge, and the texts rarely change."""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import structlog

from api.knowledge.index import Analysis, Lemmatizer, Token

log = structlog.get_logger(__name__)


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def analyses_file(cache_dir: Path, lemmatizer: Lemmatizer) -> Path:
    """One file per spaCy model and version: another model's lemmas would not be its own."""
    return cache_dir / f"spacy-{lemmatizer.model_id}.json"


def _read(path: Path) -> dict[str, Analysis]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {key: tuple(Token(*token) for token in tokens) for key, tokens in raw.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError) as error:
        # A damaged cache only costs the time to analyse again.
        log.warning("analysis_cache_unreadable", path=str(path), error=str(error))
        return {}


def _write(path: Path, cache: dict[str, Analysis]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside then renamed: several API workers may share the folder.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            # `dumps` then one write: `dump` streams through the pure Python encoder, ten
            # times slower on the thousands of analyses of a reload.
            file.write(json.dumps(cache, ensure_ascii=False, separators=(",", ":")))
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        log.warning("analysis_cache_not_written", path=str(path), error=str(error))


def warm(lemmatizer: Lemmatizer, texts: list[str], path: Path) -> None:
    """Gives `lemmatizer` the cached analyses of `texts`, analyses the others, and keeps in
    the file the analyses of `texts` only (an edited text's old analysis goes)."""
    keys = {text: _key(text) for text in texts}
    in_memory = lemmatizer.analyses(keys)
    if len(in_memory) == len(keys):
        return
    # A reload after an edit, in the same process, lacks only the edited texts, which the
    # file is unlikely to hold: reading it again would cost more than analysing them.
    cached = {} if in_memory else _read(path)
    lemmatizer.remember({text: cached[key] for text, key in keys.items() if key in cached})
    missing = [text for text, key in keys.items() if text not in in_memory and key not in cached]
    if missing:
        lemmatizer.words_many(missing)
    known = lemmatizer.analyses(texts)
    if missing or len(cached) != len(keys):
        _write(path, {keys[text]: analysis for text, analysis in known.items()})
