"""Reader for saved web pages: trafilatura finds the article body; the page's own metadata says who and when.

The body is trafilatura's default reading, then its `favor_recall` one, then its baseline and plain-text fallbacks:
a page with little text is indexed with a note, and only a page with no text of its own is refused. The title,
author and URL come from JSON-LD (`NewsArticle`, also inside `@graph`), then meta tags, then `<title>`; the date is
the day the page's sources agree on (`qa.ingest.page_dates`); the outlet is the first clean name the page gives
itself (`qa.ingest.page_outlets`). All of it is PAGE-level: a sidecar, record or flag still wins.
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
from qa.ingest.dates import AMBIGUOUS_HINT, DateOrder
from qa.ingest.document import Document, Reading
from qa.ingest.heuristics import text_candidates
from qa.ingest.metadata import Candidate, shorten
from qa.ingest.page_dates import (
    DateVotes,
    htmldate_day,
    json_ld_dates,
    meta_dates,
    time_element_dates,
    url_date,
    visible_dates,
)
from qa.ingest.page_outlets import page_outlet
from qa.models import FieldProvenance, MetadataSource

JSON_LD_CONFIDENCE = 0.95
META_TAG_CONFIDENCE = 0.9
PAGE_DATE_CONFIDENCE = 0.95
"""The day every date source on the page voted on; lower when few sources, or weak ones, agree."""
COPYRIGHT_CONFIDENCE = 0.6
"""The copyright holder is sometimes the publishing company rather than the outlet's own name."""
TITLE_TAG_CONFIDENCE = 0.7
"""`<title>` often carries the site name too ("Headline | Outlet")."""

_ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle", "report"}
_META_FIELDS = {
    "title": ("og:title", "twitter:title", "headline", "dc.title"),
    "url": ("og:url",),
    "author": ("author", "article:author", "byl", "dc.creator", "parsely-author"),
}  # fmt: skip
MIN_BODY_WORDS = 10
"""Less than this is little text: the page is indexed, with a note saying so."""
_NOT_OWN_TEXT = ("a", "nav", "title", "script", "style", "noscript", "template", "head")
"""Elements whose words are not the page's own text: links, menus, the title bar, code."""
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_FEED_TYPE = "contains(@type, 'rss') or contains(@type, 'atom')"
_LOGO_ALT = (
    "//img[contains(translate(concat(@class, ' ', @id, ' ', @src, ' ', ../@class, ' ', ../@id), 'LOGO', 'logo'),"
    " 'logo')]/@alt"
)
"""The alt text of an image marked as the logo (by its class, id or file name, or its link's): the site's name."""


@dataclass
class _Page:
    """What every metadata reader of one page shares: where it is, how to read its dates, its problems."""

    origin: str
    date_order: DateOrder | None = None
    problems: Problems = dataclass_field(default_factory=Problems)
    publisher: str | None = None
    """The first JSON-LD article's publisher name, as written."""
    publisher_by_reference: str | None = None
    """The name of the node the article's publisher points to by `@id` (Yoast's `{"@id": "…#organization"}`)."""
    metas: dict[str, str] = dataclass_field(default_factory=dict)
    """Every `<meta>` by lower-cased name or property, the first of each."""


def read_html(
    raw: str,
    *,
    origin: str,
    field_map: dict[str, str] | None = None,
    date_order: DateOrder | None = None,
    url: str | None = None,
) -> Reading:
    """One article from a saved page; IngestError only when the page has no text of its own at all. `url` is where
    the page was fetched (a WARC record's target): its date and known outlet count when the page names no URL."""
    raw = _XML_DECLARATION.sub("", raw, count=1)
    try:
        tree = lxml_html.fromstring(raw)
    except (ParserError, ValueError) as error:
        raise IngestError(f"{origin}: not readable HTML ({error}); save the page again or as .txt") from None
    page = _Page(origin, date_order)
    text = _body_text(raw, tree, page)
    votes = DateVotes(date_order=date_order)
    candidates = _json_ld(tree, page, votes) + _meta_tags(tree, page, votes) + _title_tag(tree, page)
    visible = _visible_text(raw)
    page_url = next((c.value for c in candidates if c.field == "url"), None) or url
    candidates += _page_date(raw, tree, page, votes, candidates, visible, page_url)
    candidates += _outlet(tree, page, candidates, visible, page_url)
    candidates += text_candidates(text, origin=origin, page_dump=False, date_order=date_order)
    return Reading([Document(text=text, candidates=candidates)], problems=page.problems)


def _body_text(raw: str, tree, page: _Page) -> str:
    """trafilatura's default reading, then with `favor_recall`, then its baseline and plain-text fallbacks."""
    import trafilatura  # heavy; only HTML needs it

    attempts = (
        lambda: trafilatura.extract(raw, include_comments=False, include_tables=False, deduplicate=False),
        lambda: trafilatura.extract(raw, include_comments=False, favor_recall=True, deduplicate=False),
        lambda: trafilatura.baseline(raw)[1],
        lambda: trafilatura.html2txt(raw),
    )
    text = ""
    for attempt in attempts:
        found = "\n\n".join(" ".join(line.split()) for line in (attempt() or "").splitlines() if line.strip())
        if len(found.split()) >= MIN_BODY_WORDS:
            return found
        text = text or found  # little text: the most careful reading that found any
    if not text or not _has_own_text(tree):
        raise IngestError(
            f"{page.origin}: no article body found in the HTML (no text besides links, menus and the title); "
            "save the article page itself, or paste its text into a .txt file"
        )
    page.problems.add("body", f"little text ({len(text.split())} words); indexed as it is")
    return text


def _has_own_text(tree) -> bool:
    """Whether any words on the page stand outside links, menus and the title bar."""
    for element in tree.iter():
        if isinstance(element.tag, str) and element.text and element.text.strip():
            if not any(ancestor.tag in _NOT_OWN_TEXT for ancestor in (element, *element.iterancestors())):
                return True
        if isinstance(element.tag, str) and element.tail and element.tail.strip():
            if not any(ancestor.tag in _NOT_OWN_TEXT for ancestor in element.iterancestors()):
                return True
    return False


def _page_date(
    raw: str, tree, page: _Page, votes: DateVotes, found: list[Candidate], visible: str, url: str | None
) -> list[Candidate]:
    """Add the URL, `<time>`, visible-dateline and htmldate votes, then one candidate for the agreed day."""
    time_element_dates(tree, votes)
    url_date(url, votes)
    headline = next((c.value for c in found if c.field == "title"), None)
    visible_dates(visible, [_headline(tree), headline], votes)
    htmldate_day(raw, votes)
    decided = votes.decide()
    for where, value, reason in votes.ambiguous:
        outcome = "left undated" if decided is None else "not counted"
        page.problems.add(where, f"date {shorten(repr(value))} {reason}; {outcome} ({AMBIGUOUS_HINT})")
    update = votes.last_update(decided.day if decided else None)
    updated = [] if update is None else _candidate_value("updated", update[0], f"{page.origin}: {update[1]}")
    if decided is None:
        return updated
    detail = f"{page.origin}: {', '.join(decided.sources)}" + (" agree" if len(decided.sources) > 1 else "")
    provenance = FieldProvenance(
        source=MetadataSource.PAGE, detail=detail, confidence=min(PAGE_DATE_CONFIDENCE, 0.5 + decided.weight / 20)
    )
    published = [Candidate("published", decided.day, provenance), Candidate("published_at", decided.moment, provenance)]
    return published + updated


def _candidate_value(field: str, value: Any, detail: str) -> list[Candidate]:
    """A typed value (a date, a time) as the page gave it, not as text."""
    provenance = FieldProvenance(source=MetadataSource.PAGE, detail=detail, confidence=META_TAG_CONFIDENCE)
    return [Candidate(field, value, provenance)]


def _outlet(tree, page: _Page, found: list[Candidate], visible: str, url: str | None) -> list[Candidate]:
    titles = tree.xpath("//title/text()")
    outlet = page_outlet(
        json_ld_publisher=page.publisher,
        json_ld_publisher_by_reference=page.publisher_by_reference,
        meta=page.metas,
        title=titles[0] if titles else None,
        headline=next(
            (c.value for c in found if c.field == "title" and "<title>" not in (c.provenance.detail or "")), None
        )
        or _headline(tree),
        page_text=visible,
        url=url,
        feed_titles=tuple(tree.xpath(f"//link[@rel='alternate'][{_FEED_TYPE}]/@title")),
        logo_texts=tuple(tree.xpath(_LOGO_ALT)),
    )
    if outlet is None:
        return []
    confidence = {"JSON-LD publisher": JSON_LD_CONFIDENCE, "the copyright line": COPYRIGHT_CONFIDENCE}.get(
        outlet.where, META_TAG_CONFIDENCE
    )
    return _candidate("outlet", outlet.name, f"{page.origin}: {outlet.where}", confidence, page)


def _visible_text(raw: str) -> str:
    """The words a reader sees, one space between blocks (scripts, styles and templates left out)."""
    tree = lxml_html.fromstring(raw)
    for element in tree.xpath("//script|//style|//template|//head"):
        element.drop_tree()
    words = len(" ".join(tree.itertext()).split())
    for element in tree.xpath("//noscript[not(ancestor::noscript)]"):  # each word counted once, however nested
        if len(element.text_content().split()) <= words / 2:
            element.drop_tree()  # one left open swallows the page, which browsers show anyway: that one stays
    return " ".join(" ".join(tree.itertext()).split())


def _headline(tree) -> str | None:
    headlines = tree.xpath("//h1")
    return " ".join(headlines[0].text_content().split()) or None if headlines else None


def _candidate(field: str, value: Any, detail: str, confidence: float, page: _Page) -> list[Candidate]:
    provenance = FieldProvenance(source=MetadataSource.PAGE, detail=detail, confidence=confidence)
    text = " ".join(str(value).split()) if value is not None else ""
    return [Candidate(field, text, provenance)] if text else []


def _json_ld(tree, page: _Page, votes: DateVotes) -> list[Candidate]:
    origin = page.origin
    candidates = []
    items: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            items += _ld_objects(load_json(script.text_content()))
        except ValueRefusedError as error:
            page.problems.add("JSON-LD", f"{error}; its metadata is not read")
        except json.JSONDecodeError:
            continue
    named = {item["@id"]: _name(item) for item in items if isinstance(item.get("@id"), str) and not _is_person(item)}
    # a person as publisher (a personal site's SEO plugin) is as often the article's author as the site's owner
    for item in items:
        types = item.get("@type")
        types = {str(t).lower() for t in (types if isinstance(types, list) else [types])}
        if not types & _ARTICLE_TYPES:
            continue
        detail = f"{origin}: JSON-LD {next(iter(types & _ARTICLE_TYPES))}"
        json_ld_dates(item, votes, f"JSON-LD {next(iter(types & _ARTICLE_TYPES))}")
        page.publisher = page.publisher or _name(item.get("publisher"))
        reference = _name(item.get("publisher"), key="@id")
        page.publisher_by_reference = page.publisher_by_reference or named.get(reference or "")
        fields = {
            "title": item.get("headline") or item.get("name"),
            "author": _name(item.get("author")),
            "url": item.get("url") or _name(item.get("mainEntityOfPage"), key="@id"),
        }
        for field, value in fields.items():
            candidates += _candidate(field, value, f"{detail} {field}", JSON_LD_CONFIDENCE, page)
    return candidates


def _is_person(item: dict) -> bool:
    types = item.get("@type")
    return "person" in {str(t).lower() for t in (types if isinstance(types, list) else [types])}


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


def _meta_tags(tree, page: _Page, votes: DateVotes) -> list[Candidate]:
    origin = page.origin
    metas = page.metas
    for meta in tree.xpath("//meta[@content]"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        metas.setdefault(key, meta.get("content"))
    meta_dates(metas, votes)
    candidates = []
    for field, keys in _META_FIELDS.items():
        key = next((k for k in keys if metas.get(k, "").strip()), None)
        if key is not None:
            candidates += _candidate(field, metas[key], f"{origin}: <meta {key}>", META_TAG_CONFIDENCE, page)
    canonical = tree.xpath('//link[@rel="canonical"]/@href')
    if canonical:
        candidates += _candidate("url", canonical[0], f"{origin}: <link rel=canonical>", META_TAG_CONFIDENCE, page)
    return candidates


def _title_tag(tree, page: _Page) -> list[Candidate]:
    titles = tree.xpath("//title/text()")
    return _candidate("title", titles[0], f"{page.origin}: <title>", TITLE_TAG_CONFIDENCE, page) if titles else []
