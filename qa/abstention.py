"""Answer or abstain, from evidence that does not grow with the archive.

On a large archive some passage is always somewhat close to any question: over 44,000 Reuters passages the
best cosine for "What is the deepest lake in the world?" is 0.58, higher than for some questions the archive
does answer. A fixed cosine threshold (the old rule: abstain when nothing reaches `min_similarity`) therefore
never abstains at archive scale. The decision instead weighs, for the answer as a whole:

* how close the best passage (or its best sentence) is: still the strongest single signal;
* its **margin** over the question's typical score in this archive: the mean cosine of the question's
  POOL_SIZE nearest passages (among those the filters leave). A question the archive only brushes has a best
  passage barely above the crowd; on a two-article corpus a modest cosine well above everything else is still
  a specific match;
* the **coverage** of the question's content words in the passages shown first (the best share among the
  first COVERAGE_PASSAGES): a general-knowledge question shares few of its words with news that happens to be
  close in meaning ("tokamak" for "the boiling point of tungsten");
* **years**: a question naming a year that no leading passage's article mentions, and none is dated within a
  year of, asks about a time the archive does not hold ("Who won the 2018 FIFA World Cup?" of a 1987 archive).
  A number is read as a year only where it reads as one (see `question_years`): "the 2000 workers" is a count.

Coverage counts words (of any script written with spaces) on their first STEM_LENGTH letters, and text in Han,
Kana or Hangul (written without spaces) as overlapping character pairs. A question with no content word at all
(only stop words or punctuation) has no coverage to measure: NEUTRAL_COVERAGE stands in for it, so the
similarity and the margin decide rather than a coverage of 0 that says nothing.

The first three combine in a logistic score whose weights (FITTED) were fitted, and its operating point chosen
so that 98 % of the answerable development questions (among them 31 reworded the way a news quiz asks) still
answer on every archive, by bench/calibrate_archive_abstention.py on Reuters-21578 at two scales (43,937 and
2,775 passages, int8 document vectors, weighted fusion) and on the seed corpus; its docstring says how to rerun
it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.evidence import content_words

POOL_SIZE = 50
"""The question's nearest passages whose mean cosine is its typical score in this archive. A judgement, not a
fit: the depth each retriever already searches (qa.store.ranking.DEFAULT_DEPTH), so on an archive the pool is
the dense search `retrieve` runs anyway; on the seed corpus (13 passages) it is the whole index."""
COVERAGE_PASSAGES = 5
"""Coverage is the best over this many leading passages: the answer need not be in the first. A judgement: the
hits `qa ask` shows by default (-k 5), the passages a reader sees."""
YEAR_PASSAGES = 10
"""A year the question names must be mentioned (or dated within YEAR_WINDOW) by one of this many leading
passages. A judgement: the depth `qa eval --answers` reads (recall@10); deeper passages are rarely shown."""
YEAR_WINDOW = 1
"""An article dated this many years either side of a year asked about holds it. A judgement: news of a year is
often published early the next ("1986 profits", reported in March 1987), or previews the next."""
STEM_LENGTH = 5
"""Words match on their first five letters, so "shipments" covers "shipment" and "elected" "election". A
judgement: the common English suffixes (-s, -ed, -ing, -ion, -ment) start after the fifth letter of most
content words; four letters join unrelated words ("price", "prime")."""
NEUTRAL_COVERAGE = 0.5
"""The coverage a question without content words is scored with: a judgement, halfway, so neither a coverage
of 0 (abstain) nor 1 (answer) is pretended and the similarity and margin decide."""


@dataclass(frozen=True)
class ScoreWeights:
    """A logistic score over the evidence: answer when best * best similarity + margin * margin + coverage *
    coverage + bias >= 0."""

    best: float
    margin: float
    coverage: float
    bias: float


FITTED = ScoreWeights(best=11.36, margin=24.74, coverage=3.97, bias=-11.34)
"""Fitted by bench/calibrate_archive_abstention.py (see the module docstring)."""
_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]+")
"""Han, Hiragana, Katakana and Hangul: scripts written without spaces between words."""
_NUMBER = r"(?<![\d,.$£€])(?:1[89]\d\d|20\d\d)(?!\d|[,.]\d)"
"""Four digits from 1800 to 2099, not part of a longer number ("20185", "2,000", "2000.5") or an amount ("$2000")."""
_YEAR_IN_QUESTION = re.compile(
    rf"(?P<before>\b(?i:in|since|during|until|till|by|from|before|after|between|and|to)\s+)?(?P<year>{_NUMBER})"
)
_LOWERCASE_WORD_NEXT = re.compile(r"\s+[a-z]")


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
    coverage: float | None
    """The best share, over the leading passages, of the question's content words found in passage + title;
    None when the question has no content word (the score then reads NEUTRAL_COVERAGE)."""
    unmatched_years: tuple[int, ...] = ()
    """Years the question names that no leading passage's article mentions or is dated within a year of."""

    @property
    def margin(self) -> float:
        """How far the best passage stands above the question's typical score in this archive."""
        return self.best_similarity - self.pool_similarity

    @property
    def scored_coverage(self) -> float:
        """The coverage the score reads: NEUTRAL_COVERAGE for a question without content words."""
        return NEUTRAL_COVERAGE if self.coverage is None else self.coverage

    def score(self, weights: ScoreWeights = FITTED) -> float:
        """The logistic score (log-odds that the archive answers); the question is answered at 0 or above."""
        return (
            weights.best * self.best_similarity
            + weights.margin * self.margin
            + weights.coverage * self.scored_coverage
            + weights.bias
        )


@dataclass(frozen=True)
class Decision:
    """Whether to answer, and why not when not."""

    answer: bool
    reason: str | None = None
    """For an abstention: which evidence fell short, in words a reader can follow."""

    @property
    def why(self) -> str | None:
        """The reason as a sentence, for the abstention's message ("No passage reaches similarity 0.30.")."""
        return f"{self.reason[0].upper()}{self.reason[1:]}." if self.reason else None


def gather_evidence(
    question: str, *, best_similarity: float, pool: Sequence[float], leading: Sequence[LeadingPassage]
) -> AbstentionEvidence:
    """The evidence for one question: `pool` holds the cosines of its nearest passages (any number, best
    first; the first POOL_SIZE count), `leading` the passages the answer would show, in order."""
    nearest = list(pool)[:POOL_SIZE]
    asked = _terms(" ".join(content_words(question)))
    coverage = max((_coverage(asked, each) for each in leading[:COVERAGE_PASSAGES]), default=0.0) if asked else None
    years = question_years(question)
    unmatched = tuple(year for year in years if not any(_holds_year(each, year) for each in leading[:YEAR_PASSAGES]))
    return AbstentionEvidence(
        best_similarity=best_similarity,
        pool_similarity=sum(nearest) / len(nearest) if nearest else 0.0,
        coverage=coverage,
        unmatched_years=unmatched,
    )


def decide(evidence: AbstentionEvidence, *, min_similarity: float, weights: ScoreWeights = FITTED) -> Decision:
    """Answer only when the best passage reaches `min_similarity`, every year asked about is in the
    evidence, and the logistic score (`weights`: the fitted ones unless a calibration tries others) is at least 0."""
    if evidence.best_similarity < min_similarity:
        return Decision(False, f"no passage reaches similarity {min_similarity:.2f}")
    if evidence.unmatched_years:
        years = ", ".join(str(year) for year in evidence.unmatched_years)
        return Decision(False, f"no close passage is from or mentions {years}")
    if evidence.score(weights) < 0:
        return Decision(False, "the closest passages are not specific to the question")
    return Decision(True)


def question_years(question: str) -> tuple[int, ...]:
    """The years a question names, in order, once each. Four digits are a year after a time word ("in 2000",
    "since 1999") or when no lowercase word follows them ("the 2018 World Cup", "in 2023?", "2018's");
    "the 2000 workers" counts workers."""
    years = [
        int(m.group("year"))
        for m in _YEAR_IN_QUESTION.finditer(question)
        if m.group("before") or not _LOWERCASE_WORD_NEXT.match(question, m.end())
    ]
    return tuple(dict.fromkeys(years))


def _terms(text: str) -> set[str]:
    """The words of `text` as coverage compares them: stems, and character pairs of Han, Kana or Hangul."""
    terms: set[str] = set()
    for word in (m.group().casefold() for m in _WORD.finditer(text)):
        for part in _CJK.split(word):
            if part:
                terms.add(part[:STEM_LENGTH])
        for run in _CJK.findall(word):
            terms.update(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return terms


def _coverage(asked: set[str], passage: LeadingPassage) -> float:
    return len(asked & _terms(f"{passage.text} {passage.title or ''}")) / len(asked)


def _holds_year(passage: LeadingPassage, year: int) -> bool:
    """Dated within YEAR_WINDOW of `year`, or mentions it as a whole number (not inside "20185" or "2,018")."""
    if passage.published is not None and abs(passage.published.year - year) <= YEAR_WINDOW:
        return True
    mention = re.compile(rf"(?<![\d,.]){year}(?!\d|[,.]\d)")
    return mention.search(passage.article_text) is not None or mention.search(passage.title or "") is not None
