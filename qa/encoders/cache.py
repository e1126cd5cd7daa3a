"""One ONNX export per model per machine, copied into each index that needs it.

Exporting loads sentence-transformers and takes seconds; copying the exported files takes a
fraction of one. The cache lives under $XDG_CACHE_HOME/qa/encoders (or ~/.cache/qa/encoders).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from qa.embed import resolve_model_path
from qa.encoders.export import export_query_encoder
from qa.encoders.manifest import EncoderManifest, EncoderUnavailableError, read_manifest
from qa.encoders.runtime import load_query_encoder


def cache_directory(model: str) -> Path:
    """Where the export of `model` is kept; keyed by the model's name and resolved location."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qa" / "encoders"
    key = hashlib.sha256(f"{model}\0{resolve_model_path(model)}".encode()).hexdigest()[:16]
    return root / key


def install_query_encoder(model: str, directory: Path) -> EncoderManifest:
    """Put a verified export of `model` in `directory`, exporting into the cache first if needed.

    The copy is made beside `directory` and renamed into place, so a reader sees the old export,
    the new one, or none, never a mix.
    """
    cached = cache_directory(model)
    try:
        load_query_encoder(cached, model)
    except EncoderUnavailableError:
        export_query_encoder(model, cached)
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        copy = scratch / "encoder"
        shutil.copytree(cached, copy)
        load_query_encoder(copy, model)  # the copy is whole before it is published
        retired = scratch / "retired"
        if directory.exists():
            directory.rename(retired)
        copy.rename(directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return read_manifest(directory)
