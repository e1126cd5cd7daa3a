"""Which model made a set of vectors: a checksum of the model's files, cheap enough for every `qa ask`.

Hashing the weights (90 MB for the bundled model) takes a fraction of a second each time; stating a
dozen files takes well under a millisecond. So the checksum is kept in the user's cache folder with
each file's size and modification time, and computed again only when one of them changes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from qa.embed import resolve_model_path
from qa.encoders.manifest import EncoderUnavailableError, sha256_of
from qa.locations import cache_dir

log = logging.getLogger(__name__)

CHECKSUMS_FILE = "model-checksums.json"
"""In the cache folder: {model folder: {"files": {name: [size, mtime_ns]}, "sha256": checksum}}."""
_NOT_THE_MODEL = frozenset({"onnx", "openvino"})
"""Folders of a model repository holding other exports of it: they do not make sentence-transformers' vectors."""


@dataclass(frozen=True)
class ModelFiles:
    """The files that make a model's vectors (weights, configs, tokenizer), with what cheaply tells a change."""

    folder: Path
    stamps: dict[str, list[int]]
    """Each file's path relative to `folder`, with its [size, mtime_ns]."""


def model_checksum(model: str) -> str:
    """sha256 over the model's files (names and contents), from the cache while no file changed.

    Raises EncoderUnavailableError when the model's files cannot be found on this machine.
    """
    files = model_files(model)
    known = _read_checksums()
    entry = known.get(str(files.folder))
    if isinstance(entry, dict) and entry.get("files") == files.stamps and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    digest = hashlib.sha256()
    for name in sorted(files.stamps):
        digest.update(f"{name}\0{sha256_of(files.folder / name)}\n".encode())
    checksum = digest.hexdigest()
    known[str(files.folder)] = {"files": files.stamps, "sha256": checksum}
    _write_checksums(known)
    return checksum


def model_files(model: str) -> ModelFiles:
    """The model's folder (a local path, the bundled wheel's, or its Hugging Face cache snapshot) and files."""
    folder = _model_folder(model)
    stamps: dict[str, list[int]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts) or relative.parts[0] in _NOT_THE_MODEL:
            continue
        if path.suffix.lower() == ".md" or not path.is_file():
            continue  # a model card changes no vector
        stat = path.stat()
        stamps[relative.as_posix()] = [stat.st_size, stat.st_mtime_ns]
    if not stamps:
        raise EncoderUnavailableError(f"The model {model!r} has no files in {folder}.")
    return ModelFiles(folder, stamps)


def _model_folder(model: str) -> Path:
    resolved = Path(resolve_model_path(model))
    if resolved.is_dir():
        return resolved.resolve()
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True)).resolve()
    except Exception as error:  # any failure means the same: no local copy to check
        raise EncoderUnavailableError(f"The model {model!r} is not a folder on this machine ({error}).") from error


def _checksums_path() -> Path:
    return cache_dir() / CHECKSUMS_FILE


def _read_checksums() -> dict:
    try:
        known = json.loads(_checksums_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or damaged: computed again
    return known if isinstance(known, dict) else {}


def _write_checksums(known: dict) -> None:
    """Written beside and renamed, so a concurrent reader sees the old file or the new one."""
    path = _checksums_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    except OSError as error:  # a read-only cache costs a hash per run, nothing else
        log.info("cannot keep the model checksum in %s: %s", path, error.strerror or error)
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(known, out, indent=1, sort_keys=True)
        os.replace(scratch, path)
    except OSError as error:
        Path(scratch).unlink(missing_ok=True)
        log.info("cannot keep the model checksum in %s: %s", path, error.strerror or error)
