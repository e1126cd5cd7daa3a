"""The light encoder: onnxruntime and `tokenizers` only, so questions and documents are embedded without torch.

Reproduces sentence-transformers' Transformer -> Pooling -> Normalize pipeline: the same tokenizer
with truncation to `max_seq_length`, attention-masked mean (or CLS) pooling, L2 normalization.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import onnxruntime
from onnxruntime.capi import onnxruntime_pybind11_state as ort_errors
from tokenizers import Encoding, Tokenizer

from qa.embed import (
    PassageEncoding,
    Span,
    TokenizedPassages,
    TokenizedText,
    assemble_passages,
    pool_sentences,
)
from qa.encoders.manifest import (
    MODEL_FILE,
    TOKENIZER_FILE,
    EncoderManifest,
    EncoderUnavailableError,
    read_manifest,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 16
"""Texts per forward pass. bench/document_encoding.py (issue 19; a shared, heavily loaded 2-core
machine, so only relative rates count): fp32 at 8, 16 and 32 within noise of each other, 64 slower;
int8 fastest at 8-16. With batches made by token count, small batches pad little either way."""
PRECISION_NAMES = {"fp32": "float32", "int8": "int8"}
"""How a manifest's precision is written where the index records how documents were embedded."""
_ORT_LOAD_ERRORS = (
    ort_errors.Fail,
    ort_errors.InvalidArgument,
    ort_errors.InvalidGraph,
    ort_errors.InvalidProtobuf,
    ort_errors.NoSuchFile,
    ort_errors.RuntimeException,
)


class QueryEncoder:
    """An exported model ready to embed questions, passages and sentences with the reference model's vectors.

    Offers the same `name`, `dimension`, `backend`, `encode_query` and `encode_documents` as
    `qa.embed.Embedder`, so search, answers and the build take either.
    """

    loaded = True
    """The session is built by `load_query_encoder`: nothing is left to load on first use."""

    def __init__(self, session: onnxruntime.InferenceSession, tokenizer: Tokenizer, manifest: EncoderManifest) -> None:
        self.manifest = manifest
        self._session = session
        self._tokenizer = tokenizer
        # The exported tokenizer.json pads every text to 128 tokens and cuts at 128; sentence-transformers
        # runs the model up to max_seq_length (256) and pads each batch to its longest text. So do we:
        self._tokenizer.no_padding()  # padding is done in _encode, to the longest text of each batch
        self._tokenizer.enable_truncation(max_length=manifest.max_seq_length)
        self._inputs = {node.name for node in session.get_inputs()}
        outputs = [node.name for node in session.get_outputs()]
        self._output = "last_hidden_state" if "last_hidden_state" in outputs else outputs[0]

    @property
    def name(self) -> str:
        return self.manifest.model

    @property
    def dimension(self) -> int:
        return self.manifest.dimension

    @property
    def backend(self) -> str:
        """How documents are embedded, recorded in the index (`qa status`: embedded by)."""
        return f"onnxruntime, {PRECISION_NAMES[self.manifest.precision]}"

    def encode_query(self, question: str) -> np.ndarray:
        """One normalized float32 vector for a question."""
        return self._encode([self.manifest.query_prompt + question])[0]

    def encode_documents(
        self,
        texts: Sequence[str],
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        """Float32 vectors, one row per text, in input order."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for batch, _encodings, tokens, mask in self._document_batches(self.tokenize_passages(texts)):
            vectors[batch] = _pool(tokens, mask, pooling=self.manifest.pooling, normalize=self.manifest.normalize)
            if on_progress is not None:
                on_progress(len(batch))
        return vectors

    def encode_passages(
        self,
        texts: Sequence[str],
        spans: Sequence[Sequence[Span]],
        *,
        tokenized: TokenizedPassages | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> PassageEncoding:
        """Passage vectors and pooled sentence vectors from one forward pass (see `qa.embed.pool_sentences`).

        `tokenized`: `tokenize_passages(texts)` made beforehand (in another thread), else it is made here.

        A model that pools its CLS token has no per-sentence equivalent in its token embeddings:
        its sentences are encoded on their own, as the reference would.
        """
        if tokenized is not None and tokenized.texts != list(texts):
            raise ValueError("the tokenized passages are not the passages given")
        passages = np.zeros((len(texts), self.dimension), dtype=np.float32)
        pooled: list[list[np.ndarray | None]] = [[None] * len(own) for own in spans]
        shift = len(self.manifest.document_prompt)
        for batch, encodings, tokens, mask in self._document_batches(
            tokenized if tokenized is not None else self.tokenize_passages(texts)
        ):
            passages[batch] = _pool(tokens, mask, pooling=self.manifest.pooling, normalize=self.manifest.normalize)
            if self.manifest.pooling == "mean":
                for row, (number, encoding) in enumerate(zip(batch, encodings, strict=True)):
                    size = len(encoding.ids)
                    text = TokenizedText(tokens=tokens[row, :size], offsets=encoding.offsets, shift=shift)
                    pooled[number] = pool_sentences(text, spans[number])
            if on_progress is not None:
                on_progress(len(batch))
        return assemble_passages(self, texts, spans, passages, pooled)

    def tokenize_passages(self, texts: Sequence[str]) -> TokenizedPassages:
        """All texts tokenized with the document prompt, then grouped by token count, longest first."""
        prompt = self.manifest.document_prompt
        encodings = self._tokenizer.encode_batch([prompt + text for text in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
        return TokenizedPassages(
            list(texts), encodings, [order[start : start + BATCH_SIZE] for start in range(0, len(order), BATCH_SIZE)]
        )

    def _document_batches(
        self, tokenized: TokenizedPassages
    ) -> Iterator[tuple[list[int], list[Encoding], np.ndarray, np.ndarray]]:
        """(input positions, their encodings, token embeddings, attention mask) per forward pass."""
        for batch in tokenized.batches:
            chosen = [tokenized.encodings[i] for i in batch]
            tokens, mask = self._forward(chosen)
            yield batch, chosen, tokens, mask

    def _encode(self, texts: list[str]) -> np.ndarray:
        tokens, mask = self._forward(self._tokenizer.encode_batch(texts))
        return _pool(tokens, mask, pooling=self.manifest.pooling, normalize=self.manifest.normalize)

    def _forward(self, encodings: list[Encoding]) -> tuple[np.ndarray, np.ndarray]:
        """The model's token embeddings for a batch padded to its longest text, and the attention mask."""
        length = max(len(encoding.ids) for encoding in encodings)
        ids = np.full((len(encodings), length), self.manifest.pad_token_id, dtype=np.int64)
        mask = np.zeros((len(encodings), length), dtype=np.int64)
        types = np.zeros((len(encodings), length), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            size = len(encoding.ids)
            ids[row, :size] = encoding.ids
            mask[row, :size] = encoding.attention_mask
            types[row, :size] = encoding.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        (tokens,) = self._session.run([self._output], {name: feed[name] for name in self._inputs})
        return tokens, mask


def _pool(tokens: np.ndarray, mask: np.ndarray, *, pooling: str, normalize: bool) -> np.ndarray:
    """sentence-transformers' Pooling and Normalize modules, in numpy."""
    if pooling == "cls":
        pooled = tokens[:, 0, :]
    else:
        weights = mask[:, :, None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
    pooled = pooled.astype(np.float32)
    if normalize:
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
    return pooled


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def load_query_encoder(directory: Path, model: str, *, threads: int = 1) -> QueryEncoder:
    """The exported encoder in `directory`, checked against its manifest before use.

    `model` is the configured model name; an export of another model is refused. (Which model files
    an index was embedded with is checked by the index's recorded model checksum, `cache.py`.) The
    model file is hashed in a thread while onnxruntime builds its session from the same bytes, so
    checking costs little time.
    `threads`: onnxruntime's intra-op threads. One for questions (a question is a few tokens: a
    thread team costs more than it saves); `available_cores()` for the build's batches of passages.
    Raises EncoderUnavailableError for anything missing, damaged or mismatched.
    """
    manifest = read_manifest(directory)
    if manifest.model != model:
        raise EncoderUnavailableError(f"The encoder in {directory} was exported for {manifest.model!r}, not {model!r}.")
    model_bytes = _read(directory / MODEL_FILE)
    tokenizer_bytes = _read(directory / TOKENIZER_FILE)
    _verify(tokenizer_bytes, manifest.files[TOKENIZER_FILE], directory / TOKENIZER_FILE)
    digest: list[str] = []
    hashing = threading.Thread(target=lambda: digest.append(hashlib.sha256(model_bytes).hexdigest()))
    hashing.start()
    load_error: Exception | None = None
    try:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        # Memory patterns are planned and kept per input shape, and every batch has its own length:
        # off, the process held ~150 MiB less over 52 batches of 16 texts (256 down to 20 tokens), with the
        # same outputs and no measured cost in speed (issue 19).
        options.enable_mem_pattern = False
        session = onnxruntime.InferenceSession(model_bytes, options, providers=["CPUExecutionProvider"])
    except _ORT_LOAD_ERRORS as error:
        load_error = error
    hashing.join()
    if digest != [manifest.files[MODEL_FILE]]:
        raise EncoderUnavailableError(f"{directory / MODEL_FILE} is damaged (its checksum does not match).")
    if load_error is not None:
        raise EncoderUnavailableError(f"{directory / MODEL_FILE} cannot be loaded: {load_error}") from load_error
    tokenizer = Tokenizer.from_str(tokenizer_bytes.decode("utf-8"))  # checksum-verified above
    log.info("loaded ONNX encoder for %s from %s", manifest.model, directory)
    return QueryEncoder(session, tokenizer, manifest)


def load_query_encoder_in_background(directory: Path, model: str) -> Future[QueryEncoder]:
    """`load_query_encoder` on a thread. onnxruntime builds its session without holding the GIL, so
    a one-shot `qa ask` overlaps the load with importing and opening everything else (~0.2 s)."""
    future: Future[QueryEncoder] = Future()

    def load() -> None:
        try:
            future.set_result(load_query_encoder(directory, model))
        except Exception as error:  # re-raised by future.result() in the thread that asks
            future.set_exception(error)

    # Not a daemon: exiting while onnxruntime builds the session (it has let go of the GIL) can abort.
    threading.Thread(target=load, name="qa-query-encoder").start()
    return future


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise EncoderUnavailableError(f"Cannot read {path}: {error.strerror or error}.") from error


def _verify(data: bytes, expected: str, path: Path) -> None:
    if hashlib.sha256(data).hexdigest() != expected:
        raise EncoderUnavailableError(f"{path} is damaged (its checksum does not match).")
