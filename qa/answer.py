"""From a question to an Answer: retrieve under filters, highlight, group, corroborate, or abstain."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np

from qa.abstention import (
    POOL_SIZE,
    YEAR_PASSAGES,
    AbstentionEvidence,
    LeadingPassage,
    decide,
    gather_evidence,
)
from qa.context import Context, widen
from qa.corroboration import corroborating, corroboration_record
from qa.embed import TextEncoder
from qa.errors import UsageError
from qa.evidence import PassageEvidence, article_bonus
from qa.filters import describe_filters, unknown_outlets_note
from qa.models import (
    Answer,
    Article,
    ArticleCard,
    Hit,
    Passage,
    PassageSpan,
    SearchFilters,
)
from qa.passages import sentence_spans
from qa.store.ranking import FUSION, FusionWeights, ScoredPassage
from qa.store.reading import IndexReader
from qa.store.records import SentenceVectors
from qa.summary import QuotedReport, summary_line

NOTHING_FOUND = "Nothing in the corpus answers this question."
RERANK_POOL = 20
"""Fused candidates whose sentences are scored; the best-sentence ranking then joins the fusion."""
RECENCY_BAND = 0.15
"""For "latest" questions: passages this close to the best similarity count as equally relevant."""
LEXICAL_NEAR_TOP = 10
"""When the question is answered, a passage the lexical side ranks this high is shown even when its cosine is
under `min_similarity`: its first ten are the depth `qa eval --answers` reads (recall@10). BM25 ranking a passage
first while its cosine is under 0.30 was where the old filter lost answers on news (issue 15)."""
_RECENCY_WORDS = re.compile(
    r"\b(latest|newest|most recent|recent(ly)?|now|currently|current|today|this (week|month|year)|so far|"
    r"still|anymore|any more|as of)\b",
    re.I,
)


@dataclass
class _Candidate:
    passage_id: int
    passage: Passage
    article: Article
    fused: float
    similarity: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    sentence_rank: int | None = None
    """Rank of its best sentence's similarity in the pool (set by `_fuse`)."""
    score: float = 0.0
    """Its fused score plus its article's evidence bonus (qa.evidence): what the hits are ordered by."""
    highlight: tuple[int, int] | None = None
    sentence_vector: np.ndarray | None = None


@dataclass
class _Shown:
    """A hit as shown: the candidates whose passages it holds, its context, and the hit built from them."""

    members: list[_Candidate]
    context: Context
    hit: Hit

    @property
    def candidate(self) -> _Candidate:
        """The member whose answer sentence is highlighted: the one most similar to the question, so a
        merged hit reads the same whichever member ranked first."""
        return max(self.members, key=lambda c: (c.similarity, c.score))


def answer_question(
    index: IndexReader,
    embedder: TextEncoder,
    question: str,
    *,
    k: int = 5,
    min_similarity: float,
    filters: SearchFilters | None = None,
    include_nearest: bool = False,
) -> Answer:
    """The `k` best attributed passages, or an abstention when the archive does not answer the question.

    Whether to answer is decided once, from the same RERANK_POOL fused candidates whatever `k` is, by
    qa.abstention: no passage reaching `min_similarity` is one reason to abstain, evidence that does not grow with
    the archive (margin over the question's typical score, coverage of its words, its years) the others. Once
    answered, a passage is shown when it or its best sentence reaches `min_similarity` (a precise question often
    matches one sentence of a long passage far better) or the lexical side ranks it in its top LEXICAL_NEAR_TOP.
    """
    question = question.strip()
    if not question:
        raise UsageError('The question is empty. Ask something, e.g. qa ask "Who denied sales to Russia?"')
    if k < 1:
        raise UsageError(f"-k must be at least 1, not {k}.")
    filters = filters or SearchFilters()
    excluded_undated = index.count_undated_articles(outlets=filters.outlets) if filters.by_date else 0
    excluded_note = f"{excluded_undated} undated article(s) left out by the date filter." if excluded_undated else None
    excluded_note = _join(_unknown_outlets(index, filters), excluded_note)
    if filters.active and index.matching_passages(filters) == 0:
        return Answer(
            question=question,
            abstained=True,
            message=_join(f"No article in the index matches the filters ({describe_filters(filters)}).", excluded_note),
            passages=[],
            filters=filters,
            excluded_undated=excluded_undated,
        )

    query = embedder.encode_query(question)
    decided_from = _candidates(index, embedder, query, question, limit=RERANK_POOL, filters=filters)
    decision = decide(_evidence(index, query, question, decided_from, filters), min_similarity=min_similarity)
    candidates = (
        decided_from if k <= RERANK_POOL else _candidates(index, embedder, query, question, limit=k, filters=filters)
    )
    if not decision.answer:
        return Answer(
            question=question,
            abstained=True,
            message=_join(NOTHING_FOUND, decision.why, excluded_note),
            passages=[],
            filters=filters,
            excluded_undated=excluded_undated,
            nearest=[each.hit for each in _in_context(question, candidates, k=k, favour_recent=False)]
            if include_nearest
            else [],
        )
    relevant = [c for c in candidates if _relevant(c, min_similarity)]
    shown = _in_context(question, relevant, k=k, favour_recent=asks_for_latest(question))
    relevant = [shown_hit.candidate for shown_hit in shown]
    hits = [shown_hit.hit for shown_hit in shown]
    corroborated = corroborating(relevant)
    return Answer(
        question=question,
        abstained=False,
        message=excluded_note,
        passages=hits,
        cards=_cards(hits),
        corroboration=[corroboration_record(c, similarity) for c, similarity in corroborated],
        summary=summary_line([_quoted(c) for c in [relevant[0], *(c for c, _ in corroborated)]]),
        filters=filters,
        excluded_undated=excluded_undated,
    )


def abstention_evidence(
    index: IndexReader, embedder: TextEncoder, question: str, *, filters: SearchFilters | None = None
) -> AbstentionEvidence:
    """The evidence `answer_question` decides to answer or abstain from, gathered the same way (for
    calibrating the decision: bench/calibrate_archive_abstention.py)."""
    filters = filters or SearchFilters()
    query = embedder.encode_query(question)
    candidates = _candidates(index, embedder, query, question, limit=RERANK_POOL, filters=filters)
    return _evidence(index, query, question, candidates, filters)


def _candidates(
    index: IndexReader, embedder: TextEncoder, query: np.ndarray, question: str, *, limit: int, filters: SearchFilters
) -> list[_Candidate]:
    """The fused candidates, each with its answer sentence marked, best first, syndicated repeats removed."""
    scored = index.retrieve(query, question, limit=limit, filters=filters)
    candidates = _as_candidates(scored, index.passages_with_articles([s.passage_id for s in scored]))
    _highlight(candidates, query, index.sentence_vectors([c.passage_id for c in candidates]), embedder)
    _fuse(candidates)
    return _without_repeated_text(candidates)


def _as_candidates(scored: list[ScoredPassage], found: dict[int, tuple[Passage, Article]]) -> list[_Candidate]:
    """The scored passages the index still holds, with their passage and article, in the fused order."""
    return [
        _Candidate(
            s.passage_id,
            *found[s.passage_id],
            fused=s.fused,
            similarity=s.similarity,
            dense_rank=s.dense_rank,
            lexical_rank=s.lexical_rank,
        )
        for s in scored
        if s.passage_id in found
    ]


def _evidence(
    index: IndexReader, query: np.ndarray, question: str, candidates: list[_Candidate], filters: SearchFilters
) -> AbstentionEvidence:
    """What qa.abstention decides from: the best similarity among the candidates, the question's typical score
    (its POOL_SIZE nearest passages) and the leading passages. The pool is taken among the passages the filters
    leave when they leave at least POOL_SIZE (else the whole index's: a filter leaving one article has no crowd to
    stand above). It is one more dense search: `retrieve` returns only its fused best, not its dense side's
    cosines, and reusing those would change the ranking seam (qa.store.ranking)."""
    within = filters if filters.active and index.matching_passages(filters) >= POOL_SIZE else None
    pool = [similarity for _, similarity in index.search_dense(query, POOL_SIZE, filters=within)]
    leading = [
        LeadingPassage(c.passage.text, c.article.title, c.article.text, c.article.published)
        for c in candidates[:YEAR_PASSAGES]
    ]
    best = max((c.similarity for c in candidates), default=0.0)
    return gather_evidence(question, best_similarity=best, pool=pool, leading=leading)


def _relevant(candidate: _Candidate, min_similarity: float) -> bool:
    """Shown in an answer (not abstained): similar enough, or ranked near the top by the lexical side,
    whose exact words (names, numbers) a low cosine can miss."""
    near_top = candidate.lexical_rank is not None and candidate.lexical_rank <= LEXICAL_NEAR_TOP
    return candidate.similarity >= min_similarity or near_top


def asks_for_latest(question: str) -> bool:
    """'What is the latest…', '…now?', 'recently': the asker wants the newest reports first."""
    return _RECENCY_WORDS.search(question) is not None


def _unknown_outlets(index: IndexReader, filters: SearchFilters) -> str | None:
    """Says which filter outlets match no article, with the index's closest outlet names."""
    unmatched = [each for each in filters.outlets if index.matching_passages(SearchFilters(outlets=[each])) == 0]
    if not unmatched:
        return None
    return unknown_outlets_note(unmatched, [each.outlet for each in index.outlets() if each.outlet is not None])


def _join(*sentences: str | None) -> str | None:
    return " ".join(s for s in sentences if s) or None


def _highlight(
    candidates: list[_Candidate], query: np.ndarray, stored: dict[int, SentenceVectors], embedder: TextEncoder
) -> None:
    """Mark each passage's sentence closest to the question.

    Sentence vectors come from the index; only passages indexed before it stored them (format < 4)
    have them made here, all in one batch, the way the build makes them (`encode_passages`).
    """
    missing = [c for c in candidates if c.passage_id not in stored]
    spans = [sentence_spans(c.passage.text) for c in missing]
    if missing:
        encoded = embedder.encode_passages([c.passage.text for c in missing], spans)
        for candidate, own, vectors in zip(missing, spans, encoded.sentences, strict=True):
            stored[candidate.passage_id] = SentenceVectors(own, vectors)
    for candidate in candidates:
        sentences = stored[candidate.passage_id]
        if not sentences.spans:
            continue
        scores = sentences.vectors @ query
        best = int(np.argmax(scores))
        candidate.highlight = sentences.spans[best]
        candidate.sentence_vector = sentences.vectors[best]
        candidate.similarity = max(candidate.similarity, float(scores[best]))


def _fuse(candidates: list[_Candidate], weights: FusionWeights = FUSION) -> None:
    """Add the best-sentence ranking to the dense+lexical fusion (its weight `weights.sentence`) and re-sort.

    A passage holding the one sentence that answers the question can rank low on its
    whole-passage vector when the rest of it is about something else.
    """
    for rank, candidate in enumerate(sorted(candidates, key=lambda c: -c.similarity), start=1):
        candidate.fused += weights.term(weights.sentence, rank)
        candidate.sentence_rank = rank
    candidates.sort(key=lambda c: (-c.fused, -c.similarity))


def _in_context(
    question: str, candidates: list[_Candidate], *, k: int, favour_recent: bool, weights: FusionWeights = FUSION
) -> list[_Shown]:
    """The `k` best hits in context: ranked by article evidence, widened, overlapping contexts merged.

    For "latest" questions, the hits about as relevant as the best one (within RECENCY_BAND) are
    ordered newest first.
    """
    by_article: dict[str, list[_Candidate]] = {}
    for candidate in candidates:
        by_article.setdefault(candidate.article.doc_id, []).append(candidate)
    best_similarity = max((c.similarity for c in candidates), default=0.0)
    for doc_id, passages in by_article.items():
        evidence = [
            PassageEvidence(doc_id, c.fused, c.dense_rank, c.lexical_rank, c.sentence_rank, c.similarity)
            for c in passages
        ]
        bonus = article_bonus(
            question, passages[0].article.title, evidence, best_similarity=best_similarity, weights=weights
        )
        for candidate in passages:
            candidate.score = candidate.fused + bonus
    shown: list[_Shown] = []
    for candidate in sorted(candidates, key=lambda c: (-c.score, -c.similarity)):
        context = _widened([candidate])
        same = _overlapping(shown, candidate.article.doc_id, context)
        if same is not None:
            _merge(shown, same, [candidate])
        elif len(shown) < k:
            shown.append(_Shown([candidate], context, _hit(candidate, context, score=candidate.score)))
    if favour_recent and shown:
        best = max(s.candidate.similarity for s in shown)
        band = [s for s in shown if s.candidate.similarity >= best - RECENCY_BAND]
        rest = [s for s in shown if s.candidate.similarity < best - RECENCY_BAND]
        band.sort(key=lambda s: s.candidate.article.published or dt.date.min, reverse=True)
        shown = band + rest
    for rank, each in enumerate(shown, start=1):
        each.hit.rank = rank
    return shown


def _overlapping(shown: list[_Shown], doc_id: str, context: Context) -> _Shown | None:
    return next((each for each in shown if each.hit.doc_id == doc_id and each.context.overlaps(context)), None)


def _merge(shown: list[_Shown], into: _Shown, members: list[_Candidate]) -> None:
    """Join overlapping hits of one article into one, widened anew around all their passages within the
    budget (so a merged context stays about one context long); a shown hit it now overlaps joins it too."""
    into.members.extend(members)
    into.context = _widened(into.members)
    while (other := _overlapping([s for s in shown if s is not into], into.hit.doc_id, into.context)) is not None:
        shown.remove(other)
        into.members.extend(other.members)
        into.context = _widened(into.members)
    into.hit = _hit(into.candidate, into.context, score=max(c.score for c in into.members))


def _answer_sentence(candidate: _Candidate) -> Context:
    """The candidate's answer sentence (its passage when it has none), in article offsets."""
    passage = candidate.passage
    if candidate.highlight is None:
        return Context(passage.start, passage.end)
    start, end = candidate.highlight
    return Context(passage.start + start, passage.start + end)


def _widened(members: list[_Candidate]) -> Context:
    """The lead's passage and every member's answer sentence (one article), widened by whole sentences
    around the lead's answer sentence."""
    lead = max(members, key=lambda c: (c.similarity, c.score))
    core = Context(lead.passage.start, lead.passage.end)
    for member in members:
        core = core.union(_answer_sentence(member))
    return widen(lead.article.text, core, _answer_sentence(lead))


def _without_repeated_text(candidates: list[_Candidate]) -> list[_Candidate]:
    """The same passage text carried by two articles (a syndicated copy) is shown once."""
    seen: set[str] = set()
    kept = []
    for candidate in candidates:
        key = " ".join(candidate.passage.text.split()).casefold()
        if key not in seen:
            seen.add(key)
            kept.append(candidate)
    return kept


def _quoted(candidate: _Candidate) -> QuotedReport:
    article = candidate.article
    return QuotedReport(candidate.passage.text, candidate.highlight, article.outlet, article.published)


def _cards(hits: list[Hit]) -> list[ArticleCard]:
    """Hits grouped by article, each card in the order of its best hit."""
    cards: dict[str, ArticleCard] = {}
    for hit in hits:
        card = cards.setdefault(hit.doc_id, ArticleCard(doc_id=hit.doc_id, citation=hit.citation, hits=[]))
        card.hits.append(hit)
    return list(cards.values())


def _hit(candidate: _Candidate, context: Context, *, score: float) -> Hit:
    """The candidate's passage shown in `context`, its answer sentence highlighted; ranked later."""
    article, passage = candidate.article, candidate.passage
    highlight = None
    if candidate.highlight is not None:
        shift = passage.start - context.start
        highlight = (candidate.highlight[0] + shift, candidate.highlight[1] + shift)
    return Hit(
        rank=1,
        score=round(score, 6),
        similarity=round(candidate.similarity, 4),
        doc_id=article.doc_id,
        title=article.title,
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        text=article.text[context.start : context.end],
        start=context.start,
        end=context.end,
        highlight=highlight,
        passage=PassageSpan(start=passage.start, end=passage.end, text=passage.text),
        republished_by=article.republished_by,
        also_published_by=article.also_published_by,
    )
