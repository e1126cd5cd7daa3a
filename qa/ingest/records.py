"""Readers for exports from news APIs and scrapers: JSON, JSONL and CSV, one article per record.

Fields are found by their common names (`headline`, `body`, `publisher`, `pubDate`, `link`, ...),
compared without case or punctuation; a field map (`text=body,outlet=source.name`) overrides
them with dotted paths into nested records. A bad record is reported on one line naming it and
skipped; the others are still read.
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from qa.dates import DATE_ORDER_KEY
from qa.errors import IngestError, UsageError
from qa.ingest.boilerplate import clean_carried_text
from qa.ingest.bounds import MAX_BAD_RECORDS, MAX_LINE_CHARS, Problems, ValueRefusedError, load_json
from qa.ingest.dates import DateOrder, NewsDate, read_news_date
from qa.ingest.document import Document, Reading
from qa.ingest.heuristics import text_candidates
from qa.ingest.metadata import Candidate, shorten, wire_candidates
from qa.ingest.outlets import outlet_for_url
from qa.models import FieldProvenance, MetadataSource

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading"),
    "text": ("text", "content", "body", "article", "articletext", "articlebody", "fulltext", "maintext"),
    "outlet": ("outlet", "source", "publisher", "sitename", "publication", "sourcename", "newssource", "site"),
    "published": (
        "date", "published", "publishdate", "publisheddate", "pubdate", "datetime", "publishedat",
        "datepublished", "datepublish", "publicationdate", "timestamp", "createdat",
    ),
    "url": ("url", "link", "href", "canonicalurl", "permalink", "weburl", "articleurl", "sourceurl"),
    "author": ("author", "authors", "byline", "creator", "writer", "writers"),
}  # fmt: skip
"""For each field we fill, the record keys that mean it, normalized (lower case, letters and digits)."""
SUMMARY_NAMES = ("description", "shortdescription", "summary", "abstract", "lead", "snippet", "excerpt")
"""Where the text is when a record has no full text (headline-and-summary feeds such as HuffPost's)."""
CONTAINER_NAMES = ("articles", "items", "data", "results", "records", "entries", "docs", "news", "stories")
"""A JSON object holding a list of articles under one of these keys is a collection, not an article."""
MAP_TARGETS = (*FIELD_NAMES, "date")
_LONG = f"{MAX_LINE_CHARS // (1024 * 1024)} MB"
_SNIFF_CHARS = 8192
"""Text the CSV sniffer sees to find the delimiter."""
_END = object()
_HTML_ELEMENTS = (
    "a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption cite code col "
    "colgroup data dd del details dfn dialog div dl dt em embed fieldset figcaption figure font footer form h1 h2 h3 "
    "h4 h5 h6 head header hr html i iframe img input ins kbd label legend li link main map mark meta nav noscript "
    "object ol optgroup option output p param picture pre q s samp script section select small source span strike "
    "strong style sub summary sup table tbody td template textarea tfoot th thead time title tr track tt u ul var "
    "video wbr"
).split()
_ELEMENT_NAMES = "|".join(_HTML_ELEMENTS)
HTML_TAG = re.compile(rf"<!--.*?-->|</?(?:{_ELEMENT_NAMES})(?=[\s/>])[^<>]*>", re.I | re.S)
"""Markup in a record field: the tags of HTML elements and comments, nothing else. Text in angle brackets
that is no element stays: Reuters writes unlisted companies as `<DataBank Systems Ltd>`."""
_PARAGRAPH_TAG = re.compile(r"<\s*(br|/p|/div|/h\d|/li)\s*/?\s*>", re.I)


class _Skip(Exception):
    """This record cannot be used; the message says why and what to do."""


def parse_field_map(spec: str) -> dict[str, str]:
    """`"text=body,outlet=source.name"` -> `{"text": "body", "outlet": "source.name"}`; UsageError on typos."""
    mapping = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        target, sep, path = (x.strip() for x in part.partition("="))
        if not sep or not target or not path:
            raise UsageError(f"--map {part!r}: write FIELD=PATH, e.g. text=body or outlet=source.name")
        mapping[target] = path
    return check_field_map(mapping)


def check_field_map(mapping: dict[str, str]) -> dict[str, str]:
    """The mapping with `date` spelled `published`; UsageError naming any field qa does not fill."""
    unknown = sorted(set(mapping) - set(MAP_TARGETS))
    if unknown:
        raise UsageError(f"--map names unknown field(s) {', '.join(unknown)}; use {', '.join(MAP_TARGETS)}")
    return {("published" if target == "date" else target): path for target, path in mapping.items()}


def read_json(
    raw: str, *, origin: str, field_map: dict[str, str] | None = None, date_order: DateOrder | None = None
) -> Reading:
    try:
        data = load_json(raw)
    except ValueRefusedError as error:
        raise IngestError(f"{origin}: {error}; fix the file") from None
    except json.JSONDecodeError as error:
        raise IngestError(
            f"{origin}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
            "fix the file, or save one article per line as .jsonl"
        ) from None
    if isinstance(data, dict):
        inner = next((data[k] for k in data if _norm(k) in CONTAINER_NAMES and _is_records(data[k])), None)
        records = inner if inner is not None else [data]
    elif isinstance(data, list):
        records = data
    else:
        raise IngestError(f"{origin}: holds a JSON {type(data).__name__}; expected an article object or a list of them")
    single = len(records) == 1 and records[0] is data
    numbered = (("the object" if single else f"record {n}", record) for n, record in enumerate(records, 1))
    return _read_records(numbered, origin, field_map, date_order)


def read_jsonl(
    raw: str | Iterable[str | None],
    *,
    origin: str,
    field_map: dict[str, str] | None = None,
    date_order: DateOrder | None = None,
) -> Reading:
    """`raw` is the text, or its lines as `record_lines` streams them (None: a line too long, already dropped)."""

    def lines():
        for number, line in enumerate(_line_source(raw), 1):
            if line is None:
                yield f"line {number}", _Skip(f"is longer than {_LONG}, more than one article; fix or remove the line")
                continue
            if not line.strip():
                continue
            try:
                yield f"line {number}", load_json(line.rstrip("\r\n"))
            except ValueRefusedError as error:
                yield f"line {number}", _Skip(f"{error}; fix or remove the line")
            except json.JSONDecodeError as error:
                yield f"line {number}", _Skip(f"broken JSON ({error.msg}): fix or remove the line")

    return _read_records(lines(), origin, field_map, date_order)


def _line_source(raw: str | Iterable[str | None]) -> Iterable[str | None]:
    """Lines with their ends, None for one over MAX_LINE_CHARS, from the text or from streamed lines."""
    if not isinstance(raw, str):
        return raw
    return (line if len(line) <= MAX_LINE_CHARS else None for line in _lines(raw))


def _lines(raw: str) -> Iterator[str]:
    """The lines of `raw` with their ends, one at a time (`str.splitlines` would hold millions of them at once)."""
    start = 0
    while start < len(raw):
        end = raw.find("\n", start)
        end = len(raw) if end < 0 else end + 1
        yield raw[start:end]
        start = end


def read_csv(
    raw: str | Iterable[str | None],
    *,
    origin: str,
    field_map: dict[str, str] | None = None,
    date_order: DateOrder | None = None,
) -> Reading:
    """`raw` is the text, or its lines as `record_lines` streams them (None: a line too long, already dropped)."""
    csv.field_size_limit(MAX_LINE_CHARS)  # process-wide, but every CSV qa reads wants the same bound
    lines = iter(_line_source(raw))
    head: list[str | None] = []
    while sum(len(line or "") for line in head) < _SNIFF_CHARS and (line := next(lines, _END)) is not _END:
        head.append(line)
    sample = "".join(line or "" for line in head)[:_SNIFF_CHARS]
    try:  # only the delimiter is sniffed; the sniffer's quoting guesses break on doubled quotes
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    overlong: set[int] = set()
    reader = csv.reader(_csv_lines(itertools.chain(head, lines), overlong), csv.excel, delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise IngestError(f"{origin}: no CSV header row ({error}); the first line must name the columns") from None
    if len(header) < 2:
        raise IngestError(f"{origin}: the CSV header names only {header!r}; the first line must name the columns")

    def rows():
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield f"line {reader.line_num}", _Skip(f"not valid CSV ({shorten(str(error))}); fix the row")
                continue
            where = f"line {reader.line_num}"
            if reader.line_num in overlong:
                yield where, _Skip(f"is longer than {_LONG}, more than one article; fix or remove the row")
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                missing = ", ".join(header[len(row) :])
                problem = f"has {len(row)} of the header's {len(header)} columns (missing {missing}); fix the row"
                yield where, _Skip(problem)
                continue
            if len(row) > len(header):
                yield (
                    where,
                    _Skip(
                        f"has {len(row)} columns, the header names {len(header)}; quote values that contain "
                        f"{delimiter!r} and fix the row"
                    ),
                )
                continue
            yield where, dict(zip(header, row, strict=True))

    return _read_records(rows(), origin, field_map, date_order)


def _csv_lines(lines: Iterable[str | None], overlong: set[int]) -> Iterator[str]:
    """Lines for the csv module; one longer than a field may be (None, already dropped) becomes an empty line and its
    number goes into `overlong`, so no 100 MB line is copied or parsed."""
    for number, line in enumerate(lines, 1):
        if line is None:
            overlong.add(number)
            line = "\n"
        yield line


def _read_records(records, origin: str, field_map: dict[str, str] | None, date_order: DateOrder | None) -> Reading:
    """The records as documents, made one at a time as the caller asks: a file of a million records never
    holds a million documents at once. Problems fill in as the documents are taken."""
    problems = Problems()
    field_map = check_field_map(field_map or {})

    def documents() -> Iterator[Document]:
        good = skipped = 0  # records, not problems: a good record's warnings (an ambiguous date) never stop reading
        for where, record in records:
            if skipped >= MAX_BAD_RECORDS and skipped > good:
                stop = f"reading stopped here: over {MAX_BAD_RECORDS:,} bad records, more than good ones; fix the file"
                problems.add(where, stop)
                return
            try:
                if isinstance(record, _Skip):
                    raise record
                if not isinstance(record, dict):
                    raise _Skip(f"is a JSON {type(record).__name__}, not an article object; remove it")
                document = _document(record, where, origin, field_map, problems, date_order)
            except _Skip as problem:
                problems.add(where, str(problem))
                skipped += 1
                continue
            good += 1
            yield document

    return Reading(documents(), problems)


def _document(
    record: dict[str, Any],
    where: str,
    origin: str,
    field_map: dict[str, str],
    problems: Problems,
    date_order: DateOrder | None,
) -> Document:
    keys = {_norm(key): key for key in record}
    found: dict[str, tuple[str, Any]] = {}
    for name, aliases in FIELD_NAMES.items():
        if name in field_map:
            path = field_map[name]
            value = _lookup(record, path)
            if value is None:
                raise _Skip(f"has no {path!r} field (from --map {name}={path}); fix the mapping or the record")
            found[name] = (path, value)
            continue
        key = next((keys[a] for a in aliases if a in keys and _present(record[keys[a]])), None)
        if key is not None:
            found[name] = (key, record[key])
    if "text" not in found:
        key = next((keys[a] for a in SUMMARY_NAMES if a in keys and _present(record[keys[a]])), None)
        if key is not None:
            found["text"] = (key, record[key])
        elif "title" in found:  # a headline-only item (news aggregator feeds): the headline is the text
            found["text"] = found["title"]
    record_text = _record_text(found.pop("text", (None, None))[1])
    text = _paragraphs(clean_carried_text(record_text))
    if not text:
        names = ", ".join(sorted(record)[:8]) or "no fields"
        raise _Skip(f"has no article text (fields: {names}); map one with --map text=FIELD")
    if date_order is None and _DATE_ORDER in keys:  # the record's own `date_order` (DMY or MDY) for its date
        date_order = _record_date_order(record[keys[_DATE_ORDER]], where, problems)
    candidates = []
    for name, (key, value) in found.items():
        detail = f"{origin}, {where}, field {key!r}"
        candidates += _field_candidates(name, value, detail, where, problems, date_order)
    candidates += text_candidates(text, origin=f"{origin}, {where}", page_dump=False)
    candidates += wire_candidates(record_text, origin=f"{origin}, {where}")  # before cleaning took the credit lines
    return Document(text=text, candidates=candidates, where=where)


def _record_date_order(value: Any, where: str, problems: Problems) -> DateOrder | None:
    try:
        return DateOrder.parse(value)
    except ValueError:
        problems.add(where, f"date_order {shorten(repr(value))} is not DMY or MDY; ignored")
        return None


def _field_candidates(
    name: str, value: Any, detail: str, where: str, problems: Problems, date_order: DateOrder | None
) -> list[Candidate]:
    provenance = FieldProvenance(source=MetadataSource.RECORD, detail=detail)
    if name == "published":
        date = read_news_date(value, order=date_order)
        if not isinstance(date, NewsDate):
            hint = date.hint or "fix it, or --map date=FIELD"
            problems.add(where, f"date {shorten(repr(value))} {date.reason}; left undated ({hint})")
            return []
        if date.read_as:
            provenance = provenance.model_copy(update={"detail": f"{detail}, read as {date.read_as}"})
        return [Candidate("published", date.day, provenance), Candidate("published_at", date.moment, provenance)]
    text = _as_text(value)
    if not text:
        return []
    if name == "outlet":
        found = outlet_for_url(text) if "." in text and " " not in text else None
        if found is not None:
            if found[1] is not None and found[1].aggregator:
                problem = f"outlet {shorten(repr(text))} is an aggregator's address, not the outlet; left unknown"
                problems.add(where, problem)
                return []  # citing the aggregator would misattribute the story
            text = found[1].name if found[1] else found[0]
    return [Candidate(name, text, provenance)]


def _lookup(record: Any, path: str) -> Any:
    """`source.name` -> record["source"]["name"]; list items by index (`authors.0`); None if absent."""
    value = record
    for step in path.split("."):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value if _present(value) else None


def _as_text(value: Any) -> str | None:
    """A field value as one line: names of nested objects, lists joined with commas."""
    if isinstance(value, dict):
        value = next((value[k] for k in ("name", "title", "id") if _present(value.get(k))), None)
    if isinstance(value, list):
        parts = [_as_text(item) for item in value]
        return ", ".join(p for p in parts if p) or None
    if value is None or isinstance(value, bool):
        return None
    return " ".join(html.unescape(str(value)).split()) or None


def _record_text(value: Any) -> str:
    """The text field as lines: a list's items as paragraphs, HTML tags removed (paragraph tags end lines)."""
    if isinstance(value, list):
        value = "\n\n".join(str(item) for item in value if isinstance(item, str))
    if not isinstance(value, str):
        return ""
    if HTML_TAG.search(value):
        value = html.unescape(HTML_TAG.sub("", _PARAGRAPH_TAG.sub("\n\n", value)))
    return re.sub(r"\r\n?", "\n", value)


def html_paragraphs(value: Any) -> str:
    """A field's HTML or plain text as paragraphs: tags removed, hard wraps joined (feed items use it too)."""
    return _paragraphs(_record_text(value))


def _paragraphs(value: str) -> str:
    """Paragraphs separated by blank lines; hard wraps removed, indented lines start paragraphs."""
    blocks = re.split(r"\n\s*\n|\n(?=[ \t]{2,}\S)", value)
    paragraphs = (" ".join(block.split()) for block in blocks)
    return "\n\n".join(p for p in paragraphs if p)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(item, dict) for item in value)


def _norm(key: object) -> str:
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


_DATE_ORDER = _norm(DATE_ORDER_KEY)
