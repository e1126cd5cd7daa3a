"""Metadata read from the text itself: the weakest source, used only when nothing explicit says more.

Saved pages carry their attribution in the masthead above the story. An aggregator's copy shows
its own name and date first, then the original outlet's label and date ("THE AMERICA ONE NEWS /
May 31, 2025 / ... / topic / Forbes / 11 Feb 2024"): the first outlet is the republisher, the
last one the source. Sign-offs ("Consider supporting the Kyiv Independent"), wire datelines
("KYIV (Reuters) -") and bylines add what the masthead lacks. A date needs a year on the page:
"Feb. 11" alone is never completed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.ingest.boilerplate import is_chrome, page_header
from qa.ingest.bounds import Problems
from qa.ingest.dates import DateOrder, NewsDate, names_a_date, read_news_date
from qa.ingest.metadata import Candidate, shorten
from qa.ingest.outlets import canonical_outlet_name, outlet_named
from qa.models import FieldProvenance, MetadataSource, Republication

HEADER_SOURCE_CONFIDENCE = 0.8
"""A masthead that names a known aggregator and then another outlet: a strong, specific pattern."""
HEADER_CONFIDENCE = 0.6
"""One outlet label in the masthead: probably the page's own outlet."""
SIGN_OFF_CONFIDENCE = 0.7
DATELINE_CONFIDENCE = 0.7
BYLINE_CONFIDENCE = 0.6
TITLE_CONFIDENCE = 0.5
"""The last long masthead line before the body is usually, not always, the headline."""

_SOURCE_MARKER = re.compile(r"^(topic|source|sources|via|from|published by|originally published by)\s*:?$", re.I)
_INLINE_SOURCE = re.compile(
    r"^(?:source|via|originally published (?:by|in|on|at)|this (?:article|story) (?:first|originally) "
    r"(?:appeared|was published) (?:in|on|at|by))\s*:?\s+(?P<name>[A-Z][\w&'’.-]*(?: [A-Z][\w&'’.-]*){0,4})\.?$",
    re.I,
)
_SIGN_OFF = re.compile(
    r"\b(?:supporting|support|subscribe to|donate to|become a member of|member of)[ \t]+"
    r"(?P<name>(?:the[ \t]+)?[A-Z][\w&'’-]*(?:[ \t]+[A-Z][\w&'’-]*){0,4})"
)
_WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Za-z .'’-]{1,40}(?:, [A-Z][A-Za-z.]+ \d{1,2}(?:, (?P<year>\d{4}))?)?\s*"
    r"\((?P<wire>Reuters|AP|AFP|Bloomberg|UPI|dpa|AAP)\)\s*[-—–]"
)
_WIRES = {"AP": "Associated Press", "AFP": "AFP", "UPI": "UPI", "dpa": "dpa", "AAP": "AAP"}
_REUTERS_SIGN_OFF = re.compile(r"\bReuter\s*$")
_BYLINE = re.compile(r"^By\s+(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})(?:\s*(?:,|\||$))")


@dataclass
class _Label:
    outlet: str
    aggregator: bool
    date: NewsDate | None = None


def text_candidates(
    raw: str,
    *,
    origin: str,
    page_dump: bool,
    date_order: DateOrder | None = None,
    problems: Problems | None = None,
) -> list[Candidate]:
    """Candidates from the masthead (for raw page dumps), sign-off, dateline and byline; a masthead date in an order
    the page does not say is left out with one line in `problems`."""
    header = page_header(raw) if page_dump else []
    candidates = _masthead(header, origin, date_order, problems) + _title(header, origin)
    candidates += _sign_off(raw, origin) + _dateline(raw, origin) + _byline(header or raw.splitlines()[:3], origin)
    return candidates


def _candidate(field: str, value: object, rule: str, origin: str, confidence: float) -> Candidate:
    provenance = FieldProvenance(source=MetadataSource.TEXT, detail=f"{origin}: {rule}", confidence=confidence)
    return Candidate(field, value, provenance)


def _masthead(
    header: list[str], origin: str, date_order: DateOrder | None, problems: Problems | None
) -> list[Candidate]:
    labels = _labels(header, date_order, problems)
    if not labels:
        return []
    republisher = next((label for label in labels if label.aggregator), labels[0] if len(labels) > 1 else None)
    sources = [label for label in labels if label is not republisher and not label.aggregator]
    source = sources[-1] if sources else None
    known_aggregator = republisher is not None and republisher.aggregator
    confidence = HEADER_SOURCE_CONFIDENCE if known_aggregator and source else HEADER_CONFIDENCE
    candidates = []
    if republisher is not None:
        rule = f"masthead names {republisher.outlet!r} above another outlet's label"
        if source is None:
            rule = f"masthead names the aggregator {republisher.outlet!r}"
        value = Republication(outlet=republisher.outlet, published=republisher.date.day if republisher.date else None)
        candidates.append(_candidate("republished_by", value, rule, origin, confidence))
    if source is not None:
        rule = f"masthead label {source.outlet!r}"
        candidates.append(_candidate("outlet", source.outlet, rule, origin, confidence))
        if source.date is not None:
            rule = f"date under the masthead label {source.outlet!r}"
            if source.date.read_as:
                rule += f", read {source.date.read_as}"
            candidates.append(_candidate("published", source.date.day, rule, origin, confidence))
            candidates.append(_candidate("published_at", source.date.moment, rule, origin, confidence))
    return candidates


def _labels(header: list[str], date_order: DateOrder | None, problems: Problems | None) -> list[_Label]:
    """Outlet labels in masthead order, each with the first full date that follows it."""
    labels: list[_Label] = []
    after_marker = False
    for line in header:
        bare = line.strip(" |·•-—")
        name = _outlet_in(bare, after_marker)
        after_marker = bool(_SOURCE_MARKER.match(bare))
        if name is not None:
            known = outlet_named(name)
            outlet = known.name if known else canonical_outlet_name(name)
            if not labels or labels[-1].outlet != outlet:
                labels.append(_Label(outlet, aggregator=bool(known and known.aggregator)))
            continue
        if not labels or labels[-1].date is not None:
            continue
        for part in bare.split("|"):
            found = read_news_date(part, order=date_order)
            if isinstance(found, NewsDate):
                labels[-1].date = found
                break
            if found.hint is not None and problems is not None:  # a date, in an order the page does not say
                problem = f"date {shorten(repr(part.strip()))} {found.reason}; left undated ({found.hint})"
                problems.add("masthead", problem)
    return labels


def _outlet_in(line: str, after_marker: bool) -> str | None:
    if outlet_named(line) is not None:
        return line
    inline = _INLINE_SOURCE.match(line)
    if inline:
        return inline.group("name")
    words = line.split()
    if after_marker and 1 <= len(words) <= 5 and line[:1].isupper() and not names_a_date(line):
        return line
    return None


def _title(header: list[str], origin: str) -> list[Candidate]:
    for line in reversed(header):
        bare = line.strip(" |")
        if (
            len(bare.split()) >= 4
            and is_chrome(bare)  # a headline has no full stop; a chrome pattern line is never one
            and not any(c in bare for c in ":|")
            and not names_a_date(bare)
            and outlet_named(bare) is None
        ):
            return [_candidate("title", bare, "last masthead line above the body", origin, TITLE_CONFIDENCE)]
    return []


def _sign_off(raw: str, origin: str) -> list[Candidate]:
    candidates = []
    for match in _SIGN_OFF.finditer(raw):
        words = match.group("name").split()
        for size in range(len(words), 0, -1):  # "the Kyiv Independent today" -> "the Kyiv Independent"
            known = outlet_named(" ".join(words[:size]))
            if known is not None and not known.aggregator:
                rule = f"sign-off {_sentence_around(raw, match.start(), match.end())!r}"
                candidates.append(_candidate("outlet", known.name, rule, origin, SIGN_OFF_CONFIDENCE))
                break
    return candidates[-1:]  # the last appeal on the page is the page's own


def _sentence_around(raw: str, start: int, end: int) -> str:
    line_start = raw.rfind("\n", 0, start) + 1
    line_end = raw.find("\n", end)
    line = raw[line_start : line_end if line_end >= 0 else len(raw)]
    sentences = re.split(r"(?<=[.!?])\s+", line.strip())
    return next((s for s in sentences if raw[start:end] in s), line.strip())


def _dateline(raw: str, origin: str) -> list[Candidate]:
    first_lines = [line.strip() for line in raw.splitlines() if line.strip()][:12]
    for line in first_lines:
        match = _WIRE_DATELINE.match(line)
        if match:
            wire = _WIRES.get(match.group("wire"), match.group("wire"))
            return [_candidate("outlet", wire, f"wire dateline {match.group(0)!r}", origin, DATELINE_CONFIDENCE)]
    if _REUTERS_SIGN_OFF.search(raw.rstrip()[-40:]):
        return [_candidate("outlet", "Reuters", "the wire's 'Reuter' sign-off", origin, DATELINE_CONFIDENCE)]
    return []


def _byline(lines: list[str], origin: str) -> list[Candidate]:
    for line in lines:
        match = _BYLINE.match(line.strip())
        if match:
            return [_candidate("author", match.group("name"), f"byline {line.strip()!r}", origin, BYLINE_CONFIDENCE)]
    return []
