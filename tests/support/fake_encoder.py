"""A deterministic stand-in for the model, for tests that need vectors but do not measure retrieval.

It fits `qa.embed.TextEncoder` and is given to `Engine(settings, embedder=HashingEncoder())`: the
build and questions then use it alone (no torch, no ONNX export), so a test of plumbing (staging,
crash recovery, hostile files, the chat's controls) builds an index in milliseconds. Word unigrams
and bigrams are hashed into a fixed number of signed buckets and the vector is normalised, so texts
that share words are close: enough for "the new article is found", never for ranking claims.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from qa.embed import PassageEncoding, Span, encode_sentences_separately

WORD = re.compile(r"\w+")


class HashingEncoder:
    """Word 1- and 2-grams hashed (blake2b, so the same in every process) into `dimension` buckets."""

    backend = "hashing of word n-grams (tests only)"
    loaded = True

    def __init__(self, dimension: int = 256, *, name: str = "tests/hashing-ngrams") -> None:
        self.name = name
        self.dimension = dimension

    def encode_query(self, question: str) -> np.ndarray:
        return self._vector(question)

    def encode_documents(self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = self._vector(text)
        if on_progress is not None and texts:
            on_progress(len(texts))
        return vectors

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding:
        """No token embeddings here: each sentence is hashed on its own."""
        return encode_sentences_separately(self, texts, spans, on_progress=on_progress)

    def _vector(self, text: str) -> np.ndarray:
        words = WORD.findall(text.casefold())
        vector = np.zeros(self.dimension, dtype=np.float32)
        for gram in [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]:
            digest = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "little")
            vector[digest % self.dimension] += 1.0 if digest >> 63 else -1.0
        norm = float(np.linalg.norm(vector))
        if norm == 0.0:
            vector[0] = 1.0  # a text without words still gets a unit vector: inner product stays cosine
            return vector
        return vector / norm
