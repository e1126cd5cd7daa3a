"""Exporting the embedding model to ONNX at index time, with sentence-transformers' own export.

This is the only part of qa.encoders that needs torch; it runs when the index is built, where the
reference model is loaded anyway.
"""

from __future__ import annotations

import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Literal

from qa.embed import document_prompt, resolve_model_path
from qa.encoders.manifest import (
    MANIFEST_NAME,
    MODEL_FILE,
    TOKENIZER_FILE,
    EncoderManifest,
    EncoderUnavailableError,
    sha256_of,
)

Precision = Literal["fp32", "int8"]
DEFAULT_PRECISION: Precision = "int8"
"""The precision a new index's (or a rebuild's) documents are embedded at, chosen by measurement (issue 19).

int8 with the feed-forward down-projections left in fp32 (`_quantize`; bench/int8_variants.py): on
320 Reuters passages up to 256 tokens, passage cosine to fp32 mean 0.997, min 0.993 (quantizing
every MatMul: min 0.985); on the seed passages of every length the test asserts >= 0.99 to
sentence-transformers for passages and their pooled sentences. SciFact hybrid nDCG@10 on an
800-document subset (bench/precision_retrieval.py): fp32 0.8452, int8 documents 0.8447 with fp32
questions. About 1.3x fp32's speed where every MatMul in int8 gave 1.4x (interleaved on a loaded
2-core machine). An index keeps the precision it was built with (`qa.encoders.documents`)."""
QUESTION_PRECISION: Precision = "fp32"
"""Questions are embedded in fp32 whatever the documents' precision. Measured: int8 documents asked
with fp32 questions 0.8447 hybrid nDCG@10 on SciFact-800, with int8 questions 0.8469, both within
0.005 of fp32's 0.8452; a question is a few tokens (milliseconds either way), and `qa ask` loads
its export before it opens the index (qa.encoders.cache.start_loading), so it cannot wait to learn
the index's precision. fp32 questions are also exactly the reference model's."""


def export_query_encoder(model: str, directory: Path, *, precision: Precision = QUESTION_PRECISION) -> EncoderManifest:
    """Export `model` (a configured model name) into `directory`: model.onnx, tokenizer.json, manifest.

    The new export replaces the old one by renaming whole directories, so a reader sees the old
    export, the new one, or none (then it falls back), never a mix. fp32 reproduces the reference
    vectors; int8 (dynamic quantization) is smaller and faster but only approximately equal.
    Raises EncoderUnavailableError if the model's pipeline is not one the light encoder reproduces.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer

    directory = Path(directory)
    directory.parent.mkdir(parents=True, exist_ok=True)
    with _quiet_export(), tempfile.TemporaryDirectory(prefix=f".{directory.name}-", dir=directory.parent) as scratch:
        work = Path(scratch)
        reference = SentenceTransformer(
            resolve_model_path(model),
            backend="onnx",
            device="cpu",
            local_files_only=True,
            model_kwargs={"provider": "CPUExecutionProvider"},
        )
        description = _describe(reference, model)
        saved = work / "saved"
        reference.save(str(saved))
        onnx_file = saved / "onnx" / "model.onnx"
        if precision == "int8":
            onnx_file = _quantize(saved)
        staging = work / "encoder"
        staging.mkdir()
        os.replace(onnx_file, staging / MODEL_FILE)
        os.replace(saved / TOKENIZER_FILE, staging / TOKENIZER_FILE)
        manifest = EncoderManifest(
            **description,
            precision=precision,
            files={name: sha256_of(staging / name) for name in (MODEL_FILE, TOKENIZER_FILE)},
            exported_with={
                package: version(package)
                for package in ("sentence-transformers", "transformers", "optimum-onnx", "onnxruntime")
            },
        )
        (staging / MANIFEST_NAME).write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        if directory.exists():
            os.replace(directory, work / "previous")  # removed with the scratch directory
        os.replace(staging, directory)
    return manifest


@contextmanager
def _quiet_export() -> Iterator[None]:
    """The export's expected chatter (tracer warnings, "save the exported model" advice) is not news to users."""
    loggers = [logging.getLogger(name) for name in ("sentence_transformers", "transformers", "optimum")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)


def _describe(reference, model: str) -> dict:
    """Manifest fields read from the loaded model; refuses pipelines other than Transformer, Pooling, Normalize."""
    kinds = [type(module).__name__ for module in reference]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise EncoderUnavailableError(
            f"The model {model!r} ({' -> '.join(kinds)}) has modules the ONNX query encoder does not "
            "reproduce; questions will be embedded with sentence-transformers."
        )
    pooling = reference[1]
    if pooling.pooling_mode not in ("mean", "cls") or not pooling.include_prompt:
        raise EncoderUnavailableError(
            f"The model {model!r} pools with {pooling.pooling_mode!r} (include_prompt={pooling.include_prompt}), "
            "which the ONNX query encoder does not reproduce; questions will be embedded with sentence-transformers."
        )
    prompts = reference.prompts
    default = prompts.get(reference.default_prompt_name or "", "")
    return {
        "model": model,
        "dimension": int(reference.get_embedding_dimension()),
        "max_seq_length": int(reference.max_seq_length),
        "pooling": pooling.pooling_mode,
        "normalize": kinds[-1] == "Normalize",
        "query_prompt": prompts.get("query", default),
        "document_prompt": document_prompt(reference),
        "pad_token_id": int(reference.tokenizer.pad_token_id or 0),
    }


def _quantize(saved: Path) -> Path:
    """int8 dynamic quantization of the weight MatMuls, except the feed-forward down-projections; returns the file.

    Signed (QInt8) per-channel weights: onnxruntime's int8 kernels with unsigned weights (QUInt8,
    what sentence-transformers' "avx2" preset writes) ran slower than fp32 (issue 19). Activations
    are quantized per tensor at run time, and the input of a feed-forward down-projection (the GELU's
    output, with a few large values) loses the most: quantizing every MatMul left passage vectors
    at cosine 0.985 to fp32 on real Reuters passages, keeping the down-projections in fp32 0.993
    (bench/int8_variants.py). They are found by shape (more inputs than outputs), not by name.
    Embedding lookups (Gather) stay fp32: quantizing them saves memory, not time.
    """
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = saved / "onnx" / "model.onnx"
    target = saved / "onnx" / "model_qint8.onnx"
    quantize_dynamic(
        source,
        target,
        weight_type=QuantType.QInt8,
        per_channel=True,
        op_types_to_quantize=["MatMul"],
        nodes_to_exclude=down_projections(onnx.load(str(source), load_external_data=False)),
    )
    return target


def down_projections(graph_model) -> list[str]:
    """Names of the MatMul nodes whose constant weight has more rows than columns (inputs > outputs)."""
    shapes = {weight.name: tuple(weight.dims) for weight in graph_model.graph.initializer}
    return [
        node.name
        for node in graph_model.graph.node
        if node.op_type == "MatMul" and len(shape := shapes.get(node.input[1], ())) == 2 and shape[0] > shape[1]
    ]
