"""`qa add`: copy files into the corpus and keep their flags next to the copy, so every re-index repeats them.

The options live in `NAME.qa-add.json` beside the copy: not an article file (corpus_files skips
it), but part of the file's fingerprint, so changing a flag re-reads the file.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import IngestError, MetadataError, QAError
from qa.ingest.add_options import AddOptions, is_options_file, options_path, read_add_options
from qa.ingest.articles import read_article_file
from qa.ingest.bounds import MAX_METADATA_SIZE
from qa.ingest.dates import DateOrder
from qa.ingest.feeds import is_feed_file
from qa.ingest.files import BYTE_FORMATS, STREAMED_FORMATS, check_file_size, file_format, read_text_file
from qa.ingest.metadata import (
    ExplicitMetadata,
    find_sidecar,
    is_sidecar,
)
from qa.ingest.records import check_field_map
from qa.ingest.walk import is_within, shown_name, walk_files

log = logging.getLogger(__name__)

UNDECODABLE_NAME = "its name is not valid UTF-8, which the index cannot store: not copied (give it a UTF-8 name)"
_READ_FORMATS = "use .txt, .md, .html, .json, .jsonl, .csv, .rss, .atom, .xml (a feed) or .warc (optionally .gz)"
NO_HARD_LINKS = frozenset({errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK})
"""What `os.link` fails with on file systems without hard links (FAT, some network shares)."""


@dataclass
class RefusedFile:
    """A file `qa add` left where it was, and why."""

    path: Path
    """Where it was found (as given, not in the corpus)."""
    reason: str


@dataclass
class StagedFiles:
    """What one `qa add` put into the corpus and what it left out."""

    copied: list[Path] = field(default_factory=list)
    """Corpus paths of the files added (or already there with the same bytes)."""
    refused: list[RefusedFile] = field(default_factory=list)
    """Files not copied: unreadable as an article, or reached through a link out of the folder given."""


def stage_files(
    paths: Sequence[Path],
    corpus_dir: Path,
    *,
    overrides: ExplicitMetadata | None = None,
    field_map: dict[str, str] | None = None,
    date_order: DateOrder | None = None,
    follow_symlinks: bool = False,
) -> StagedFiles:
    """Copy files (folders: every article file in them) into the corpus; returns where they went and what was refused.

    A file already in the corpus is not copied again; a different file with a taken name gets a
    free name (`story-2.txt`), claimed without ever replacing a file, so several `qa add` at once
    lose nothing. Flags and mapping are stored beside each copy; re-adding a file keeps its stored
    flags unless new ones are given, field by field. Sidecars travel along. A file that cannot be
    read as text (binary, empty, undecodable) is refused and left where it was, and so is a link
    leaving a folder given (unless `follow_symlinks`).
    """
    given = AddOptions(
        overrides=overrides.model_dump(exclude_defaults=True, mode="json") if overrides else {},
        field_map=check_field_map(field_map or {}),
        date_order=date_order,
    )
    corpus_dir.mkdir(parents=True, exist_ok=True)
    result = StagedFiles()
    found, result.refused = _expand(paths, follow_symlinks=follow_symlinks)
    for source, relative in found:
        destination = corpus_dir / relative
        sidecar = find_sidecar(source)
        try:
            reason = _refusal(source, destination, corpus_dir, follow_symlinks=follow_symlinks)
            if reason is None:
                data = source.read_bytes()
                earlier = _stored_options(destination) if _holds(destination, data) else AddOptions()
                reason = _unreadable(source, earlier.updated_with(given))
            if reason is None and sidecar is not None:
                sidecar_data = _read_sidecar_bytes(sidecar)
        except OSError as error:
            reason = f"cannot be read ({error.strerror or error})"
        except MetadataError as error:
            reason = str(error)
        if reason is not None:
            result.refused.append(RefusedFile(source, reason))
            continue
        target, fresh = _place(source, data, destination)
        _store_options(target, given if fresh else _stored_options(target).updated_with(given))
        if sidecar is not None:
            suffix = sidecar.name[len(source.name.split(".", 1)[0]) :]
            sidecar_target = target.with_name(target.name.split(".", 1)[0] + suffix)
            if not _holds(sidecar_target, sidecar_data):
                _write_atomically(sidecar_target, sidecar_data)
        result.copied.append(target)
    return result


def _refusal(source: Path, destination: Path, corpus_dir: Path, *, follow_symlinks: bool) -> str | None:
    """Why `source` must not be copied to `destination`, or None."""
    try:
        if file_format(source) in BYTE_FORMATS + STREAMED_FORMATS:  # its reader decodes it as it streams, in bounds
            check_file_size(source, str(source))
        else:
            read_text_file(source, str(source))  # bounded: a huge or binary file is refused before it is read whole
    except IngestError as error:
        return str(error).removeprefix(f"{source}: ")
    if not is_within(os.path.realpath(destination.parent), os.path.realpath(corpus_dir)):
        return f"{destination.parent} is a link out of the corpus: not copied there"
    sidecar = find_sidecar(source)
    if sidecar is not None and not follow_symlinks and _leaves_folder(sidecar):
        return (
            f"its sidecar {sidecar.name} is a link to {os.path.realpath(sidecar)}: not copied "
            "(copy the sidecar itself, or use --follow-symlinks)"
        )
    return None


def _unreadable(source: Path, options: AddOptions) -> str | None:
    """Why `qa index` would skip `source` read with these options (so it must not enter the corpus), or None.

    The very reader `qa index` uses, under the same bounds: an alias bomb, invalid JSON, a JSONL file
    of bad lines only or a broken sidecar is refused here rather than skipped on every later index.
    """

    try:
        sidecar = find_sidecar(source)
        sidecar_origin = f"its sidecar {sidecar.name}" if sidecar else None
        read_article_file(source, origin=str(source), options=options, sidecar_origin=sidecar_origin)
    except QAError as error:
        return str(error).removeprefix(f"{source}: ")
    except Exception as error:  # noqa: BLE001 - as in a build: any reader failure refuses one file, never the add
        log.debug("reading %s failed", source, exc_info=True)
        return f"could not be read ({type(error).__name__}); qa left it out: please report this with the file"
    return None


def _read_sidecar_bytes(sidecar: Path) -> bytes:
    """The sidecar's bytes, read once and bounded: a sidecar is a few fields, never worth copying whole when huge."""
    with sidecar.open("rb") as file:
        data = file.read(MAX_METADATA_SIZE + 1)
    if len(data) > MAX_METADATA_SIZE:
        raise MetadataError(
            f"its sidecar {sidecar.name} is over {MAX_METADATA_SIZE // 1024} KB; a sidecar holds a few fields"
        )
    return data


def _leaves_folder(path: Path) -> bool:
    """Whether `path` is a link leading out of the folder it is in."""
    return path.is_symlink() and not is_within(os.path.realpath(path), os.path.realpath(path.parent))


def _stored_options(target: Path) -> AddOptions:
    """The options kept for a file already in the corpus; unreadable ones are replaced (their error says to re-add)."""
    try:
        return read_add_options(target, origin=target.name)
    except MetadataError as error:
        log.warning("%s; replacing them with the flags given now", error)
        return AddOptions()


def _store_options(target: Path, options: AddOptions) -> None:
    stored = options_path(target)
    if options == AddOptions():
        stored.unlink(missing_ok=True)
        return
    data = options.model_dump_json(indent=2).encode()
    if not _holds(stored, data):
        _write_atomically(stored, data)


def _expand(paths: Sequence[Path], *, follow_symlinks: bool) -> tuple[list[tuple[Path, Path]], list[RefusedFile]]:
    """(file, where it goes relative to the corpus) for every file to stage, and the links refused.

    A path that is missing or not an article file raises IngestError.
    """
    found, refused = [], []
    for path in paths:
        if path.is_dir():
            walk = walk_files(path, follow_symlinks=follow_symlinks)
            files = [p for p in walk.files if file_format(p) and not is_sidecar(p) and not is_options_file(p)]
            files = [p for p in files if file_format(p) != ".xml" or is_feed_file(p)]  # not a sitemap
            found += [(p, Path(path.resolve().name) / p.relative_to(path)) for p in files]
            refused += [
                RefusedFile(p, f"a link to {os.path.realpath(p)}, outside {path}: not copied "
                            "(add the target itself, or use --follow-symlinks)")
                for p in walk.outside
            ]  # fmt: skip
            refused += [RefusedFile(p, UNDECODABLE_NAME) for p in walk.undecodable if p.is_dir() or file_format(p)]
            if not files and not walk.outside and not walk.undecodable:  # else `qa add` said nothing and exited 0
                refused.append(RefusedFile(path, f"holds no article file qa reads; {_READ_FORMATS}"))
        elif path.is_file():
            if file_format(path) is None or is_sidecar(path):  # skipped, not an error: the other files still go in
                refused.append(RefusedFile(path, f"not an article file qa reads; {_READ_FORMATS}"))
                continue
            if shown_name(path.name) != path.name:
                refused.append(RefusedFile(path, UNDECODABLE_NAME))
                continue
            found.append((path, Path(path.name)))
        else:
            raise IngestError(f"{path}: no such file or folder; check the path")
    return found, refused


def _place(source: Path, data: bytes, target: Path) -> tuple[Path, bool]:
    """Where `data` now is: `target`, or a free variant of it when a different file has that name; True if new.

    A name is claimed with a hard link of a complete hidden copy, which fails when the name is
    taken: another `qa add` at the same moment can never be overwritten, nor see half a file.
    """
    if source.resolve() == target.resolve():
        return target, False
    temporary = _hidden_copy(target.parent, data)
    candidate, number = target, 1
    try:
        while True:
            if _claim(temporary, candidate, data):
                return candidate, True
            if _holds(candidate, data):
                return candidate, False
            number += 1
            stem, _, suffixes = target.name.partition(".")
            candidate = target.with_name(f"{stem}-{number}.{suffixes}" if suffixes else f"{stem}-{number}")
    finally:
        temporary.unlink(missing_ok=True)


def _claim(temporary: Path, candidate: Path, data: bytes) -> bool:
    """Give `candidate` the bytes of `temporary` unless the name is taken; False when it is."""
    try:
        os.link(temporary, candidate)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in NO_HARD_LINKS:
            raise
        try:  # a file system without hard links: exclusive create, written in place
            with candidate.open("xb") as file:
                file.write(data)
        except FileExistsError:
            return False
    return True


def _holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file (not a link, which could lead anywhere) with exactly these bytes."""
    try:
        info = path.lstat()
        return stat.S_ISREG(info.st_mode) and info.st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _hidden_copy(folder: Path, data: bytes) -> Path:
    """`data` in a new file of a unique hidden name in `folder` (hidden: no corpus walk lists it). Created as any
    file is, under the umask (`tempfile.mkstemp` makes it 0600: a shared corpus's copies unreadable by the others)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f".{secrets.token_hex(16)}.partial"
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` whole: written to a unique hidden name first, so two writers never share a temporary file."""
    os.replace(_hidden_copy(path.parent, data), path)
