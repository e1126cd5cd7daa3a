"""One file to articles: the reader of its format, then cleaning, wire credits and metadata precedence per article.

Used by the corpus walk (`read_corpus_file`) and by `qa add`, which reads a file this way before copying it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import IngestError, TruncatedError
from qa.ingest.add_options import AddOptions
from qa.ingest.boilerplate import clean_carried_text
from qa.ingest.bounds import Problems
from qa.ingest.document import Document, Reading
from qa.ingest.feeds import read_feed
from qa.ingest.files import BYTE_FORMATS, STREAMED_FORMATS, bounded_bytes, file_format, read_text_file, record_lines
from qa.ingest.html import read_html
from qa.ingest.metadata import Candidate, attribute, find_sidecar, read_sidecar, wire_candidates
from qa.ingest.records import read_csv, read_json, read_jsonl
from qa.ingest.syndication import list_copy
from qa.ingest.text import read_text
from qa.ingest.warc import read_warc
from qa.models import Article

CLEANED_BY_READER = (*STREAMED_FORMATS, ".json", ".txt", ".md", ".markdown")
"""Formats whose reader cleans its own text; the text of a page, a feed item or an archived page is cleaned in
`_collect`."""

Reader = Callable[..., Reading]
READERS: dict[str, Reader] = {
    ".txt": read_text,
    ".md": read_text,
    ".markdown": read_text,
    ".html": read_html,
    ".htm": read_html,
    ".json": read_json,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
    ".csv": read_csv,
    ".rss": read_feed,
    ".atom": read_feed,
    ".xml": read_feed,
    ".warc": read_warc,
}


@dataclass
class FileReading:
    """What one corpus file yielded: its good articles, and one line per problem with the rest."""

    articles: list[Article] = field(default_factory=list)
    places: dict[str, str] = field(default_factory=dict)
    """doc_id → the record or line it was read from (`line 12`), for files of many articles."""
    problems: list[str] = field(default_factory=list)
    """Each names the record or line (not the file), what is wrong and what to do; a repeated problem is one
    line that counts the others, so a file of ten million bad records costs a few lines."""
    problem_count: int = 0
    """Every problem, the repeats counted in `problems` included."""


def read_article_file(
    path: Path, *, origin: str, options: AddOptions, sidecar_origin: str | None = None
) -> FileReading:
    """What `read_corpus_file` makes of a file anywhere (`qa add` tries one before copying it), told its `qa add`
    options; problems are named by `origin`, its sidecar's by `sidecar_origin`."""
    reader = READERS.get(file_format(path) or "")
    if reader is None:
        raise IngestError(f"{origin}: unsupported file type {path.suffix!r}")
    explicit = options.candidates(f"{origin}: qa add flags")
    date_order = options.date_order
    sidecar = find_sidecar(path)
    sidecar_problems: list[tuple[str, str]] = []
    if sidecar is not None:
        sidecar_origin = sidecar_origin or str(sidecar)
        found = read_sidecar(sidecar, origin=sidecar_origin)
        explicit += found.candidates
        date_order = date_order or found.date_order
        sidecar_problems = [(sidecar_origin, line) for line in found.problems]
    carried = file_format(path) not in CLEANED_BY_READER
    if file_format(path) in STREAMED_FORMATS:  # line by line: the file stays open while its records are read
        with record_lines(path, origin) as lines:
            reading = reader(lines, origin=origin, field_map=options.field_map, date_order=date_order)
            result = _collect(reading, explicit, sidecar_problems, origin, carried=carried)
    elif file_format(path) in BYTE_FORMATS:  # feeds and archives decode their own parts
        with bounded_bytes(path, origin) as stream:
            reading = reader(stream, origin=origin, field_map=options.field_map, date_order=date_order)
            result = _collect(reading, explicit, sidecar_problems, origin, carried=carried)
    else:
        decoding: list[str] = []
        text = read_text_file(path, origin, decoding)
        reading = reader(text, origin=origin, field_map=options.field_map, date_order=date_order)
        outside = sidecar_problems + [("", line) for line in decoding]
        result = _collect(reading, explicit, outside, origin, carried=carried)
    if not result.articles:
        raise IngestError(f"{origin}: {_nothing_usable(result.problems, result.problem_count)}")
    return result


def _collect(
    reading: Reading,
    explicit: list[Candidate],
    sidecar_problems: list[tuple[str, str]],
    origin: str,
    *,
    carried: bool = False,
) -> FileReading:
    """Attribute each document the reader makes, one at a time; the same text twice is kept once. `carried`: the
    text is an extractor's (a page), so the carrier's credit and promo lines go, the agency they credit stays."""
    problems: Problems = reading.problems
    for where, problem in sidecar_problems:
        problems.add(where, problem)
    result = FileReading()
    first_seen: dict[str, tuple[str, Article]] = {}
    documents = 0
    for document in _until_cut(reading.documents, problems):
        documents += 1
        where = document.where or origin
        if not document.text.strip():
            problems.add(where, "no article text found; add the text or remove it")
            continue
        text, candidates = document.text, document.candidates
        if carried:
            candidates = candidates + wire_candidates(text, origin=where)
            text = clean_carried_text(text)
        doc_id = content_id(text)
        values, provenance = attribute(explicit + candidates)
        article = Article(doc_id=doc_id, text=text, source_path=origin, provenance=provenance, **values)
        if doc_id in first_seen:  # the same text again: listed as another outlet's copy, or a plain repeat
            first_where, original = first_seen[doc_id]
            if not list_copy(original, article):
                problems.add(where, f"same text and metadata as {first_where}; kept once")
            continue
        first_seen[doc_id] = (where, article)
        result.articles.append(article)
        if document.where:
            result.places[doc_id] = document.where
    if documents == 1:  # a file of one article needs no place within it
        result.places.clear()
    result.problems, result.problem_count = problems.lines(), len(problems)
    return result


def _until_cut(documents: Iterable[Document], problems: Problems) -> Iterator[Document]:
    """The documents of a streamed file up to where its gzip data ends early; the cut is one problem line."""
    try:
        yield from documents
    except TruncatedError as error:
        problems.add(None, error.reason)


def _nothing_usable(problems: list[str], count: int) -> str:
    if not problems:
        return "no article text found; add the text or remove the file"
    if count == 1:
        return problems[0]
    return f"no usable article; {count:,} problems, the first: {problems[0]}"


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
