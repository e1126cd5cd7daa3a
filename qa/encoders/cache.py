"""One ONNX export per model per machine, in the user's cache folder, shared by every index.

Exporting imports sentence-transformers and takes seconds, so it happens once per model and machine;
every index, build and question then loads the same files. The export's folder is named by the
model's checksum (`qa.encoders.checksum`) and the export's precision: a model whose files change
under the same name gets a new export, never the old one's vectors.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from filelock import FileLock

from qa.encoders.checksum import model_checksum
from qa.encoders.export import QUESTION_PRECISION, Precision, export_query_encoder
from qa.encoders.manifest import MANIFEST_NAME, EncoderUnavailableError
from qa.encoders.runtime import QueryEncoder, load_query_encoder, load_query_encoder_in_background
from qa.locations import cache_dir

log = logging.getLogger(__name__)

EXPORTS_FOLDER = "encoders"
EXPORT_TAGS: dict[Precision, str] = {"fp32": "fp32", "int8": "int8v2"}
"""Each precision's part of an export's folder name. "int8v2": the feed-forward down-projections stay
fp32 (`export._quantize`); an int8 export of every MatMul made by an older qa is never loaded."""
LEGACY_INDEX_SUBDIRECTORY = "encoder"
"""Where qa up to issue 19 kept a copy of the export inside each index; removed by the next build."""


def export_directory(model: str, precision: Precision = QUESTION_PRECISION) -> Path:
    """Where the export of `model` at `precision` is kept: named by the model's checksum, the precision,
    and its configured name (an export records the name it answers to, so two names of one model get one each)."""
    name = hashlib.sha256(model.encode()).hexdigest()[:8]
    return cache_dir() / EXPORTS_FOLDER / f"{model_checksum(model)[:32]}-{EXPORT_TAGS[precision]}-{name}"


def has_export(model: str, precision: Precision = QUESTION_PRECISION) -> bool:
    """Whether the machine has an export of `model` at `precision` (its manifest; checked when loaded)."""
    try:
        return (export_directory(model, precision) / MANIFEST_NAME).is_file()
    except EncoderUnavailableError:
        return False


def load_cached_encoder(
    model: str,
    *,
    precision: Precision = QUESTION_PRECISION,
    threads: int = 1,
    expected: bool = False,
    on_export: Callable[[], None] | None = None,
) -> QueryEncoder:
    """The machine's export of `model` at `precision`, made (or made again, when damaged) first if needed.

    Questions use QUESTION_PRECISION (the default); a build asks for the precision its index's
    documents were embedded at (`qa.encoders.documents.document_precision`).

    Making it imports sentence-transformers: once per model and machine. `expected`: an index
    recorded this model, so a missing export is news (a warning) rather than a first use (info).
    `on_export` is told just before an export starts (seconds: a progress display says so).
    One process exports at a time (a file lock); the others wait and load its export, and an export
    is written beside its folder and renamed into place, so a reader never sees half of one.
    Raises EncoderUnavailableError when the model cannot be found or exported (a pipeline the light
    encoder does not reproduce): the caller then embeds with sentence-transformers.
    """
    directory = export_directory(model, precision)
    try:
        return _load(directory, model, threads, precision)
    except EncoderUnavailableError:
        pass
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(directory.parent / f"{directory.name}.lock"):
            try:  # another process may have exported it while this one waited
                return _load(directory, model, threads, precision)
            except EncoderUnavailableError as error:
                if directory.exists() or expected:
                    log.warning("%s Exporting it again.", error)
                else:
                    log.info("exporting %s to ONNX for this machine (once): %s", model, directory)
            for stale in directory.parent.glob(f".{directory.name}-*"):  # an export killed part way
                shutil.rmtree(stale, ignore_errors=True)
            _remove_legacy_exports(directory.parent)
            if on_export is not None:
                on_export()
            export_query_encoder(model, directory, precision=precision)
    except OSError as error:
        reason = error.strerror or error
        raise EncoderUnavailableError(f"Cannot write the encoder cache {directory}: {reason}.") from error
    return _load(directory, model, threads, precision)


def _load(directory: Path, model: str, threads: int, precision: Precision) -> QueryEncoder:
    """The export in `directory`, whole, of `model` and of the precision its folder is named for."""
    encoder = load_query_encoder(directory, model, threads=threads)
    if encoder.manifest.precision != precision:
        raise EncoderUnavailableError(f"The encoder in {directory} is {encoder.manifest.precision}, not {precision}.")
    return encoder


def _remove_legacy_exports(folder: Path) -> None:
    """The exports an older qa cached (folders named by 16 hex digits, copied into each index): unused now."""
    for legacy in folder.iterdir():
        if legacy.is_dir() and re.fullmatch(r"[0-9a-f]{16}", legacy.name):
            log.info("removing %s, an export cached by an older qa", legacy)
            shutil.rmtree(legacy, ignore_errors=True)


def start_loading(model: str) -> Future[QueryEncoder] | None:
    """The machine's question export of `model` loading on a thread (None when the model's files cannot be found).

    A cold `qa ask` overlaps the load with importing and opening everything else.
    """
    try:
        directory = export_directory(model)
    except EncoderUnavailableError:
        return None
    return load_query_encoder_in_background(directory, model)


def retire_index_export(index_dir: Path) -> None:
    """Remove the export copy an index made by an older qa keeps in `INDEX/encoder` (87 MB each).

    Called under the index's write lock. Nothing reads it any more; an old qa still running falls
    back to sentence-transformers without it.
    """
    legacy = index_dir / LEGACY_INDEX_SUBDIRECTORY
    if legacy.is_dir():
        log.info("removing %s: every index now uses the export in %s", legacy, cache_dir() / EXPORTS_FOLDER)
        shutil.rmtree(legacy, ignore_errors=True)
