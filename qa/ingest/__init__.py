"""Turn corpus files into clean, attributed articles: one reader per format, then metadata precedence."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from qa.errors import IngestError
from qa.ingest.document import Document
from qa.ingest.metadata import Candidate, find_sidecar, is_sidecar, resolve, sidecar_candidates
from qa.ingest.text import read_text
from qa.models import Article

INGEST_VERSION = "1"
"""Bumped whenever reading or cleaning changes, so `qa index` re-reads every file."""

Reader = Callable[..., list[Document]]
READERS: dict[str, Reader] = {".txt": read_text, ".md": read_text, ".markdown": read_text}


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every readable article file under the corpus, in a stable order; sidecars and hidden files excluded."""
    if not corpus_dir.is_dir():
        return []
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file()
        and path.suffix.lower() in READERS
        and not is_sidecar(path)
        and not any(part.startswith(".") for part in path.relative_to(corpus_dir).parts)
    )


def fingerprint(path: Path) -> str:
    """Changes whenever the file, its sidecar or the way we read it changes."""
    digest = hashlib.sha256(INGEST_VERSION.encode())
    digest.update(path.read_bytes())
    sidecar = find_sidecar(path)
    if sidecar is not None:
        digest.update(b"\0sidecar\0" + sidecar.read_bytes())
    return digest.hexdigest()


@dataclass
class FileReading:
    """What one corpus file yielded: its good articles, and one line per problem with the rest."""

    articles: list[Article] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Each names the record or line (not the file), what is wrong and what to do."""


def read_corpus_file(path: Path, *, corpus_dir: Path) -> FileReading:
    """The articles of one corpus file plus its per-record problems; raises a QAError when none is usable."""
    return FileReading(articles=read_file(path, corpus_dir=corpus_dir))


def read_file(path: Path, *, corpus_dir: Path) -> list[Article]:
    """The articles in one corpus file; raises a QAError saying why a file cannot be used."""
    relative = path.relative_to(corpus_dir).as_posix()
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise IngestError(f"{relative}: unsupported file type {path.suffix!r}")
    sidecar = find_sidecar(path)
    explicit: list[Candidate] = []
    if sidecar is not None:
        explicit = sidecar_candidates(sidecar, origin=sidecar.relative_to(corpus_dir).as_posix())
    documents = reader(_decode(path, relative), origin=relative)
    articles = []
    for document in documents:
        if not document.text.strip():
            raise IngestError(f"{relative}: no article text found")
        values, provenance = resolve(explicit + document.candidates)
        articles.append(
            Article(
                doc_id=content_id(document.text),
                text=document.text,
                source_path=relative,
                provenance=provenance,
                **values,
            )
        )
    return articles


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _decode(path: Path, relative: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise IngestError(f"{relative}: not a text file (no known encoding fits)") from None
        return str(best)
