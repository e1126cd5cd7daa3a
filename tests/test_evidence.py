"""Ranking by article evidence: several passages, the title and both retrievers beat one lucky passage."""

from __future__ import annotations

import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.evidence import PassageEvidence, article_bonus, title_coverage
from qa.store.ranking import FUSION, PLAIN_RRF, FusionWeights

QUESTION = "Why was the harbour dredging delayed?"


BEST_SIMILARITY = 0.7
"""The best similarity among all candidates of the question."""


def passage(
    doc_id: str,
    *,
    dense: int | None = None,
    lexical: int | None = None,
    sentence: int,
    similarity: float = BEST_SIMILARITY,
) -> PassageEvidence:
    """A passage whose fused score is what its ranks give, as the answer step computes it."""
    sides = ((FUSION.dense, dense), (FUSION.lexical, lexical), (FUSION.sentence, sentence))
    fused = sum(FUSION.term(weight, rank) for weight, rank in sides if rank is not None)
    return PassageEvidence(doc_id, fused, dense, lexical, sentence, similarity)


def evidence(title: str | None, passages: list[PassageEvidence]) -> float:
    """The score an article's best passage gets: its fused score plus the article's bonus."""
    bonus = article_bonus(QUESTION, title, passages, best_similarity=BEST_SIMILARITY)
    return max(p.fused for p in passages) + bonus


def test_an_article_with_several_matching_passages_outranks_one_lucky_passage():
    lucky = [passage("lucky", dense=1, lexical=1, sentence=1)]
    several = [
        passage("several", dense=2, lexical=3, sentence=2),
        passage("several", dense=3, lexical=2, sentence=3),
        passage("several", dense=4, lexical=4, sentence=4),
    ]
    assert max(p.fused for p in several) < lucky[0].fused  # passage by passage, the lucky one is best
    assert evidence(None, several) > evidence(None, lucky)
    # further passages far less similar than the best candidate are the pool's filler, not evidence
    filler = [several[0], *(passage("filler", dense=r, lexical=r, sentence=r, similarity=0.4) for r in (3, 4))]
    assert evidence(None, filler) == evidence(None, several[:1])


def test_both_sides_agreeing_on_an_article_through_different_passages_outranks_one_side_alone():
    agreeing = [passage("both", dense=2, sentence=2), passage("both", lexical=2, sentence=5)]
    one_side = [passage("dense", dense=1, sentence=1), passage("dense", dense=3, sentence=3)]
    assert evidence(None, agreeing) > evidence(None, one_side)


def test_a_title_naming_what_is_asked_adds_evidence():
    passages = [passage("a", dense=2, lexical=2, sentence=2)]
    assert title_coverage(QUESTION, "Harbour dredging delayed by silt") == 1.0
    assert title_coverage(QUESTION, "Council budget night") == 0.0
    assert evidence("Harbour dredging delayed by silt", passages) > evidence("Council budget night", passages)
    # a title is evidence, not a verdict: a clearly better passage still wins
    assert evidence("Council budget night", [passage("b", dense=1, lexical=1, sentence=1)]) > evidence(
        "Harbour dredging delayed by silt", [passage("a", dense=30, sentence=30)]
    )


def test_without_side_ranks_the_article_keeps_its_best_fused_score():
    # a passage only the best-sentence ranking knows (no side returned it): nothing to add
    unknown = [PassageEvidence("m", 0.05, None, None, 1, BEST_SIMILARITY)]
    assert article_bonus(QUESTION, None, unknown, best_similarity=BEST_SIMILARITY) == 0.0


@pytest.mark.parametrize("weights", [PLAIN_RRF, FusionWeights(k=10, lexical=2.0, sentence=0.5), FUSION])
def test_one_passage_alone_adds_nothing_whatever_the_fusion_weights(weights):
    # its sides are weighted as its fused score is, so an article of one passage keeps exactly that score
    fused = weights.term(weights.dense, 3) + weights.term(weights.lexical, 1) + weights.term(weights.sentence, 2)
    only = [PassageEvidence("a", fused, 3, 1, 2, BEST_SIMILARITY)]
    bonus = article_bonus(QUESTION, None, only, best_similarity=BEST_SIMILARITY, weights=weights)
    assert bonus == pytest.approx(0.0, abs=1e-12)


def test_a_question_of_stop_words_covers_no_title():
    assert title_coverage("what is the", "The What") == 0.0


HARBOUR = [
    "Dredging of the harbour entrance was delayed again this week because the silt returned faster than "
    "the engineers had planned for. The port authority said the dredger had to stop twice when the channel "
    "filled in behind it after the autumn storms.",
    "The delay to the harbour dredging means larger ships must wait for high tide before they enter. "
    "Pilots said the silt bar has grown by a metre since the summer, and the dredging contract allows "
    "only one vessel to work the channel at a time.",
    "Engineers blamed the river floods for the silt that delayed the dredging. They said the harbour "
    "would need a second dredger before spring, and that the work could not finish before the ferry "
    "season begins unless the weather improves.",
    "Fishermen complained that the dredging delay has kept their boats out of the inner harbour for a "
    "month. The authority promised to publish a new timetable for the harbour works by the end of the "
    "month, once the silt survey is complete.",
]
COUNCIL = [
    "The council approved its budget on Tuesday night after a long debate about library hours and the "
    "cost of street lighting. Councillors agreed to raise parking fees by ten percent to pay for repairs "
    "to the town hall roof and the swimming pool.",
    "In other business, the harbour dredging was delayed, a councillor noted in passing. The mayor then "
    "moved the meeting on to the question of the new bus shelters, which residents have asked for since "
    "last year, and the cost of replacing them.",
    "The council will meet again next month to discuss the library. The mayor thanked residents for "
    "their letters about the bus shelters and said a public meeting on the parking fees would be held "
    "in the town square before the summer holidays.",
]


@pytest.fixture
def harbour_engine(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, title, outlet, paragraphs in (
        ("harbour.md", "Harbour dredging delayed by silt", "The Coast Gazette", HARBOUR),
        ("council.md", "Council budget night", "The Town Crier", COUNCIL),
    ):
        body = "\n\n".join(paragraphs)
        (corpus / name).write_text(f"---\ntitle: {title}\noutlet: {outlet}\npublished: 2024-03-05\n---\n{body}\n")
    engine = Engine(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embedder=embedder)
    engine.build_index()
    return engine


def test_the_article_about_the_question_leads_and_its_overlapping_contexts_merge(harbour_engine):
    answer = harbour_engine.ask(QUESTION, k=5)
    assert not answer.abstained
    assert answer.cards[0].citation.outlet == "The Coast Gazette"
    assert answer.cards[0].citation.published is not None
    for hit in answer.passages:
        article = harbour_engine.article(hit.doc_id)
        assert article.text[hit.start : hit.end] == hit.text  # never another article's text
        assert hit.start <= hit.passage.start and hit.passage.end <= hit.end
        assert article.text[hit.passage.start : hit.passage.end] == hit.passage.text
        start, end = hit.highlight
        assert hit.passage.start <= hit.start + start and hit.start + end <= hit.passage.end
        assert hit.outlet and hit.published
    for card in answer.cards:
        spans = sorted((hit.start, hit.end) for hit in card.hits)
        assert all(first[1] <= second[0] for first, second in zip(spans, spans[1:], strict=False))
