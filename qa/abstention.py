"""Answer or abstain, from evidence that does not grow with the archive.

On a large archive some passage is always somewhat close to any question: over 44,000 Reuters passages the
best cosine for "What is the deepest lake in the world?" is 0.58, higher than for some questions the archive
does answer. A fixed cosine threshold (the old rule: abstain when nothing reaches `min_similarity`) therefore
never abstains at archive scale. The decision instead weighs, for the answer as a whole:

* how close the best passage (or its best sentence) is: still the strongest single signal;
* its **margin** over the question's typical score in this archive: the mean cosine of the question's
  POOL_SIZE nearest passages. A question the archive only brushes has a best passage barely above the crowd;
  on a two-article corpus a modest cosine well above everything else is still a specific match;
* the **coverage** of the question's content words in the passages shown first (the best share among the
  first COVERAGE_PASSAGES): a general-knowledge question shares few of its words with news that happens to be
  close in meaning ("tokamak" for "the boiling point of tungsten");
* **years**: a question naming a year that no leading passage's article mentions, and none is dated within a
  year of, asks about a time the archive does not hold ("Who won the 2018 FIFA World Cup?" of a 1987 archive).

The first three combine in a logistic score whose weights were fitted, and its threshold chosen so that 98.5 %
of answerable development questions (among them 31 reworded the way a news quiz asks) still answer, by
bench/calibrate_archive_abstention.py on Reuters-21578 at two scales (44,000 and 2,800 passages) and on the seed
corpus; its docstring says how to rerun it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.evidence import content_words

POOL_SIZE = 50
"""The question's nearest passages whose mean cosine is its typical score in this archive."""
COVERAGE_PASSAGES = 5
"""Coverage is the best over this many leading passages: the answer need not be in the first."""
YEAR_PASSAGES = 10
"""A year the question names must be mentioned (or dated within a year) by one of this many leading passages."""
STEM_LENGTH = 5
"""Words match on their first five letters, so "shipments" covers "shipment" and "elected" "election"."""
WEIGHT_BEST = 9.32
WEIGHT_MARGIN = 12.11
WEIGHT_COVERAGE = 4.70
BIAS = -9.09
"""Answer when WEIGHT_BEST * best + WEIGHT_MARGIN * margin + WEIGHT_COVERAGE * coverage + BIAS >= 0."""
_WORD = re.compile(r"\w+", re.UNICODE)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")


@dataclass(frozen=True)
class LeadingPassage:
    """One of the passages the answer would show first, as the decision reads it."""

    text: str
    title: str | None
    article_text: str
    """The whole article: a year the question names counts when the article mentions it anywhere."""
    published: dt.date | None


@dataclass(frozen=True)
class AbstentionEvidence:
    """What the answer-or-abstain decision is made from, for one question."""

    best_similarity: float
    """The highest cosine to the question of a retrieved passage or of its best sentence."""
    pool_similarity: float
    """The mean cosine of the question's POOL_SIZE nearest passages in the whole index: its typical score."""
    coverage: float
    """The best share, over the leading passages, of the question's content words found in passage + title."""
    unmatched_years: tuple[int, ...] = ()
    """Years the question names that no leading passage's article mentions or is dated within a year of."""

    @property
    def margin(self) -> float:
        """How far the best passage stands above the question's typical score in this archive."""
        return self.best_similarity - self.pool_similarity

    @property
    def score(self) -> float:
        """The logistic score (log-odds that the archive answers); the question is answered at 0 or above."""
        return WEIGHT_BEST * self.best_similarity + WEIGHT_MARGIN * self.margin + WEIGHT_COVERAGE * self.coverage + BIAS


@dataclass(frozen=True)
class Decision:
    """Whether to answer, and why not when not."""

    answer: bool
    reason: str | None = None
    """For an abstention: which evidence fell short, in words a reader can follow."""


def gather_evidence(
    question: str, *, best_similarity: float, pool: Sequence[float], leading: Sequence[LeadingPassage]
) -> AbstentionEvidence:
    """The evidence for one question: `pool` holds the cosines of its nearest passages (any number, best
    first; the first POOL_SIZE count), `leading` the passages the answer would show, in order."""
    nearest = list(pool)[:POOL_SIZE]
    asked = _stems(" ".join(content_words(question)))
    coverage = max((_coverage(asked, each) for each in leading[:COVERAGE_PASSAGES]), default=0.0)
    years = dict.fromkeys(int(year) for year in _YEAR.findall(question))
    unmatched = tuple(year for year in years if not any(_holds_year(each, year) for each in leading[:YEAR_PASSAGES]))
    return AbstentionEvidence(
        best_similarity=best_similarity,
        pool_similarity=sum(nearest) / len(nearest) if nearest else 0.0,
        coverage=coverage,
        unmatched_years=unmatched,
    )


def decide(evidence: AbstentionEvidence, *, min_similarity: float) -> Decision:
    """Answer only when the best passage reaches `min_similarity`, every year asked about is in the
    evidence, and the logistic score is at least 0."""
    if evidence.best_similarity < min_similarity:
        return Decision(False, f"no passage reaches similarity {min_similarity:.2f}")
    if evidence.unmatched_years:
        years = ", ".join(str(year) for year in evidence.unmatched_years)
        return Decision(False, f"no close passage is from or mentions {years}")
    if evidence.score < 0:
        return Decision(False, "the closest passages are not specific to the question")
    return Decision(True)


def _stems(text: str) -> set[str]:
    return {word[:STEM_LENGTH] for word in (m.group().casefold() for m in _WORD.finditer(text))}


def _coverage(asked: set[str], passage: LeadingPassage) -> float:
    if not asked:
        return 0.0
    return len(asked & _stems(f"{passage.text} {passage.title or ''}")) / len(asked)


def _holds_year(passage: LeadingPassage, year: int) -> bool:
    if passage.published is not None and abs(passage.published.year - year) <= 1:
        return True
    return str(year) in passage.article_text or str(year) in (passage.title or "")
