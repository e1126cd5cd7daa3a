"""Turn corpus files into clean, attributed articles: one reader per format, then metadata precedence."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from qa.ingest.add_options import is_options_file, options_path, read_add_options
from qa.ingest.articles import READERS, FileReading, read_article_file
from qa.ingest.feeds import is_feed_file
from qa.ingest.files import file_format
from qa.ingest.metadata import ExplicitMetadata, find_sidecar, is_sidecar
from qa.ingest.records import parse_field_map
from qa.ingest.staging import stage_files
from qa.ingest.walk import Walk, walk_files
from qa.models import Article

__all__ = [
    "ExplicitMetadata",
    "FileReading",
    "Walk",
    "behind_outside_link",
    "corpus_files",
    "corpus_listing",
    "fingerprint",
    "parse_field_map",
    "read_article_file",
    "read_corpus_file",
    "read_file",
    "stage_files",
]

log = logging.getLogger(__name__)

INGEST_VERSION = "10"
"""Bumped whenever reading or cleaning changes, so `qa index` re-reads every file."""
HASH_CHUNK = 1024 * 1024


def corpus_files(corpus_dir: Path, *, follow_symlinks: bool = False) -> list[Path]:
    """Every readable article file under the corpus, in a stable order; sidecars, qa's own and hidden files excluded."""
    return corpus_listing(corpus_dir, follow_symlinks=follow_symlinks).files


def corpus_listing(corpus_dir: Path, *, follow_symlinks: bool = False) -> Walk:
    """The corpus's article files, the links leaving it that were not followed (to a folder, an article file, or
    the sidecar or options file of an article, which is then left out with it), and the folders and article
    files whose name is not UTF-8."""
    if not corpus_dir.is_dir():
        return Walk()
    walk = walk_files(corpus_dir, follow_symlinks=follow_symlinks)
    # A sidecar or `qa add` options file linking out would be read with its article: the article waits.
    metadata_links = {path for path in walk.outside if is_sidecar(path) or is_options_file(path)}
    return Walk(
        files=[
            path
            for path in walk.files
            if _is_article_file(path)
            and not (metadata_links and {find_sidecar(path), options_path(path)} & metadata_links)
        ],
        outside=[
            path
            for path in walk.outside
            if path.is_dir() or _is_article_file(path, sniff=False) or path in metadata_links
        ],
        undecodable=[path for path in walk.undecodable if path.is_dir() or _is_article_file(path)],
    )


def behind_outside_link(path: Path, listing: Walk) -> bool:
    """Whether a corpus path is read only through a link of `listing.outside`: itself, a folder above it, or its
    sidecar or options file (so `qa status` does not call a file indexed with `--follow-symlinks` removed)."""
    if any(path == link or link in path.parents for link in listing.outside):
        return True
    return bool({find_sidecar(path), options_path(path)} & set(listing.outside))


def _is_article_file(path: Path, *, sniff: bool = True) -> bool:
    """`sniff`: whether an `.xml` file may be opened to see if it is a feed (never one behind a link out)."""
    if file_format(path) not in READERS or is_sidecar(path) or is_options_file(path):
        return False
    return file_format(path) != ".xml" or not sniff or is_feed_file(path)


def fingerprint(path: Path) -> str:
    """Changes whenever the file, its sidecar, its `qa add` options or the way we read it changes."""
    digest = hashlib.sha256(INGEST_VERSION.encode())
    _hash_file(digest, path)
    sidecar = find_sidecar(path)
    if sidecar is not None:
        digest.update(b"\0sidecar\0")
        _hash_file(digest, sidecar)
    options = options_path(path)
    if options.is_file():
        digest.update(b"\0options\0")
        _hash_file(digest, options)
    return digest.hexdigest()


def _hash_file(digest, path: Path) -> None:
    """Hash in chunks: a corpus file of any size costs one buffer, not its size in memory."""
    with path.open("rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)


def read_corpus_file(path: Path, *, corpus_dir: Path) -> FileReading:
    """The articles of one corpus file plus its per-record problems; raises a QAError when none is usable."""
    relative = path.relative_to(corpus_dir).as_posix()
    sidecar = find_sidecar(path)
    return read_article_file(
        path,
        origin=relative,
        options=read_add_options(path, origin=relative),
        sidecar_origin=sidecar.relative_to(corpus_dir).as_posix() if sidecar else None,
    )


def read_file(path: Path, *, corpus_dir: Path) -> list[Article]:
    """The good articles of one corpus file (problems with single records are logged)."""
    reading = read_corpus_file(path, corpus_dir=corpus_dir)
    for problem in reading.problems:
        log.warning("%s: %s", path.name, problem)
    return reading.articles
