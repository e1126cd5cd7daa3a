"""What embeds a build's passages: the machine's ONNX export of the model, else the reference model.

Every build goes through the export when it exists or can be made (making it imports
sentence-transformers once per model and machine), so adding an article imports no torch: seconds of
start-up and most of a build's memory saved. sentence-transformers embeds documents only when the
model cannot be exported (a pipeline the light encoder does not reproduce). The choice is made on
first use, so a build with nothing to embed loads neither, and progress says "loading model" at the
same moment whichever loads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from qa.embed import Embedder, PassageEncoding, Span, TextEncoder
from qa.encoders.cache import load_cached_encoder
from qa.encoders.manifest import EncoderUnavailableError
from qa.encoders.runtime import available_cores

log = logging.getLogger(__name__)


class DocumentEncoder:
    """The machine's export of `model` (made first if needed), or sentence-transformers when it cannot be made."""

    def __init__(self, model: str, *, expected: bool) -> None:
        """`expected`: the index recorded this model, so a missing export is worth a warning."""
        self._model = model
        self._expected = expected
        self._chosen: TextEncoder | None = None

    @property
    def encoder(self) -> TextEncoder:
        """The export with one intra-op thread per core (passages come in batches), loaded on first use."""
        if self._chosen is None:
            try:
                self._chosen = load_cached_encoder(self._model, threads=available_cores(), expected=self._expected)
            except EncoderUnavailableError as error:
                log.warning("%s Embedding documents with sentence-transformers.", error)
                self._chosen = Embedder(self._model)
        return self._chosen

    @property
    def settled(self) -> bool:
        """True once the export was loaded or found impossible to make: nothing left to try for questions."""
        return self._chosen is not None

    @property
    def name(self) -> str:
        return self._model

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
