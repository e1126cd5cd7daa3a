"""What an exported encoder is and how to check it is intact: a JSON manifest with file checksums."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from qa.errors import QAError

MANIFEST_NAME = "encoder.json"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
FORMAT_VERSION = 1


class EncoderUnavailableError(QAError):
    """The exported encoder is missing, damaged or made for another model.

    Callers fall back to the sentence-transformers model (slow to load, same vectors) and tell the
    user that `qa index` repairs the export.
    """


class EncoderManifest(BaseModel):
    """Everything needed to reproduce sentence-transformers' embeddings from the exported files."""

    format_version: int = FORMAT_VERSION
    """Bumped when the layout changes; a loader refuses versions it does not know."""
    model: str
    """The model name as configured (`QA_MODEL` or the bundled default) that was exported."""
    dimension: int
    """Length of one embedding."""
    max_seq_length: int
    """Tokens beyond this (special tokens included) are cut off, as sentence-transformers does."""
    pooling: Literal["mean", "cls"]
    """How token vectors become one vector: attention-masked mean, or the first token."""
    normalize: bool
    """Whether vectors are scaled to unit length (then inner product is cosine)."""
    query_prompt: str = ""
    """Text put before a question (the model's "query" prompt, if it has one)."""
    document_prompt: str = ""
    """Text put before a passage (the model's "document"/"passage"/"corpus" prompt, if any)."""
    pad_token_id: int
    """Token id used to pad a batch to its longest text."""
    precision: Literal["fp32", "int8"] = "fp32"
    """fp32 reproduces the reference model; int8 is dynamically quantized (documents only, if chosen)."""
    files: dict[str, str]
    """sha256 of each file in the directory, checked before use."""
    exported_with: dict[str, str] = {}
    """Library versions that made the export, for diagnosis."""

    @property
    def checksum(self) -> str:
        """One value for the whole export, for the index to record: the model file's sha256."""
        return self.files[MODEL_FILE]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(directory: Path) -> EncoderManifest:
    """The manifest of an export, or EncoderUnavailableError saying what is wrong with it."""
    path = directory / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise EncoderUnavailableError(f"No exported encoder in {directory} ({MANIFEST_NAME} is missing).") from error
    except OSError as error:
        raise EncoderUnavailableError(f"Cannot read {path}: {error.strerror or error}.") from error
    try:
        manifest = EncoderManifest.model_validate_json(text)
    except ValidationError as error:
        raise EncoderUnavailableError(f"{path} is damaged: {error.errors()[0]['msg']}.") from error
    if manifest.format_version != FORMAT_VERSION:
        raise EncoderUnavailableError(
            f"{path} has format version {manifest.format_version}; this qa reads version {FORMAT_VERSION}."
        )
    missing = {MODEL_FILE, TOKENIZER_FILE} - manifest.files.keys()
    if missing:
        raise EncoderUnavailableError(f"{path} does not list {', '.join(sorted(missing))}.")
    return manifest
