""" "Also reported by": another outlet's report of the same event, never a similar story from another time.

Sentence similarity alone joins look-alike stories (a 2022 recall and a 2023 recall list read alike).
Two reports corroborate only when their answer sentences are close in meaning AND they report the
same event: published within CORROBORATION_MAX_DAYS of each other, with no clash of years, and
either in nearly the same words, or naming the same actors a day apart, or with the same figures
and a key entity in common. A wrong "also reported by" puts words in an outlet's mouth, so a
missing date counts against joining.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from qa.models import Article, Corroboration, Passage

CORROBORATION_MIN_SIMILARITY = 0.45
"""Two outlets' answer sentences this similar (cosine) may support the same answer. Measured with
bench/calibrate_corroboration.py on UCI News Aggregator headlines: 65% of same-story pairs from two
outlets reach it, 1.1% of same-category pairs about other stories do; the event checks below then
remove look-alike stories of other days (bench/corroboration/precision.py)."""
CORROBORATION_MAX_DAYS = 3
"""Reports of one event appear within days of each other; a follow-up weeks later is another story."""

NEAR_DUPLICATE = 0.85
"""Sentences this similar say the same thing in nearly the same words (a rewrite or a repeat)."""

SHARED_ENTITIES = 3
"""Reports a day apart naming this many of the same people, bodies, places or products tell one event."""

_NAME_TOKEN = r"[A-Z](?:[\w&'’-]|\.(?=\w))*"
_ENTITY = re.compile(rf"(?<![.!?“\"]\s)(?<![“\".\w])(?<!^){_NAME_TOKEN}(?:\s+(?:of\s+|de\s+)?{_NAME_TOKEN})*")
_ACRONYM = re.compile(r"\b[A-Z]{2,}[\w-]*\b")
_POSSESSIVE = re.compile(r"(?:['’]s?|[.,])$")
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NOT_ENTITIES = {
    "the", "a", "an", "it", "he", "she", "they", "we", "i", "but", "and", "in", "on", "mr", "mrs", "ms",
    "to", "of", "for", "at", "by", "with", "as", "this", "that", "there", "what", "when",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
}  # fmt: skip


class Candidate(Protocol):
    """What corroboration reads from an answer candidate (qa.answer's own record)."""

    article: Article
    passage: Passage
    highlight: tuple[int, int] | None
    sentence_vector: np.ndarray | None


@dataclass(frozen=True)
class EventReport:
    """One outlet's answer sentence with its passage and date: what `same_event` compares."""

    sentence: str
    passage: str
    published: dt.date | None


def corroborating(relevant: list[Candidate]) -> list[tuple[Candidate, float]]:
    """Passages from other outlets that report the top one's event and say what it says, one per outlet."""
    top = relevant[0]
    if top.sentence_vector is None or top.highlight is None:
        return []
    named = {(top.article.outlet or "").casefold()}
    found = []
    for candidate in relevant[1:]:
        outlet = (candidate.article.outlet or "").casefold()
        if not outlet or outlet in named or candidate.sentence_vector is None or candidate.highlight is None:
            continue
        similarity = float(candidate.sentence_vector @ top.sentence_vector)
        if similarity >= CORROBORATION_MIN_SIMILARITY and same_event(_report(top), _report(candidate), similarity):
            named.add(outlet)
            found.append((candidate, similarity))
    return found


def corroboration_record(candidate: Candidate, similarity: float) -> Corroboration:
    """The "also reported by" entry for a corroborating candidate (its highlight is set)."""
    start, end = candidate.highlight or (0, 0)
    return Corroboration(
        doc_id=candidate.article.doc_id,
        outlet=candidate.article.outlet,
        published=candidate.article.published,
        sentence=candidate.passage.text[start:end],
        similarity=round(similarity, 4),
    )


def same_event(first: EventReport, second: EventReport, similarity: float) -> bool:
    """Dates close together, no clash of years, and either the same wording or the same facts.

    The same wording: sentences this close (NEAR_DUPLICATE) are one report rewritten or repeated.
    The same actors: SHARED_ENTITIES names in common on the same or the next day.
    The same facts: a figure in common, every figure of the shorter list also in the other (a 300
    mln rise against a 200 mln one is another figure, so another fact), and a key entity in common.
    Sharing only a person or a topic is not enough: one minister says many things in a day.
    """
    if first.published is None or second.published is None:
        return False
    if abs((first.published - second.published).days) > CORROBORATION_MAX_DAYS:
        return False
    years = set(_YEAR.findall(first.sentence)), set(_YEAR.findall(second.sentence))
    if all(years) and not years[0] & years[1]:
        return False  # "the 2022 recall" against "the 2023 list": other events
    if similarity >= NEAR_DUPLICATE:
        return True
    shared = key_entities(first.passage) & key_entities(second.passage)
    if len(shared) >= SHARED_ENTITIES and abs((first.published - second.published).days) <= 1:
        return True
    figures = sorted((_figures(first.sentence), _figures(second.sentence)), key=len)
    return bool(figures[0] and figures[0] <= figures[1] and shared)


def key_entities(text: str) -> set[str]:
    """Names capitalised where position does not explain it, and acronyms: who and what a report is about."""
    names = {_POSSESSIVE.sub("", match.group()).casefold() for match in _ENTITY.finditer(text)}
    names |= {match.group().casefold() for match in _ACRONYM.finditer(text)}
    return {_singular(name) for name in names if name and name not in _NOT_ENTITIES}


def _singular(name: str) -> str:
    """ "Starlinks" and "Starlink" are one thing; "Wireless" keeps its s."""
    single = " " not in name and len(name) > 4
    return name[:-1] if single and name.endswith("s") and not name.endswith("ss") else name


def _figures(sentence: str) -> set[str]:
    """The numbers of a sentence other than years, normalised ("1,200" = "1200")."""
    numbers = {number.rstrip(".,").replace(",", "") for number in _NUMBER.findall(sentence)}
    return {number for number in numbers if number and not _YEAR.fullmatch(number)}


def _report(candidate: Candidate) -> EventReport:
    start, end = candidate.highlight or (0, 0)
    text = candidate.passage.text
    return EventReport(sentence=text[start:end], passage=text, published=candidate.article.published)
