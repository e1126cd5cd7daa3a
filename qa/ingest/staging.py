"""`qa add`: copy files into the corpus and keep their flags next to the copy, so every re-index repeats them.

The options live in `NAME.qa-add.json` beside the copy: not an article file (corpus_files skips
it), but part of the file's fingerprint, so changing a flag re-reads the file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from qa.errors import IngestError, MetadataError
from qa.ingest.dates import DateOrder
from qa.ingest.files import file_format
from qa.ingest.metadata import Candidate, ExplicitMetadata, explicit_candidates, find_sidecar, is_sidecar
from qa.ingest.records import check_field_map
from qa.models import MetadataSource

ADD_OPTIONS_SUFFIX = ".qa-add.json"


class AddOptions(BaseModel):
    """What `qa add` was told about a file."""

    model_config = ConfigDict(extra="forbid")

    overrides: dict[str, Any] = Field(default_factory=dict)
    """`--outlet`, `--date`, `--url`, `--title` values (as ExplicitMetadata fields)."""
    field_map: dict[str, str] = Field(default_factory=dict)
    """`--map` entries: our field name -> dotted path in the file's records."""
    date_order: DateOrder | None = None
    """`--date-order`: how to read the file's numeric dates such as 03/04/2024 (DMY or MDY)."""

    def candidates(self, origin: str) -> list[Candidate]:
        if not self.overrides:
            return []
        return explicit_candidates(self.overrides, origin=origin, source=MetadataSource.FLAG)


def options_path(path: Path) -> Path:
    return path.with_name(path.name + ADD_OPTIONS_SUFFIX)


def is_options_file(path: Path) -> bool:
    return path.name.endswith(ADD_OPTIONS_SUFFIX)


def read_add_options(path: Path, *, origin: str) -> AddOptions:
    """The options stored for `path` by `qa add`, or none."""
    stored = options_path(path)
    if not stored.is_file():
        return AddOptions()
    try:
        return AddOptions.model_validate_json(stored.read_bytes())
    except (OSError, ValidationError) as error:
        raise MetadataError(
            f"{origin}{ADD_OPTIONS_SUFFIX}: cannot be read ({type(error).__name__}); run `qa add` for the file again"
        ) from None


def stage_files(
    paths: Sequence[Path],
    corpus_dir: Path,
    *,
    overrides: ExplicitMetadata | None = None,
    field_map: dict[str, str] | None = None,
    date_order: DateOrder | None = None,
) -> list[Path]:
    """Copy files (folders: every readable file in them) into the corpus; returns the corpus paths.

    A file already in the corpus is not copied again; a different file with a taken name gets a
    free name (`story-2.txt`). Flags and mapping are stored beside each copy. Sidecars travel along.
    """
    options = AddOptions(
        overrides=overrides.model_dump(exclude_defaults=True, mode="json") if overrides else {},
        field_map=check_field_map(field_map or {}),
        date_order=date_order,
    )
    corpus_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source, relative in _expand(paths):
        target = _place(source, corpus_dir / relative)
        if options.overrides or options.field_map or options.date_order:
            _write_atomically(options_path(target), options.model_dump_json(indent=2).encode())
        else:
            options_path(target).unlink(missing_ok=True)
        sidecar = find_sidecar(source)
        if sidecar is not None:
            suffix = sidecar.name[len(source.name.split(".", 1)[0]) :]
            sidecar_target = target.with_name(target.name.split(".", 1)[0] + suffix)
            if not sidecar_target.exists() or sidecar_target.read_bytes() != sidecar.read_bytes():
                _write_atomically(sidecar_target, sidecar.read_bytes())
        if source.resolve() != target.resolve():
            if not target.exists():
                _write_atomically(target, source.read_bytes())
        written.append(target)
    return written


def _expand(paths: Sequence[Path]) -> list[tuple[Path, Path]]:
    """(file, where it goes relative to the corpus) for every file to stage; IngestError for bad paths."""
    found = []
    for path in paths:
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*")
                if p.is_file() and file_format(p) and not is_sidecar(p) and not is_options_file(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )  # fmt: skip
            found += [(p, Path(path.resolve().name) / p.relative_to(path)) for p in files]
        elif path.is_file():
            if file_format(path) is None or is_sidecar(path):
                raise IngestError(
                    f"{path}: not an article file qa reads; "
                    "use .txt, .md, .html, .json, .jsonl or .csv (optionally .gz)"
                )
            found.append((path, Path(path.name)))
        else:
            raise IngestError(f"{path}: no such file or folder; check the path")
    return found


def _place(source: Path, target: Path) -> Path:
    """`target`, or a free variant of it when a different file already has that name."""
    if source.resolve() == target.resolve():
        return target
    candidate, number = target, 1
    data = source.read_bytes()
    while candidate.exists() and candidate.read_bytes() != data:
        number += 1
        stem, _, suffixes = target.name.partition(".")
        candidate = target.with_name(f"{stem}-{number}.{suffixes}" if suffixes else f"{stem}-{number}")
    return candidate


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
