"""Reader for RSS and Atom feeds (`.rss`, `.atom`, and `.xml` that is a feed): one article per item.

The channel is the outlet (or the outlet its link's domain is known as), unless the item names its own
source (`<source>`, as aggregators' feeds do); each item keeps its own date, link, title and author. Item
HTML becomes text the way HTML in any record does. Many feeds carry only a summary of each story: such an
item is indexed as that summary, and its note says so. An Atom `<updated>` time is never a publication date.

Feeds are untrusted XML: entity declarations that expand (a billion-laughs bomb, or one long entity used
many times) are refused before feedparser sees them; external entities and DTDs are never fetched.
"""

from __future__ import annotations

import html
import io
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import IngestError
from qa.ingest.bounds import Problems
from qa.ingest.dates import DateOrder, NewsDate, read_news_date
from qa.ingest.document import Document, Reading
from qa.ingest.files import bounded_bytes
from qa.ingest.heuristics import text_candidates
from qa.ingest.metadata import Candidate, shorten
from qa.ingest.outlets import outlet_for_url, registered_domain
from qa.ingest.page_outlets import clean_outlet_name
from qa.ingest.records import HTML_TAG, html_paragraphs  # the one HTML-to-text path for record fields
from qa.models import FieldProvenance, MetadataSource

MAX_FEED_BYTES = 64 * 1024 * 1024
"""A feed holds its latest items, an archived one a few thousand: megabytes. feedparser holds a whole feed
(several times its size) in memory, so a larger file is refused rather than read."""
MAX_LENIENT_BYTES = 4 * 1024 * 1024
"""A feed that is not well-formed XML goes to feedparser's lenient parser, which reads about 0.2 MB/s of markup:
past this size, such a feed is refused rather than read for minutes. A well-formed feed is read up to
MAX_FEED_BYTES."""
CHANNEL_CONFIDENCE = 0.9
"""The channel's title names the outlet, though sometimes with a section ("World news | The Guardian")."""
KNOWN_CHANNEL_CONFIDENCE = 0.95
"""The channel's link is on a known outlet's domain: its name is cleaner than the channel title."""
SUMMARY_NOTE = "the feed gives only a summary of this item: the text indexed is that summary, not the article"
HEADLINE_NOTE = "the feed gives only the headline of this item: the text indexed is the headline"
FEED_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(rss|feed|RDF)[\s>/]")
"""The root element of RSS 2.0/0.9x, Atom, and RSS 1.0 (`rdf:RDF`)."""
_COMMENT = re.compile(rb"<!--.*?-->", re.S)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY\b[^>]*>?")
_HARMLESS_ENTITY = re.compile(
    r"""<!ENTITY\s+[\w.-]+\s+(?:"(?:&#\w{1,8};|[^"&%<]{0,16})"|'(?:&#\w{1,8};|[^'&%<]{0,16})')\s*>"""
)
"""A named character (`<!ENTITY nbsp "&#160;">`) or a short literal: it cannot grow a file much."""
_ITEM_START = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(item|entry)[\s>/]")
_ITEM_END = re.compile(r"</(?:[A-Za-z_][\w.-]*:)?(item|entry)\s*>")
_SNIFF_BYTES = 4096
_HIDDEN_ELEMENT = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>", re.I | re.S)
"""Elements whose content is not text a reader sees."""
_UNICODE_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def is_feed_file(path: Path) -> bool:
    """Whether an `.xml` file is a feed, so an article file; a sitemap or any other XML is left alone. A file that
    cannot be read counts as one, so that reading it reports why."""
    try:
        with bounded_bytes(path, path.name) as stream:
            return looks_like_feed(stream.read(_SNIFF_BYTES))
    except (IngestError, OSError):
        return True


def looks_like_feed(head: bytes) -> bool:
    """Whether a file starting with `head` is a feed: its first element is `rss`, `feed` or `rdf:RDF`.

    An `.xml` file is read only then; a sitemap or any other XML is not an article file."""
    text = _COMMENT.sub(b"", _ascii_view(head[:_SNIFF_BYTES]))
    start = _FIRST_ELEMENT.search(text)
    return start is not None and FEED_ROOT.match(text, start.start()) is not None


def _ascii_view(data: bytes) -> bytes:
    """The ASCII characters of UTF-16/32 text as bytes (markup is ASCII); other encodings are ASCII-compatible."""
    if b"\0" not in data[:64]:
        return data
    for encoding in _UNICODE_WIDE:
        try:
            return data.decode(encoding, errors="ignore").encode("ascii", errors="ignore")
        except UnicodeError:
            continue
    return data


@dataclass
class _Feed:
    """What every item of one feed shares: where it is, its outlet and link, its dialect and its problems."""

    origin: str
    outlet: list[Candidate]
    """The channel's outlet: offered for an item linking to the channel's own site (or nowhere)."""
    link: str | None
    atom: bool
    dc_date_is_published: bool
    """An RSS item's `<dc:date>` is a publication date unless the feed also uses dcterms."""
    dc_dated: list[bool]
    """Per item, whether its raw XML has a `<dc:date>`: feedparser calls it `updated`, as it does an Atom
    `<a10:updated>` inside RSS 2.0, which is an update time."""
    problems: Problems
    date_order: DateOrder | None


def read_feed(
    raw: io.BufferedReader, *, origin: str, field_map: dict[str, str] | None = None, date_order: DateOrder | None = None
) -> Reading:
    """The feed's items as documents; IngestError for a file that is no feed or declares expanding entities."""
    import feedparser  # only feeds need it

    data = _read_bounded(raw)
    if len(data) > MAX_FEED_BYTES:
        raise IngestError(
            f"{origin}: is over {MAX_FEED_BYTES // (1024 * 1024)} MB, more than a feed holds; "
            "split it into smaller files"
        )
    if not data.strip():
        raise IngestError(f"{origin}: the file is empty; add the feed or remove the file")
    _refuse_expanding_entities(data, origin)
    if len(data) > MAX_LENIENT_BYTES:
        _refuse_large_and_malformed(data, origin)
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=False)
    if not parsed.get("version") and not parsed.entries:
        raise IngestError(f"{origin}: not an RSS or Atom feed; qa reads .rss, .atom and .xml files that are feeds")
    problems = Problems()
    entries = list(parsed.entries)
    if not entries and not parsed.get("bozo"):
        raise IngestError(f"{origin}: the feed has no items; add some or remove the file")
    damaged = _damage(parsed.get("bozo_exception"), data, len(entries), problems)
    feed = _feed(parsed, origin, problems, date_order, _dc_dated_items(data, parsed.get("namespaces") or {}))

    def documents():
        for number, entry in enumerate(entries, 1):
            if number != damaged:
                document = _item(entry, number, feed)
                if document is not None:
                    yield document

    return Reading(documents(), problems)


def _read_bounded(raw: io.BufferedReader) -> bytes:
    """The feed's bytes, up to one past MAX_FEED_BYTES, in pieces (`read(n)` would allocate all n up front)."""
    chunks, total = [], 0
    while total <= MAX_FEED_BYTES and (chunk := raw.read1(1024 * 1024)):
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _refuse_expanding_entities(data: bytes, origin: str) -> None:
    """IngestError when the feed declares an entity that could expand (nested, long, parameter or external).

    feedparser keeps "safe" entities, among them one long literal that a feed may repeat a million times,
    and its lenient parser expands them with no limit: 200 kB became 4 GB in a test."""
    for encoding in ("latin-1", *_UNICODE_WIDE):
        needle = "<!ENTITY".encode(encoding)
        if needle not in data:
            continue
        text = data.decode(encoding, errors="replace")
        for declaration in _ENTITY_DECLARATION.findall(text):
            if not _HARMLESS_ENTITY.fullmatch(declaration):
                raise IngestError(
                    f"{origin}: declares an XML entity that expands or loads a file ({shorten(declaration, 60)}), "
                    "as no news feed needs (an entity bomb?); qa does not read it: remove the declaration"
                )


def _refuse_large_and_malformed(data: bytes, origin: str) -> None:
    """IngestError for a feed over MAX_LENIENT_BYTES that is not well-formed XML (expat says so in a blink)."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise IngestError(
            f"{origin}: not well-formed XML (line {error.lineno}, column {error.offset + 1}: "
            f"{expat.ErrorString(error.code)}), and over {MAX_LENIENT_BYTES // (1024 * 1024)} MB, more than qa "
            "reads leniently; fix the feed or split it"
        ) from None


def _damage(error: Any, data: bytes, item_count: int, problems: Problems) -> int | None:
    """Report where a feed is not well-formed XML, naming its item; returns the item to leave out (the one a
    truncated feed ends inside), or None. The items around it are still read by feedparser's lenient parser."""
    if error is None:
        return None
    line, column = _position(error)
    message = shorten(str(getattr(error, "getMessage", lambda: error)()) or type(error).__name__, 80)
    if line is None:
        problems.add("the feed", f"not well-formed XML ({message}); read leniently, check its items")
        return None
    text = _ascii_view(data).decode("latin-1")
    lines = text.split("\n")
    before = "\n".join(lines[: line - 1] + [lines[line - 1][:column] if line - 1 < len(lines) else ""])
    starts = list(_ITEM_START.finditer(before))
    inside = bool(starts) and _ITEM_END.search(before, starts[-1].end()) is None
    where = f"item {len(starts)}" if inside else "the feed"
    at_end = not text[len(before) :].strip()
    if at_end and inside and len(starts) <= item_count:
        problems.add(where, f"the feed ends inside this item ({message}; truncated?): left out")
        return len(starts)
    if at_end:
        problems.add(where, f"the feed ends early ({message}; truncated?): the items before are read")
        return None
    problems.add(
        where, f"not well-formed XML at line {line}, column {column + 1} ({message}); read leniently, check it"
    )
    return None


def _position(error: Any) -> tuple[int | None, int]:
    try:
        return int(error.getLineNumber()), int(error.getColumnNumber())
    except (AttributeError, TypeError, ValueError):
        return None, 0


def _dc_dated_items(data: bytes, namespaces: dict[str, str]) -> list[bool]:
    """For each item in the raw feed, in order, whether it holds a Dublin Core `<dc:date>` element."""
    prefixes = [re.escape(prefix) for prefix, uri in namespaces.items() if "purl.org/dc/elements/1.1" in str(uri)]
    if not prefixes:
        return []
    dc_date = re.compile(rf"<(?:{'|'.join(prefixes)}):date[\s>]")
    text = _ascii_view(data).decode("latin-1")
    starts = [match.end() for match in _ITEM_START.finditer(text)]
    ends = [*starts[1:], len(text)]
    return [dc_date.search(text, start, end) is not None for start, end in zip(starts, ends, strict=True)]


def _feed(parsed: Any, origin: str, problems: Problems, date_order: DateOrder | None, dc_dated: list[bool]) -> _Feed:
    channel = parsed.feed
    link = _web_link(channel.get("link"), None)
    outlet: list[Candidate] = []
    found = outlet_for_url(link) if link else None
    known = found[1] if found else None
    if known is None or not known.aggregator:  # an aggregator's channel is no item's outlet: the item link decides
        if known is not None:
            outlet += _text("outlet", known.name, f"{origin}: channel link {link} is {known.name}'s domain",
                            KNOWN_CHANNEL_CONFIDENCE)  # fmt: skip
        title = clean_outlet_name(channel.get("title"))
        outlet += _text("outlet", title, f"{origin}: channel title", CHANNEL_CONFIDENCE)
    version = str(parsed.get("version") or "")
    dcterms = any("purl.org/dc/terms" in str(uri) for uri in (parsed.get("namespaces") or {}).values())
    return _Feed(origin, outlet, link, version.startswith("atom"), version.startswith("rss") and not dcterms,
                 dc_dated, problems, date_order)  # fmt: skip


def _item(entry: Any, number: int, feed: _Feed) -> Document | None:
    where = f"item {number}"
    detail = f"{feed.origin}, {where}"
    contents = [_html_text(c) for c in entry.get("content") or []]
    text = max(contents, key=len, default="")
    note = None
    if not text and entry.get("summary"):
        text, note = _html_text(entry.get("summary_detail") or {"value": entry.get("summary")}), SUMMARY_NOTE
    title = " ".join(_html_text(entry.get("title_detail") or {"value": entry.get("title")}).split())
    if not text and title:
        text, note = title, HEADLINE_NOTE
    if not text:
        feed.problems.add(where, "has no text, summary or title; left out")
        return None
    if note is not None:
        feed.problems.add(where, f"{note.replace(' of this item', '')} (see `qa show`)")
    candidates = _text("title", title, f"{detail}, title", 1.0)
    link = _web_link(entry.get("link"), feed.link)
    candidates += _text("url", link, f"{detail}, link", 1.0)
    source = entry.get("source") or {}
    candidates += _text("outlet", source.get("title"), f"{detail}, <source>", 1.0) + _channel_outlet(link, feed)
    author = (entry.get("author_detail") or {}).get("name") or entry.get("author")
    candidates += _text("author", None if "@" in str(author or "").split("(")[0] else author, f"{detail}, author", 1.0)
    candidates += _dates(entry, number, detail, feed)
    if note is not None:
        candidates = _noted(candidates, note)
    candidates += text_candidates(text, origin=detail, page_dump=False)
    return Document(text=text, candidates=candidates, where=where)


def _channel_outlet(link: str | None, feed: _Feed) -> list[Candidate]:
    """The channel's outlet for an item on the channel's own site; an item linking elsewhere (a "Hacker News" item
    on nytimes.com) is left to its link's outlet, known or only its domain."""
    if link is None:
        return feed.outlet
    channel_site = _site(feed.link) if feed.link else None
    return feed.outlet if channel_site is not None and _site(link) == channel_site else []


def _site(url: str) -> str | None:
    """The registered domain of `url`, or its host when the suffix is no public one (`harbour.example`)."""
    host = (urllib.parse.urlsplit(url).hostname or "").removeprefix("www.")
    return registered_domain(url) or host or None


def _dates(entry: Any, number: int, detail: str, feed: _Feed) -> list[Candidate]:
    """The item's publication date; feedparser's `updated` only when the item really has the `<dc:date>` it
    stands for in RSS (an Atom `<updated>` mixed into RSS 2.0 is an update time)."""
    where = f"item {number}"
    value, name = entry.get("published"), "published"
    if not value and entry.get("updated"):
        has_dc_date = feed.dc_dated[number - 1] if number <= len(feed.dc_dated) else any(feed.dc_dated)
        if feed.atom or not feed.dc_date_is_published or not has_dc_date:
            problem = "gives only when it was updated, never taken as the publication date; left undated"
            feed.problems.add(where, problem)
            return []
        value, name = entry.get("updated"), "dc:date"
    if not value:
        return []
    date = read_news_date(value, order=feed.date_order)
    if not isinstance(date, NewsDate):
        hint = date.hint or "fix it in the feed"
        feed.problems.add(where, f"date {shorten(repr(value))} {date.reason}; left undated ({hint})")
        return []
    provenance = FieldProvenance(source=MetadataSource.RECORD, detail=f"{detail}, {name}")
    if date.read_as:
        provenance = provenance.model_copy(update={"detail": f"{detail}, {name}, read as {date.read_as}"})
    return [Candidate("published", date.day, provenance), Candidate("published_at", date.moment, provenance)]


def _noted(candidates: list[Candidate], note: str) -> list[Candidate]:
    """The candidates with `note` on the first of title, url, outlet: `qa show` prints it under that field."""
    fields = {candidate.field for candidate in candidates}
    noted = next((field for field in ("title", "url", "outlet") if field in fields), None)
    result = []
    for candidate in candidates:
        if candidate.field == noted:
            candidate = Candidate(noted, candidate.value, candidate.provenance.model_copy(update={"note": note}))
            noted = None
        result.append(candidate)
    return result


def _text(field: str, value: Any, detail: str, confidence: float) -> list[Candidate]:
    text = _one_line(value)
    if not text:
        return []
    return [Candidate(field, text, FieldProvenance(source=MetadataSource.RECORD, detail=detail, confidence=confidence))]


def _html_text(detail: Any) -> str:
    """An item's text, title or summary as feedparser gives it (with its type) turned into clean text: scripts and
    styles dropped (feedparser's sanitizer would, at a few seconds per MB), then the record cleaner. feedparser
    hands HTML escaped (`AT&amp;T`), which the record cleaner unescapes only around tags."""
    value = detail.get("value") if isinstance(detail, dict) else None
    if not isinstance(value, str):
        return ""
    if "html" in str(detail.get("type") or "text/html"):
        value = _HIDDEN_ELEMENT.sub(" ", value)
        if not HTML_TAG.search(value):
            value = html.unescape(value)
    return html_paragraphs(value)


def _one_line(value: Any) -> str:
    return " ".join(html_paragraphs(value).split()) if isinstance(value, str) else ""


def _web_link(link: Any, base: str | None) -> str | None:
    """An http(s) address, a relative one resolved against the channel's link; anything else is no link."""
    if not isinstance(link, str) or not link.strip():
        return None
    link = urllib.parse.urljoin(base, link.strip()) if base else link.strip()
    return link if urllib.parse.urlsplit(link).scheme in ("http", "https") else None
