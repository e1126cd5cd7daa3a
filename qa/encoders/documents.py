"""What embeds a build's passages: the index's ONNX export when it is intact, else the reference model.

The choice is made on first use, so a build with nothing to embed loads neither, and progress says
"loading model" at the same moment whichever loads. Through the export, adding an article imports no
torch: seconds of start-up and most of a build's memory saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qa.embed import Embedder, PassageEncoding, Span, TextEncoder
from qa.encoders.manifest import EncoderUnavailableError
from qa.encoders.runtime import QueryEncoder, available_cores, load_query_encoder

log = logging.getLogger(__name__)


class DocumentEncoder:
    """The export in `directory` (checked against the index's `checksum`), or `reference` when it is unusable."""

    def __init__(self, directory: Path, reference: Embedder, *, checksum: str | None) -> None:
        self._directory = directory
        self._reference = reference
        self._checksum = checksum
        self._chosen: TextEncoder | None = None

    @property
    def encoder(self) -> TextEncoder:
        """The export with one intra-op thread per core (passages come in batches), loaded on first use."""
        if self._chosen is None:
            try:
                self._chosen = load_query_encoder(
                    self._directory, self._reference.name, checksum=self._checksum, threads=available_cores()
                )
            except EncoderUnavailableError as error:
                log.info("%s Embedding documents with sentence-transformers.", error)  # the build repairs it
                self._chosen = self._reference
        return self._chosen

    @property
    def used_export(self) -> bool:
        """True once the export was loaded, so it is known to be intact and the index's."""
        return isinstance(self._chosen, QueryEncoder)

    @property
    def name(self) -> str:
        return self._reference.name

    @property
    def loaded(self) -> bool:
        return self._chosen is not None and self._chosen.loaded

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    @property
    def backend(self) -> str:
        return self.encoder.backend

    def encode_query(self, question: str) -> np.ndarray:
        return self.encoder.encode_query(question)

    def encode_documents(self, texts: Sequence[str], *, on_progress: Callable[[int], None] | None = None) -> np.ndarray:
        return self.encoder.encode_documents(texts, on_progress=on_progress)

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding:
        return self.encoder.encode_passages(texts, spans, on_progress=on_progress)
