"""Answer or abstain: the decision on typed evidence, and on a small archive written here with the real model."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.abstention import (
    NEUTRAL_COVERAGE,
    POOL_SIZE,
    AbstentionEvidence,
    LeadingPassage,
    ScoreWeights,
    decide,
    gather_evidence,
    question_years,
)
from qa.answer import LEXICAL_NEAR_TOP, NOTHING_FOUND, abstention_evidence, answer_question
from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.models import SearchFilters

FLOOR = 0.30


def _evidence(best: float, pool: float, coverage: float, years: tuple[int, ...] = ()) -> AbstentionEvidence:
    return AbstentionEvidence(best_similarity=best, pool_similarity=pool, coverage=coverage, unmatched_years=years)


def test_a_close_specific_passage_answers():
    assert decide(_evidence(0.72, 0.50, 0.8), min_similarity=FLOOR).answer


def test_a_passage_barely_above_the_archive_crowd_abstains_even_with_a_high_cosine():
    """Archive scale: 0.55 clears any fixed threshold, but it is only 0.05 above the question's typical score
    and shares a quarter of its words."""
    decision = decide(_evidence(0.55, 0.50, 0.25), min_similarity=FLOOR)
    assert not decision.answer
    assert decision.reason == "the closest passages are not specific to the question"


def test_a_modest_cosine_far_above_everything_else_answers():
    """A small corpus: 0.35 is a specific match when the question's typical score there is 0.05."""
    assert decide(_evidence(0.35, 0.05, 0.8), min_similarity=FLOOR).answer


def test_nothing_reaching_the_floor_abstains_whatever_else():
    decision = decide(_evidence(0.29, -0.2, 1.0), min_similarity=FLOOR)
    assert not decision.answer and "0.30" in (decision.reason or "")


def test_a_year_the_evidence_does_not_hold_abstains():
    decision = decide(_evidence(0.9, 0.3, 1.0, years=(2018,)), min_similarity=FLOOR)
    assert not decision.answer and "2018" in (decision.reason or "")


def _passage(text: str, *, published: dt.date | None = None, article: str | None = None) -> LeadingPassage:
    return LeadingPassage(text=text, title=None, article_text=article or text, published=published)


def test_coverage_is_the_best_share_of_content_words_over_the_leading_passages():
    evidence = gather_evidence(
        "Which refineries closed their jetty?",
        best_similarity=0.6,
        pool=[0.6, 0.4],
        leading=[_passage("The jetty was shut."), _passage("The refinery closed its jetty on Monday.")],
    )
    assert evidence.coverage == 1.0  # refineries (by its first five letters), closed, jetty
    assert evidence.pool_similarity == pytest.approx(0.5)
    assert evidence.margin == pytest.approx(0.1)


def test_coverage_reads_only_the_first_leading_passages():
    leading = [_passage("Nothing to see here.")] * 5 + [_passage("refinery jetty")]
    evidence = gather_evidence("refinery jetty", best_similarity=0.5, pool=[0.5], leading=leading)
    assert evidence.coverage == 0.0


@pytest.mark.parametrize(
    "passage,unmatched",
    [
        (_passage("Sales rose.", published=dt.date(1987, 3, 2)), (2018,)),
        (_passage("Sales rose.", published=dt.date(2019, 1, 5)), ()),
        (_passage("Sales rose.", article="Sales rose. In 2018 they fell."), ()),
        (_passage("Sales rose."), (2018,)),
    ],
    ids=["dated-1987", "dated-a-year-later", "mentioned-in-the-article", "undated"],
)
def test_a_year_counts_when_a_leading_article_mentions_it_or_is_dated_within_a_year(passage, unmatched):
    evidence = gather_evidence("What were sales in 2018?", best_similarity=0.5, pool=[0.4], leading=[passage])
    assert evidence.unmatched_years == unmatched


@pytest.mark.parametrize("question", ["what is it?", "?!...", "北京是中国的首都吗？", "ما هي عاصمة فرنسا؟"])
def test_any_question_gathers_evidence(question):
    evidence = gather_evidence(question, best_similarity=0.1, pool=[], leading=[_passage("Markets fell.")])
    assert evidence.coverage in (0.0, None) and evidence.pool_similarity == 0.0
    assert not decide(evidence, min_similarity=FLOOR).answer


@pytest.mark.parametrize(
    "question,years",
    [
        ("How many of the 2000 workers struck?", ()),
        ("Did the 1500 miners return?", ()),
        ("Who won the 2018 World Cup?", (2018,)),
        ("What happened in 2023?", (2023,)),
        ("What was 2018's best film?", (2018,)),
        ("Which bank failed in 1987 after the crash?", (1987,)),
        ("How many of the 2,000 workers struck?", ()),
        ("What was the 20185 code?", ()),
        ("Did it cost $2000?", ()),
        ("What did sales do from 1999 to 2001 overall?", (1999, 2001)),
    ],
)
def test_a_number_is_a_year_only_where_it_reads_as_one(question, years):
    assert question_years(question) == years


def test_a_count_of_workers_is_not_read_as_a_year_the_archive_lacks():
    passage = _passage("Some 2,000 workers struck at the plant on Monday.", published=dt.date(1987, 3, 2))
    evidence = gather_evidence(
        "How many of the 2000 workers struck?", best_similarity=0.8, pool=[0.3], leading=[passage]
    )
    assert evidence.unmatched_years == ()


@pytest.mark.parametrize(
    "article,holds",
    [
        ("The code 20185 was filed.", False),
        ("Some 2,018 workers left.", False),
        ("Profit was 12018 dlrs.", False),
        ("In 2018, profit fell.", True),
        ("The 2018-19 season ended.", True),
    ],
)
def test_a_year_is_mentioned_only_as_a_whole_number(article, holds):
    passage = _passage("Sales rose.", article=article)
    evidence = gather_evidence("What were sales in 2018?", best_similarity=0.5, pool=[0.4], leading=[passage])
    assert evidence.unmatched_years == (() if holds else (2018,))


def test_a_chinese_question_is_covered_by_a_passage_answering_it_word_for_word():
    """Han text has no spaces: coverage compares character pairs, so the answering passage covers the question
    and an unrelated one does not."""
    question = "东京奥运会推迟到哪一年举行？"
    answering = _passage("东京奥运会推迟到2021年举行，组委会周二宣布。")
    unrelated = _passage("央行周二宣布下调存款准备金率。")
    covered = gather_evidence(question, best_similarity=0.7, pool=[0.3], leading=[answering])
    uncovered = gather_evidence(question, best_similarity=0.7, pool=[0.3], leading=[unrelated])
    assert covered.coverage is not None and covered.coverage >= 0.7
    assert uncovered.coverage is not None and uncovered.coverage <= 0.2


def test_a_german_question_is_covered_by_a_passage_answering_it():
    question = "Wie viele Arbeitsplätze streicht die Textilfirma Alder Mills?"
    answering = _passage("Die Textilfirma Alder Mills streicht 300 Arbeitsplätze in ihrer Weberei.")
    unrelated = _passage("Die Zentralbank ließ den Diskontsatz unverändert bei sechs Prozent.")
    covered = gather_evidence(question, best_similarity=0.7, pool=[0.3], leading=[answering])
    uncovered = gather_evidence(question, best_similarity=0.7, pool=[0.3], leading=[unrelated])
    assert covered.coverage is not None and covered.coverage >= 0.7
    assert uncovered.coverage is not None and uncovered.coverage <= 0.3


@pytest.mark.parametrize("question", ["what is it?", "?!..."])
def test_without_content_words_coverage_does_not_decide_alone(question):
    """A question of stop words has no coverage to measure: a close, specific passage still answers it, and
    the score reads NEUTRAL_COVERAGE rather than 0."""
    evidence = gather_evidence(question, best_similarity=0.55, pool=[0.4], leading=[_passage("Markets fell.")])
    assert evidence.coverage is None and evidence.scored_coverage == NEUTRAL_COVERAGE
    assert decide(evidence, min_similarity=FLOOR).answer
    assert not decide(replace(evidence, coverage=0.0), min_similarity=FLOOR).answer


def test_decide_takes_other_weights_for_calibration():
    evidence = _evidence(0.6, 0.4, 0.5)
    assert decide(evidence, min_similarity=FLOOR, weights=ScoreWeights(best=1, margin=0, coverage=0, bias=-0.5)).answer
    assert not decide(
        evidence, min_similarity=FLOOR, weights=ScoreWeights(best=1, margin=0, coverage=0, bias=-0.7)
    ).answer


@pytest.mark.parametrize("question", ["what is it of the?", "?!... ,;", "北京是中国的首都吗？", "ما هي عاصمة فرنسا؟"])
def test_stop_words_punctuation_or_another_script_get_an_answer_or_an_abstention(seed_engine, question):
    answer = seed_engine.ask(question, k=5, include_nearest=True)
    assert answer.abstained or answer.passages
    assert answer.abstained == (answer.passages == [])


ARCHIVE = [
    (
        "Port Alder approves new ferry terminal",
        "The Port Alder council approved a new ferry terminal on Tuesday. "
        "The terminal will cost 42 mln dlrs and open in 1989, the harbour master said.",
    ),
    (
        "Alder Mills to cut 300 jobs",
        "Alder Mills, the textile maker, said it will cut 300 jobs at its weaving plant "
        "because of falling orders from clothing retailers.",
    ),
    (
        "Coffee prices rise on Brazil frost",
        "Coffee futures rose sharply after frost damaged plantations in southern "
        "Brazil, traders said. Arabica for May delivery gained 8 cents a lb.",
    ),
    (
        "Central bank holds rates",
        "The central bank left its discount rate unchanged at 6 pct, saying inflation "
        "remained under control despite a weaker currency.",
    ),
    (
        "Dockworkers strike at Port Alder",
        "Dockworkers at Port Alder walked out over pay, halting the loading of "
        "grain ships. The union wants a 7 pct rise.",
    ),
    (
        "Steelmaker reports quarterly loss",
        "Northern Steel reported a quarterly loss of 12 mln dlrs, blaming cheap "
        "imports and a long strike at its rolling mill.",
    ),
    (
        "Wheat harvest forecast raised",
        "The agriculture ministry raised its wheat harvest forecast to 14 mln tonnes "
        "after good spring rains in the plains.",
    ),
    (
        "Airline orders new jets",
        "Coastal Airways ordered six new medium-range jets worth 180 mln dlrs to replace its ageing fleet by 1990.",
    ),
    (
        "Oil ministers meet in Vienna",
        "Oil ministers met in Vienna to discuss production quotas. Several producers "
        "called for output cuts to support prices.",
    ),
    (
        "Bank merger agreed",
        "First Harbour Bank agreed to merge with Alder Savings in a share swap valued at 95 mln "
        "dlrs, the two banks said.",
    ),
    (
        "Sugar exports fall",
        "Sugar exports fell 15 pct in the first quarter as producers held back stocks waiting for better world prices.",
    ),
    (
        "Copper mine reopens",
        "The Red Hill copper mine reopened after a three-month closure caused by flooding, "
        "its owner said. Output should reach 40,000 tonnes a year.",
    ),
    (
        "Trade deficit narrows",
        "The trade deficit narrowed to 1.2 billion dlrs in February as imports of cars and "
        "machinery fell and farm exports rose.",
    ),
    (
        "Football: Alder United reach cup final",
        "Alder United beat City Rovers 2-1 to reach the national cup final, "
        "their first since 1971, with a late goal from their captain.",
    ),
    (
        "World Cup qualifying draw made",
        "The draw for the 1990 World Cup qualifying rounds was made in Zurich on "
        "Monday, placing the national team in a group with three European sides.",
    ),
    (
        "Rail freight rates increased",
        "The state railway raised freight rates by 4 pct from April, citing higher fuel and wage costs.",
    ),
    (
        "Textile talks stall",
        "Talks on textile import quotas stalled in Geneva as exporting countries rejected the "
        "proposed limits on cotton shirts.",
    ),
    (
        "Gold price steady",
        "Gold was steady at 405 dlrs an ounce in quiet trading, with dealers waiting for the latest inflation figures.",
    ),
    (
        "Port traffic rises",
        "Cargo handled at Port Alder rose 9 pct last year to 11 mln tonnes, led by grain and timber shipments.",
    ),
    (
        "Chemical plant fire",
        "A fire at a chemical plant near the river forced the evacuation of 200 workers; no "
        "one was hurt, the fire brigade said.",
    ),
    (
        "Housing starts climb",
        "Housing starts climbed 6 pct in March as lower mortgage rates drew buyers back to "
        "the market, the statistics office said.",
    ),
    (
        "Fishing quota cut",
        "The fisheries ministry cut the cod quota by a fifth to protect stocks, angering the "
        "fishing fleet of the northern ports.",
    ),
    (
        "Electricity tariff frozen",
        "The government froze electricity tariffs for households until the end of the "
        "year to ease the burden of higher food prices.",
    ),
    (
        "Carmaker recalls vehicles",
        "Westline Motors recalled 40,000 cars to replace faulty brake hoses, the "
        "company said, adding no accidents had been reported.",
    ),
]
"""24 short wire stories of 1987: a toy archive for questions that it answers and questions that it cannot."""


@pytest.fixture(scope="module")
def toy_archive(tmp_path_factory, embedder) -> Engine:
    corpus = tmp_path_factory.mktemp("toy") / "corpus"
    corpus.mkdir()
    for number, (title, text) in enumerate(ARCHIVE):
        (corpus / f"story-{number:02}.txt").write_text(text, encoding="utf-8")
        meta = {"title": title, "outlet": "Wire", "published": f"1987-03-{number + 1:02}"}
        (corpus / f"story-{number:02}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=Path(corpus.parent) / "index", model=BUNDLED_MODEL)
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    return engine


def test_a_question_the_archive_answers_is_answered_from_its_story(toy_archive):
    answer = toy_archive.ask("How much will the new ferry terminal at Port Alder cost?", k=3)
    assert not answer.abstained
    assert "42 mln dlrs" in answer.passages[0].text


@pytest.mark.parametrize(
    "question", ["How many legs does a spider have?", "Who painted the Mona Lisa?", "How do you bake sourdough bread?"]
)
def test_general_knowledge_abstains_and_still_shows_the_nearest_on_request(toy_archive, question):
    answer = toy_archive.ask(question, k=3, include_nearest=True)
    assert answer.abstained and answer.passages == []
    assert answer.nearest


def test_a_question_about_a_year_the_archive_does_not_hold_abstains_though_its_topic_is_close(toy_archive):
    question = "Who won the 2018 World Cup?"
    evidence = abstention_evidence(toy_archive.index, toy_archive.query_encoder, question)
    assert evidence.best_similarity >= toy_archive.settings.min_similarity  # close in topic: the floor alone answers
    assert evidence.unmatched_years == (2018,)
    assert toy_archive.ask(question, k=3).abstained


def test_once_answered_a_passage_under_the_floor_is_shown_only_when_the_lexical_side_ranks_it_near_the_top(
    toy_archive,
):
    """On 24 stories BM25's top 10 is under half the archive: with the floor at 0.5 the question still answers,
    every passage shown under 0.5 is in BM25's top LEXICAL_NEAR_TOP, and some under 0.5 that BM25 ranks lower
    are left out."""
    question = "Why did the dockworkers at Port Alder strike over pay?"
    index, encoder = toy_archive.index, toy_archive.query_encoder
    answer = answer_question(index, encoder, question, k=len(ARCHIVE), min_similarity=0.5)
    assert not answer.abstained
    ranked = index.search_lexical(question, len(ARCHIVE))
    found = index.passages_with_articles(ranked)
    rank_of = {(found[pid][0].doc_id, found[pid][0].start): rank for rank, pid in enumerate(ranked, start=1)}
    shown = {(hit.doc_id, hit.passage.start) for hit in answer.passages}
    below = [hit for hit in answer.passages if hit.similarity < 0.5]
    assert below, "the answer should show a passage under 0.5 that BM25 ranks high"
    assert all(rank_of.get((hit.doc_id, hit.passage.start), 99) <= LEXICAL_NEAR_TOP for hit in below)
    query = encoder.encode_query(question)
    ids, vectors = index.stored_vectors(ranked)
    cosine = dict(zip(ids.tolist(), (vectors @ query).tolist(), strict=True))
    left_out = [
        pid
        for rank, pid in enumerate(ranked, start=1)
        if rank > LEXICAL_NEAR_TOP and cosine[pid] < 0.4 and (found[pid][0].doc_id, found[pid][0].start) not in shown
    ]
    assert left_out, "BM25 ranks passages under the floor below its top 10: they are not shown"


@pytest.mark.parametrize(
    "question",
    [
        "How much will the new ferry terminal at Port Alder cost?",
        "Who won the 2018 World Cup?",
        "How many legs does a spider have?",
        "Why did the dockworkers at Port Alder strike over pay?",
    ],
)
def test_the_decision_is_the_same_whatever_k_and_abstention_evidence_is_what_it_reads(toy_archive, question):
    """-k only says how many hits to show: the decision reads the same RERANK_POOL candidates for 1 or 60."""
    index, encoder = toy_archive.index, toy_archive.query_encoder
    evidence = abstention_evidence(index, encoder, question)
    # a floor exactly at the evidence's best similarity: a decision reading more candidates could cross it
    for floor in (evidence.best_similarity, evidence.best_similarity + 1e-6):
        expected = decide(evidence, min_similarity=floor)
        for k in (1, 5, 60):
            answer = answer_question(index, encoder, question, k=k, min_similarity=floor)
            assert answer.abstained == (not expected.answer), (k, floor)


FILLER_TOWNS = [f"Town{number}" for number in range(POOL_SIZE + 6)]


@pytest.fixture(scope="module")
def two_wires(tmp_path_factory, embedder) -> Engine:
    """The toy archive (outlet "Wire") beside more than POOL_SIZE short council stories of "Town Wire"."""
    corpus = tmp_path_factory.mktemp("wires") / "corpus"
    corpus.mkdir()
    stories = [(title, text, "Wire") for title, text in ARCHIVE] + [
        (f"{town} council meets", f"The {town} council met on Monday and approved its budget.", "Town Wire")
        for town in FILLER_TOWNS
    ]
    for number, (title, text, outlet) in enumerate(stories):
        (corpus / f"story-{number:02}.txt").write_text(text, encoding="utf-8")
        meta = {"title": title, "outlet": outlet, "published": "1987-03-02"}
        (corpus / f"story-{number:02}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
    engine = Engine(
        Settings(corpus_dir=corpus, index_dir=corpus.parent / "index", model=BUNDLED_MODEL), embedder=embedder
    )
    engine.build_index()
    return engine


def _typical(index, query: np.ndarray, ids: np.ndarray) -> float:
    _, vectors = index.stored_vectors(ids.tolist())
    return float(np.mean(np.sort(vectors @ query)[::-1][:POOL_SIZE]))


def test_the_typical_score_is_taken_among_the_passages_the_filters_leave(two_wires):
    """An outlet filter leaving more than POOL_SIZE passages: the pool is their nearest, not the archive's."""
    question = "How much will the new ferry terminal at Port Alder cost?"
    index, encoder = two_wires.index, two_wires.query_encoder
    query = encoder.encode_query(question)
    towns = SearchFilters(outlets=["Town Wire"])
    assert index.matching_passages(towns) >= POOL_SIZE
    filtered = abstention_evidence(index, encoder, question, filters=towns)
    whole = abstention_evidence(index, encoder, question)
    town_ids = index.passage_ids_where(outlets=["Town Wire"])
    all_ids = index.passage_ids_where(outlets=[])
    assert filtered.pool_similarity == pytest.approx(_typical(index, query, town_ids), abs=1e-3)
    assert whole.pool_similarity == pytest.approx(_typical(index, query, all_ids), abs=1e-3)
    assert filtered.pool_similarity < whole.pool_similarity - 0.01


def test_a_filter_leaving_fewer_than_the_pool_keeps_the_archive_typical_score(two_wires):
    """A filter leaving one outlet of 24 stories has no crowd of its own to stand above: the whole index's."""
    question = "How much will the new ferry terminal at Port Alder cost?"
    index, encoder = two_wires.index, two_wires.query_encoder
    wire = SearchFilters(outlets=["Wire"])
    assert index.matching_passages(wire) < POOL_SIZE
    filtered = abstention_evidence(index, encoder, question, filters=wire)
    assert filtered.pool_similarity == pytest.approx(abstention_evidence(index, encoder, question).pool_similarity)
    assert not two_wires.ask(question, k=3, filters=wire).abstained


def test_an_abstention_says_why(toy_archive):
    answer = toy_archive.ask("Who won the 2018 World Cup?", k=3)
    assert answer.abstained
    assert answer.message == f"{NOTHING_FOUND} No close passage is from or mentions 2018."
    document = json.loads(answer.model_dump_json())
    assert (document["abstained"], document["passages"], document["message"]) == (True, [], answer.message)
