"""The one-line summary of an answer: `Musk (The Kyiv Independent, 11 Feb 2024): “…” · SpaceX (Forbes, …): “…”`.

Every quoted sentence is verbatim from the corpus, and only a sentence worth quoting is quoted: a
fragment (under six words, or no verb: a name alone, a dateline, a photo credit) or a promotional or
navigation line ("More: …", "Read more", "Sign up for …") or a heading is never shown as what an
outlet said: that part is left out (the hits still show the sentence in its passage). The
speaker is named only as `qa.attribution` allows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from qa.attribution import speaker_of
from qa.models import UNKNOWN_OUTLET, format_date

MIN_QUOTED_WORDS = 6
"""A shorter "sentence" is a name, a dateline or a label, not a statement an outlet made."""
_QUOTES = "“”\"' "
_PROMO = re.compile(
    r"^\W*(?:more|related|read more|read|watch|see also|also read|recommended|sign up|subscribe|click here|"
    r"follow us|listen|download|advertisement|trending|top stories|editor'?s note|share this)\b\s*[:|>»-]?",
    re.I,
)
_PROMO_ANYWHERE = re.compile(r"\b(?:sign up for|subscribe to|newsletter|click here|follow us on)\b", re.I)
_VERB = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|has|have|had|do|does|did|will|would|can|could|may|might|must|"
    r"shall|should|said|says|told|made|make|makes|took|take|gave|give|got|get|went|go|goes|came|come|rose|fell|"
    r"won|lost|saw|sees|see|found|paid|sold|bought|held|led|left|kept|set|cut|put|hit|met|ran|sent|spent|grew|"
    r"began|became|brought|thought|built|struck|shut|stood|fought|[a-z]{2,}ed|[a-z]{3,}[^s\W]s)\b"
)


@dataclass(frozen=True)
class QuotedReport:
    """One outlet's answering sentence: where it sits in its passage, and who published it when."""

    passage: str
    """The passage text the sentence is quoted from."""
    highlight: tuple[int, int] | None
    """The answering sentence's offsets in `passage`; None when no sentence was picked."""
    outlet: str | None
    published: dt.date | None


def summary_line(reports: list[QuotedReport]) -> str | None:
    """The reports' quotable sentences, each with its speaker (when attributed), outlet and date."""
    parts = []
    for report in reports:
        span = quotable_span(report.passage, report.highlight) if report.highlight else None
        if span is None:
            continue
        sentence = report.passage[span[0] : span[1]].strip(_QUOTES)
        source = f"{report.outlet or UNKNOWN_OUTLET}, {format_date(report.published)}"
        speaker = speaker_of(report.passage, span)
        who = f"{speaker} ({source})" if speaker else source
        parts.append(f"{who}: “{sentence}”")
    return " · ".join(parts) or None


def quotable_span(passage: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """`span` if its sentence is a statement worth quoting, else None (the part is left out)."""
    text = passage[span[0] : span[1]]
    if is_promo(text) or is_heading(text) or is_fragment(text):
        return None
    return span


def is_fragment(sentence: str) -> bool:
    """Under MIN_QUOTED_WORDS words, or no verb at all: not a statement."""
    words = re.findall(r"[\w'’-]+", sentence)
    return len(words) < MIN_QUOTED_WORDS or _VERB.search(sentence) is None


def is_promo(sentence: str) -> bool:
    """A link to another story or a sign-up line, which no outlet reports as news."""
    text = sentence.strip(_QUOTES)
    return bool(_PROMO.match(text) or _PROMO_ANYWHERE.search(text))


def is_heading(sentence: str) -> bool:
    """Headline case without end punctuation: nearly every longer word capitalised ("Stocks To Watch Today")."""
    text = sentence.strip(_QUOTES)
    if not text or text[-1] in ".!?”\"'":
        return False
    long_words = [word for word in re.findall(r"[A-Za-z][\w'’-]*", text) if len(word) > 3]
    return len(long_words) >= 3 and sum(word[0].isupper() for word in long_words) >= 0.8 * len(long_words)
