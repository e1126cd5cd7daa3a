"""Rank by article evidence: an article several passages, its title and both retrievers point to
outranks one lucky passage."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from qa.store.ranking import FUSION, FusionWeights

SUPPORT_WEIGHT = 0.5
"""The i-th further matching passage of an article adds SUPPORT_WEIGHT**i of its own fused score: less
than the best passage and fading (a long article with many passages must not bury a short story whose
one passage answers), more than nothing (several passages answering is evidence the article is about
the question)."""
SUPPORT_BAND = 0.05
"""A further passage counts as matching when its similarity is this close to the best of all candidates;
the rest of the 20-candidate pool is filler that any long article has. Measured with
bench/context_recall.py on the news development set (one short Reuters story holds each answer):
counting every pooled passage (linearly, weight 0.5) dropped recall@1 from 0.947 to 0.570; a band of
0.1 to 0.848; 0.05 keeps 0.947."""
TITLE_WEIGHT = 0.5
"""A title holding every content word of the question adds half a first rank on one side. The lexical
side already reads titles (at half a passage's BM25 weight), so this only settles near-ties: at 1.0,
titles sharing common words with the question ("TRADE SURPLUS") cost recall@1 on the development set."""
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_WORDS = frozenset(
    """a about after all also an and any are as at be been before being but by can could did do does
    for from had has have he her his how i if in into is it its many may more most much no not of on
    one or other our out over said says she so some such than that the their them then there these
    they this those to up was we were what when where which while who whom whose why will with would
    you your""".split()
)


@dataclass(frozen=True)
class PassageEvidence:
    """What one retrieved passage says for its article."""

    doc_id: str
    fused: float
    """Its fused score over the dense, lexical and best-sentence rankings."""
    dense_rank: int | None
    """Rank on the dense side from 1 (None: not returned by it, or not known)."""
    lexical_rank: int | None
    sentence_rank: int | None
    """Rank of its best sentence's similarity among the pool's passages."""
    similarity: float
    """Cosine similarity to the question of the passage or its best sentence."""


def content_words(text: str) -> set[str]:
    """Casefolded words of `text` that carry meaning (no stop words, no single letters)."""
    return {w for w in (m.group().casefold() for m in _WORD.finditer(text)) if len(w) > 1 and w not in _STOP_WORDS}


def title_coverage(question: str, title: str | None) -> float:
    """The share of the question's content words found in the title (0 when either has none)."""
    asked = content_words(question)
    if not asked or not title:
        return 0.0
    return len(asked & content_words(title)) / len(asked)


def article_bonus(
    question: str,
    title: str | None,
    passages: Sequence[PassageEvidence],
    *,
    best_similarity: float,
    weights: FusionWeights = FUSION,
) -> float:
    """What an article's evidence adds to each of its passages' fused scores (all in RRF units).

    With the fusion's k as K and its side weights w_side (qa.store.ranking.FUSION), and the article's
    passages p1 (best fused) … pn from the candidate pool:

        evidence = Σ_side w_side / (K + best rank of any pi on that side)  sides: dense, lexical, sentence
                   (at least fused(p1), which it equals when p1 is best on every side)
                 + Σ_i SUPPORT_WEIGHT^i · fused(m_i)    m_1, m_2, …: the other pi whose similarity is within
                                                        SUPPORT_BAND of the best candidate's, best first
                 + TITLE_WEIGHT · coverage(title, question) / (K + 1)
        bonus    = evidence − fused(p1)

    Why each term: passage fusion rewards both retrievers agreeing on one passage; the first term
    rewards them agreeing on the article through different passages (the dense side finding one
    paragraph, BM25 another). The second counts further passages that answer, damped. The third
    is the title: an article whose headline names what is asked is about it. A hit's score is its
    own fused score plus its article's bonus, so an article's best passage still leads its card and
    cards are ordered by evidence.
    """
    if not passages:
        return 0.0
    ranked = sorted(passages, key=lambda each: -each.fused)
    best = ranked[0].fused
    sides = 0.0
    for weight, ranks in (
        (weights.dense, [each.dense_rank for each in passages]),
        (weights.lexical, [each.lexical_rank for each in passages]),
        (weights.sentence, [each.sentence_rank for each in passages]),
    ):
        known = [rank for rank in ranks if rank is not None]
        sides += weights.term(weight, min(known)) if known else 0.0
    evidence = max(sides, best)
    matching = [each for each in ranked[1:] if each.similarity >= best_similarity - SUPPORT_BAND]
    evidence += sum(SUPPORT_WEIGHT**position * each.fused for position, each in enumerate(matching, start=1))
    evidence += TITLE_WEIGHT * title_coverage(question, title) / (weights.k + 1)
    return evidence - best
