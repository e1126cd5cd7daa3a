"""Reader for web archives (`.warc`, `.warc.gz`): each saved HTML page is read like any saved page.

A response record with status 200 and an HTML body goes through the HTML reader; its address is the
record's WARC-Target-URI (the page's own canonical link, when it gives one, is preferred). The crawl
date (WARC-Date) says when the page was saved, never when it was published: it only rules out a
publication date after it. Requests, metadata, images, redirects and revisits are skipped, counted in
the log. The archive is read through the same bounded stream as any record file (size, gzip bombs),
and a page over MAX_PAGE_BYTES is skipped; a truncated archive keeps every page before the cut.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from qa.errors import IngestError
from qa.ingest.bounds import MAX_BAD_RECORDS, MAX_PAGE_BYTES, Problems
from qa.ingest.dates import DateOrder
from qa.ingest.document import Document, Reading
from qa.ingest.files import decode_text
from qa.ingest.html import read_html
from qa.ingest.metadata import Candidate, shorten
from qa.models import FieldProvenance, MetadataSource

log = logging.getLogger(__name__)

TARGET_URI_CONFIDENCE = 0.85
"""Where the page was fetched from: its address for certain, but the page's canonical link is the cleaner one."""
CRAWL_SLACK = dt.timedelta(days=1)
"""A page's date may read a day after the crawl's UTC date where the page's zone is ahead of UTC."""
MAX_HEADER_LINE = 1024 * 1024
"""The longest WARC or HTTP header line read (real ones are under 64 kB); a longer one is read in pieces, so a
gigabyte without a newline (zeros in a gzip bomb) is a bad header, not minutes of copying."""
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_SHOWN_URI = 100


def read_warc(
    raw: io.BufferedReader, *, origin: str, field_map: dict[str, str] | None = None, date_order: DateOrder | None = None
) -> Reading:
    """The archive's HTML pages as documents, made one at a time as the caller takes them."""
    from warcio.exceptions import ArchiveLoadFailed
    from warcio.statusandheaders import StatusAndHeadersParserException

    damaged = (ArchiveLoadFailed, StatusAndHeadersParserException, *_WARC_ERRORS)
    problems = Problems()
    if not raw.peek(1):
        raise IngestError(f"{origin}: the file is empty; add the web archive or remove the file")

    def documents() -> Iterator[Document]:
        records = _quiet_records(raw)
        number, good, bad, other = 0, 0, 0, 0
        stopped = False
        while True:
            where = f"record {number + 1}"
            try:
                record = next(records, None)
                if record is None:  # warcio stops quietly at a header cut short: bytes past the last record's end
                    if records.offset < records.fh.tell():
                        problems.add(where, "the archive ends inside this record (truncated?): left out")
                    break
                number += 1
                where = _where(record, number)
                page = _page(record)
            except (IngestError, _Damaged, *damaged) as error:  # the pages before it stay
                problems.add(where, _stop_reason(error, origin))
                stopped = True
                break
            if page is None:
                other += 1
                continue
            if isinstance(page, str):
                problems.add(where, page)
                bad += 1
                continue
            document = _document(page, where, origin, problems, date_order)
            if document is None:
                bad += 1
                if bad >= MAX_BAD_RECORDS and bad > good:
                    problems.add(
                        where, f"reading stopped here: over {MAX_BAD_RECORDS:,} bad pages, more than good ones"
                    )
                    break
                continue
            good += 1
            yield document
        if good == bad == 0 and not stopped:
            kinds = f"{number:,} records, none a saved HTML page" if number else "no WARC records"
            problems.add(None, f"holds {kinds}; is it a web archive of pages?")
        if records.err_count:
            problems.add(None, f"{records.err_count:,} records not followed by a blank line (a wrong Content-Length?)")
        log.info("%s: %d pages read, %d unreadable, %d other records skipped", origin, good, bad, other)

    return Reading(documents(), problems)


def _quiet_records(raw: io.BufferedReader) -> Any:
    """warcio's record iterator, without the warning it writes to stderr itself for a record not followed by a
    blank line: a library prints nothing; the count (`err_count`) becomes a problem line instead."""
    from warcio.archiveiterator import ArchiveIterator

    class QuietIterator(ArchiveIterator):
        INC_RECORD = ""

    records = QuietIterator(_EachRead(raw))
    read_line = records.reader.readline  # grows a line by concatenation: quadratic on megabytes without a newline

    def bounded_line(length: int | None = None) -> bytes:
        return read_line(min(length or MAX_HEADER_LINE, MAX_HEADER_LINE))

    records.reader.readline = bounded_line
    return records


@dataclass
class _EachRead:
    """A stream whose `read(n)` returns what one read of the file gives: warcio reads blocks of 16 kB, and a
    buffered `read(n)` that must fill the block would lose the pages before a truncated gzip file's end."""

    stream: io.BufferedReader

    def read(self, size: int = -1) -> bytes:
        return self.stream.read1(size)


_WARC_ERRORS: tuple[type[Exception], ...] = (ValueError, EOFError, AttributeError)
"""What warcio raises on a damaged archive besides its own errors: a header cut short ends in an
AttributeError on None inside it, a bad length in a ValueError."""


@dataclass
class _Page:
    """One HTML response taken from the archive."""

    uri: str
    crawled: dt.datetime | None
    """WARC-Date: when the page was saved."""
    html: str


class _Damaged(Exception):
    """A record that cannot be a WARC record: reading stops here; the message says why."""


def _where(record: Any, number: int) -> str:
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    return f"record {number} ({shorten(uri, _SHOWN_URI)})" if uri else f"record {number}"


def _page(record: Any) -> _Page | str | None:
    """The page of an HTML response; a problem for one that cannot be used; None for another kind of record,
    which is no article (requests, images, redirects, revisits, metadata). _Damaged for a broken record."""
    if record.format != "warc":
        raise _Damaged("not a WARC record (an ARC file, or not a web archive?)")
    if not (record.rec_headers.get_header("Content-Length") or "").strip().isdigit():
        raise _Damaged("the archive ends inside this record's header, or it has no Content-Length (truncated?)")
    http = record.http_headers
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower() if http else ""
    if (
        record.rec_type != "response"
        or http is None
        or http.get_statuscode() != "200"
        or content_type not in _HTML_TYPES
    ):
        return "the archive ends inside this record (truncated?)" if _cut_short(record) else None
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    body = record.content_stream().read(MAX_PAGE_BYTES + 1)
    if len(body) > MAX_PAGE_BYTES:
        return f"the page is over {MAX_PAGE_BYTES // (1024 * 1024)} MB, more than an article; skipped"
    if _cut_short(record):
        return "the archive ends inside this record (truncated?): left out"
    try:
        html = _decode(body, http.get_header("Content-Type") or "", uri)
    except IngestError as error:
        return str(error).removeprefix(f"{uri}: ")
    return _Page(uri, _crawl_time(record.rec_headers.get_header("WARC-Date")), html)


def _cut_short(record: Any) -> bool:
    """Whether the record's block ends before its Content-Length: the file was cut inside it."""
    stream = record.raw_stream
    while stream.read(64 * 1024):  # what the page's decoding left unread (a gzip trailer, chunk ends)
        pass
    return getattr(stream, "limit", 0) > 0


def _decode(body: bytes, content_type: str, where: str) -> str:
    """The page's text in the charset its HTTP header names, else as any saved page is decoded."""
    charset = next(
        (part.split("=", 1)[1].strip(" \"'") for part in content_type.split(";")[1:] if "charset=" in part.lower()),
        None,
    )
    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_text(body, where)


def _stop_reason(error: Exception, origin: str) -> str:
    """Why reading stopped: a broken or truncated gzip stream or a bomb (IngestError), a record that cannot be one
    (_Damaged), or what warcio could not parse."""
    if isinstance(error, IngestError):
        return f"{str(error).removeprefix(f'{origin}: ')} (reading stopped here)"
    if isinstance(error, _Damaged):
        return f"{error}: reading stopped here"
    reason = shorten(" ".join(str(error).split()) or type(error).__name__, 80)
    return f"not a readable WARC record ({reason}; truncated?): reading stopped here"


def _crawl_time(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _document(
    page: _Page, where: str, origin: str, problems: Problems, date_order: DateOrder | None
) -> Document | None:
    """The page read by the HTML reader, with the record's address; None (with a problem) when it has no body."""
    try:
        target = page.uri if page.uri.startswith(("http://", "https://")) else None
        reading = read_html(page.html, origin=f"{origin}, {where}", date_order=date_order, url=target)
    except IngestError as error:
        problems.add(where, str(error).removeprefix(f"{origin}, {where}: "))
        return None
    for line in reading.problems.lines():
        problems.add(where, line)
    document = next(iter(reading.documents))
    candidates = _before_crawl(document.candidates, page.crawled, where, problems)
    if page.uri.startswith(("http://", "https://")):
        provenance = FieldProvenance(
            source=MetadataSource.PAGE,
            detail=f"{origin}, {where}: WARC-Target-URI",
            confidence=TARGET_URI_CONFIDENCE,
        )
        candidates.append(Candidate("url", page.uri, provenance))
    return Document(text=document.text, candidates=candidates, where=where)


def _before_crawl(
    candidates: list[Candidate], crawled: dt.datetime | None, where: str, problems: Problems
) -> list[Candidate]:
    """The candidates without publication dates after the page was archived, which no page can have."""
    if crawled is None:
        return candidates
    latest = (crawled + CRAWL_SLACK).date()
    kept = []
    for candidate in candidates:
        if candidate.field == "published" and candidate.value > latest:
            problem = f"date {candidate.value} is after the page was archived ({crawled.date()}); left out"
            problems.add(where, problem)
            continue
        if candidate.field == "published_at" and candidate.value is not None and candidate.value.date() > latest:
            continue
        kept.append(candidate)
    return kept
