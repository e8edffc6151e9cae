"""Entry vectors cached on disk by text: a reload embeds only what changed."""

from pathlib import Path

import numpy as np

from api.knowledge.encoder import get_encoder
from api.knowledge.vectors import cache_file, passage_vectors

TEXTS = ["Les lycées de Figeac", "Trouver un médecin traitant dans le Lot"]


def test_vectors_are_written_once_and_read_back_unchanged(tmp_path: Path) -> None:
    encoder = get_encoder("use")
    assert encoder is not None
    path = cache_file(tmp_path, encoder)

    first = passage_vectors(encoder, TEXTS, path)
    written = path.stat().st_mtime_ns
    again = passage_vectors(encoder, TEXTS, path)

    assert first.shape == (2, encoder.dimension)
    assert np.allclose(first, again)
    assert path.stat().st_mtime_ns == written  # nothing new to embed: no rewrite


def test_a_new_text_is_added_to_the_cache_with_the_others_kept(tmp_path: Path) -> None:
    encoder = get_encoder("use")
    assert encoder is not None
    path = cache_file(tmp_path, encoder)
    passage_vectors(encoder, TEXTS[:1], path)

    both = passage_vectors(encoder, TEXTS, path)

    with np.load(path) as data:
        assert len(data["keys"]) == 2
    assert np.allclose(both[1], encoder.passages([TEXTS[1]])[0], atol=1e-5)


def test_a_damaged_cache_file_only_costs_embedding_again(tmp_path: Path) -> None:
    encoder = get_encoder("use")
    assert encoder is not None
    path = cache_file(tmp_path, encoder)
    path.write_bytes(b"not a numpy file")

    vectors = passage_vectors(encoder, TEXTS, path)

    assert vectors.shape == (2, encoder.dimension)
    with np.load(path) as data:
        assert len(data["keys"]) == 2
