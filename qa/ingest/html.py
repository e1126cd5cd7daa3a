"""Reader for saved web pages: trafilatura finds the article body; the page's own metadata says who and when.

Metadata comes from JSON-LD (`NewsArticle`: headline, datePublished, publisher, author) first,
then meta tags (`og:site_name`, `article:published_time`, `og:url`, ...), then htmldate for the
date, then `<title>`. All of it is PAGE-level: a sidecar, record or flag still wins.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from lxml import html as lxml_html
from lxml.etree import ParserError

from qa.errors import IngestError
from qa.ingest.bounds import Problems, ValueRefusedError, load_json
from qa.ingest.dates import DateOrder, NewsDate, read_news_date
from qa.ingest.document import Document, Reading
from qa.ingest.heuristics import text_candidates
from qa.ingest.metadata import Candidate, shorten
from qa.models import FieldProvenance, MetadataSource

JSON_LD_CONFIDENCE = 0.95
META_TAG_CONFIDENCE = 0.9
HTMLDATE_CONFIDENCE = 0.8
"""htmldate's reading of the markup (time elements, URL patterns): good, but a heuristic."""
TITLE_TAG_CONFIDENCE = 0.7
"""`<title>` often carries the site name too ("Headline | Outlet")."""

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "report"}
_META_FIELDS = {
    "outlet": ("og:site_name", "application-name", "twitter:site", "publisher"),
    "title": ("og:title", "twitter:title", "headline", "dc.title"),
    "published": (
        "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
        "date", "dc.date", "dc.date.issued", "parsely-pub-date", "sailthru.date",
    ),
    "url": ("og:url",),
    "author": ("author", "article:author", "byl", "dc.creator", "parsely-author"),
}  # fmt: skip
MIN_BODY_WORDS = 10
"""Less than this is what extractors salvage from a page without a story: a menu label, a title."""
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


@dataclass
class _Page:
    """What every metadata reader of one page shares: where it is, how to read its dates, its problems."""

    origin: str
    date_order: DateOrder | None = None
    problems: Problems = dataclass_field(default_factory=Problems)
    ambiguous_date: bool = False
    """The page gives a numeric date in an order it does not say; htmldate would pick one, so it is not asked."""


def read_html(
    raw: str, *, origin: str, field_map: dict[str, str] | None = None, date_order: DateOrder | None = None
) -> Reading:
    """One article from a saved page; IngestError when the page has no article body to read."""
    import trafilatura  # heavy; only HTML needs it

    raw = _XML_DECLARATION.sub("", raw, count=1)
    try:
        tree = lxml_html.fromstring(raw)
    except (ParserError, ValueError) as error:
        raise IngestError(f"{origin}: not readable HTML ({error}); save the page again or as .txt") from None
    extracted = trafilatura.extract(
        raw, include_comments=False, include_tables=False, favor_precision=True, deduplicate=False
    )
    text = "\n\n".join(" ".join(line.split()) for line in (extracted or "").splitlines() if line.strip())
    if len(text.split()) < MIN_BODY_WORDS:
        raise IngestError(
            f"{origin}: no article body found in the HTML (only navigation or an empty page); "
            "save the article page itself, or paste its text into a .txt file"
        )
    page = _Page(origin, date_order)
    candidates = _json_ld(tree, page) + _meta_tags(tree, page)
    candidates += ([] if page.ambiguous_date else _htmldate(raw, page)) + _title_tag(tree, page)
    candidates += text_candidates(text, origin=origin, page_dump=False, date_order=date_order)
    return Reading([Document(text=text, candidates=candidates)], problems=page.problems)


def _candidate(field: str, value: Any, detail: str, confidence: float, page: _Page) -> list[Candidate]:
    provenance = FieldProvenance(source=MetadataSource.PAGE, detail=detail, confidence=confidence)
    if field != "published":
        text = " ".join(str(value).split()) if value is not None else ""
        return [Candidate(field, text, provenance)] if text else []
    date = read_news_date(value, order=page.date_order)
    if not isinstance(date, NewsDate):
        if date.hint is not None:  # a date the page does give, in an order it does not say
            page.ambiguous_date = True
            where = detail.removeprefix(f"{page.origin}: ")
            page.problems.add(where, f"date {shorten(repr(value))} {date.reason}; left undated ({date.hint})")
        return []
    if date.read_as:
        provenance = provenance.model_copy(update={"detail": f"{detail}, read as {date.read_as}"})
    return [Candidate("published", date.day, provenance), Candidate("published_at", date.moment, provenance)]


def _json_ld(tree, page: _Page) -> list[Candidate]:
    origin = page.origin
    candidates = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = load_json(script.text_content())
        except ValueRefusedError as error:
            page.problems.add("JSON-LD", f"{error}; its metadata is not read")
            continue
        except json.JSONDecodeError:
            continue
        for item in _ld_objects(data):
            types = item.get("@type")
            types = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
            if not types & _ARTICLE_TYPES:
                continue
            detail = f"{origin}: JSON-LD {next(iter(types & _ARTICLE_TYPES))}"
            fields = {
                "title": item.get("headline") or item.get("name"),
                "published": item.get("datePublished"),
                "outlet": _name(item.get("publisher")),
                "author": _name(item.get("author")),
                "url": item.get("url") or _name(item.get("mainEntityOfPage"), key="@id"),
            }
            for field, value in fields.items():
                candidates += _candidate(field, value, f"{detail} {field}", JSON_LD_CONFIDENCE, page)
    return candidates


def _ld_objects(data: Any) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _ld_objects(item)
    elif isinstance(data, dict):
        yield data
        yield from _ld_objects(data.get("@graph"))


def _name(value: Any, key: str = "name") -> str | None:
    if isinstance(value, list):
        names = [_name(item, key) for item in value]
        return ", ".join(n for n in names if n) or None
    if isinstance(value, dict):
        return _name(value.get(key), key)
    return value if isinstance(value, str) and value.strip() else None


def _meta_tags(tree, page: _Page) -> list[Candidate]:
    origin = page.origin
    metas: dict[str, str] = {}
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        metas.setdefault(key, meta.get("content"))
    candidates = []
    for field, keys in _META_FIELDS.items():
        key = next((k for k in keys if metas.get(k, "").strip()), None)
        if key is not None:
            candidates += _candidate(field, metas[key], f"{origin}: <meta {key}>", META_TAG_CONFIDENCE, page)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    if canonical:
        candidates += _candidate("url", canonical[0], f"{origin}: <link rel=canonical>", META_TAG_CONFIDENCE, page)
    return candidates


def _htmldate(raw: str, page: _Page) -> list[Candidate]:
    from htmldate import find_date

    found = find_date(raw, extensive_search=False, original_date=True)
    return _candidate("published", found, f"{page.origin}: htmldate", HTMLDATE_CONFIDENCE, page) if found else []


def _title_tag(tree, page: _Page) -> list[Candidate]:
    titles = tree.xpath("//title/text()")
    return _candidate("title", titles[0], f"{page.origin}: <title>", TITLE_TAG_CONFIDENCE, page) if titles else []
