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

from qa.embed import ENCODERS_SEPARATOR, Embedder, PassageEncoding, Span, TextEncoder, TokenizedPassages
from qa.encoders.cache import load_cached_encoder
from qa.encoders.export import DEFAULT_PRECISION, Precision
from qa.encoders.manifest import EncoderUnavailableError
from qa.encoders.runtime import PRECISION_NAMES, QueryEncoder, available_cores

log = logging.getLogger(__name__)


def document_precision(embedded_by: str | None, *, has_vectors: bool) -> Precision:
    """The precision new passages of an index are embedded at: the one its vectors were made at.

    `embedded_by` is what the index recorded (`MetaKey.DOCUMENT_ENCODER`, None for a new index or one
    built before it was recorded); `has_vectors`: the index already holds passages that stay. An index
    of float32 vectors (sentence-transformers or the fp32 export, which agree to 1e-4) keeps getting
    float32 ones and an int8 index int8 ones, so no index mixes precisions; a new index, or a rebuild
    (the caller passes None and False), gets DEFAULT_PRECISION.
    """
    if embedded_by is None:
        return "fp32" if has_vectors else DEFAULT_PRECISION  # vectors from before the record: float32
    recorded = embedded_by.split(ENCODERS_SEPARATOR)[-1]  # the way the latest build embedded
    return "int8" if recorded.endswith(PRECISION_NAMES["int8"]) else "fp32"


class DocumentEncoder:
    """The machine's export of `model` at the index's precision (made first if needed), or
    sentence-transformers (float32) when it cannot be made."""

    def __init__(self, model: str, *, expected: bool, precision: Precision = DEFAULT_PRECISION) -> None:
        """`expected`: the index recorded this model, so a missing export is worth a warning.
        `precision`: the index's (`document_precision`)."""
        self._model = model
        self._expected = expected
        self.precision = precision
        self._chosen: TextEncoder | None = None

    @property
    def encoder(self) -> TextEncoder:
        """The export with one intra-op thread per core (passages come in batches), loaded on first use."""
        if self._chosen is None:
            try:
                self._chosen = load_cached_encoder(
                    self._model, precision=self.precision, threads=available_cores(), expected=self._expected
                )
            except EncoderUnavailableError as error:
                if self.precision != "fp32":
                    raise EncoderUnavailableError(
                        f"{error} This index's passages are {PRECISION_NAMES[self.precision]}, which only the "
                        "ONNX export makes. Run `qa index --rebuild` to embed the corpus again."
                    ) from error
                log.warning("%s Embedding documents with sentence-transformers.", error)
                self._chosen = Embedder(self._model)
        return self._chosen

    @property
    def settled(self) -> bool:
        """True once the export was loaded or found impossible to make: nothing left to try for questions."""
        return self._chosen is not None

    @property
    def exported(self) -> bool:
        """True when documents go through the export (False: the model cannot be exported)."""
        return isinstance(self._chosen, QueryEncoder)

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

    def tokenize_passages(self, texts: Sequence[str]) -> TokenizedPassages | None:
        """The export's tokens for `texts`, or None while nothing is loaded yet (this never loads: it is called
        from the build's chunking thread) or when sentence-transformers embeds, which tokenizes as it encodes."""
        chosen = self._chosen
        return chosen.tokenize_passages(texts) if isinstance(chosen, QueryEncoder) else None

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        tokenized: TokenizedPassages | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding:
        encoder = self.encoder
        if isinstance(encoder, QueryEncoder):
            return encoder.encode_passages(texts, spans, tokenized=tokenized, on_progress=on_progress)
        return encoder.encode_passages(texts, spans, on_progress=on_progress)
