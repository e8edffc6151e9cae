"""Entry vectors cached on disk by content hash, so that a reload after an edit embeds only
the texts that changed."""

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import structlog

from api.knowledge.encoder import Encoder, Vectors

log = structlog.get_logger(__name__)
MAX_CACHED_TEXTS = 50_000


def _key(encoder: Encoder, text: str) -> str:
    return hashlib.sha256(f"{encoder.name}\0{text}".encode()).hexdigest()[:32]


def _read(path: Path) -> dict[str, Vectors]:
    try:
        with np.load(path, allow_pickle=False) as data:
            keys = [str(key) for key in data["keys"]]
            rows = np.asarray(data["vectors"], dtype=np.float32)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError) as error:
        # A damaged cache only costs the time to embed again.
        log.warning("embedding_cache_unreadable", path=str(path), error=str(error))
        return {}
    return dict(zip(keys, rows, strict=True))


def _write(path: Path, cache: dict[str, Vectors], dimension: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    keys = np.array(sorted(cache), dtype=np.str_)
    rows = np.stack([cache[key] for key in keys]) if cache else np.zeros((0, dimension))
    # Written aside then renamed: several API workers may share the folder.
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, keys=keys, vectors=rows.astype(np.float32))
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        log.warning("embedding_cache_not_written", path=str(path), error=str(error))


def cache_file(cache_dir: Path, encoder: Encoder) -> Path:
    """One file per encoder, keyed by text: copies of the content (tests, a second API
    worker) share their vectors."""
    return cache_dir / f"{encoder.name}.npz"


def passage_vectors(encoder: Encoder, texts: list[str], path: Path | None) -> Vectors:
    """Vectors of `texts`, from the cache file `path` where possible."""
    if path is None:
        return encoder.passages(texts)
    cache = _read(path)
    keys = [_key(encoder, text) for text in texts]
    missing = list(
        dict.fromkeys(pair for pair in zip(keys, texts, strict=True) if pair[0] not in cache)
    )
    if missing:
        fresh = encoder.passages([text for _, text in missing])
        for (key, _), vector in zip(missing, fresh, strict=True):
            cache[key] = vector
        # Past a size, only the texts in use now are kept: the file does not grow forever
        # with every edit, and another folder's vectors come back at the cost of one load.
        if len(cache) > MAX_CACHED_TEXTS:
            cache = {key: cache[key] for key in set(keys)}
        _write(path, cache, encoder.dimension)
    if not texts:
        return np.zeros((0, encoder.dimension), dtype=np.float32)
    return np.stack([cache[key] for key in keys]).astype(np.float32)
