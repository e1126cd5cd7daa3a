"""Seed questions on the real model: the answering passage ranks high, with outlet and date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from qa.answer import LEXICAL_NEAR_TOP, asks_for_latest
from qa.config import Settings
from qa.engine import Engine
from qa.errors import UsageError
from qa.models import SearchFilters
from qa.passages import sentence_spans
from tests.support.seeds import FEB_11_2024, SEED_QUESTIONS, assert_cited_as, hit_with
from tests.support.seeds import FORBES_CITATION as FORBES
from tests.support.seeds import KYIV_CITATION as KYIV


def test_who_denied_sales_to_russia_finds_both_denials_with_their_outlets(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=5)
    assert not answer.abstained
    musk = hit_with(answer, "This is categorically false")
    assert_cited_as(musk, KYIV)
    spacex = hit_with(answer, "never done business with the Russian government")
    assert_cited_as(spacex, FORBES)


@pytest.mark.parametrize("question,phrase,source", SEED_QUESTIONS)
def test_seed_question_ranks_the_answering_passage_in_the_top_three(
    seed_engine, seed_articles, question, phrase, source
):
    answer = seed_engine.ask(question, k=5)
    assert not answer.abstained
    hit = hit_with(answer, phrase)
    assert_cited_as(hit, source)
    article = next(a for a in seed_articles.values() if a.doc_id == hit.doc_id)
    assert article.text[hit.start : hit.end] == hit.text


@pytest.mark.parametrize("question", ["What is the boiling point of tungsten?", "Who won the 1998 World Cup?"])
def test_off_topic_questions_abstain_with_no_passages(seed_engine, question):
    answer = seed_engine.ask(question, k=5)
    assert answer.abstained is True
    assert answer.passages == []
    assert answer.message


def test_hits_are_ranked_from_one_and_at_most_k(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=3)
    assert [hit.rank for hit in answer.passages] == list(range(1, len(answer.passages) + 1))
    assert 1 <= len(answer.passages) <= 3
    scores = [hit.score for hit in answer.passages]
    assert scores == sorted(scores, reverse=True)


def test_every_shown_hit_is_similar_enough_to_the_question_or_lexically_near_the_top(seed_engine):
    question = "Who denied sales to Russia?"
    answer = seed_engine.ask(question, k=10)
    lexical = seed_engine.index.passages_with_articles(seed_engine.index.search_lexical(question, LEXICAL_NEAR_TOP))
    near_top = {(passage.doc_id, passage.start) for passage, _ in lexical.values()}
    assert all(
        hit.similarity >= seed_engine.settings.min_similarity or (hit.doc_id, hit.passage.start) in near_top
        for hit in answer.passages
    )


def test_each_highlight_is_a_sentence_of_its_passage(seed_engine):
    answer = seed_engine.ask("Who confirmed a Pentagon contract for Starlink?", k=5)
    assert answer.passages
    for hit in answer.passages:
        assert hit.highlight in sentence_spans(hit.text)
    best = answer.passages[0]
    assert "the Pentagon confirmed" in best.highlighted_sentence


def test_a_question_is_answered_from_its_stripped_text(seed_engine):
    assert seed_engine.ask("  Who denied sales to Russia?\n").question == "Who denied sales to Russia?"


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_a_usage_error(seed_engine, question):
    with pytest.raises(UsageError, match="empty"):
        seed_engine.ask(question)


def test_k_below_one_is_a_usage_error(seed_engine):
    with pytest.raises(UsageError, match="-k"):
        seed_engine.ask("Who denied sales to Russia?", k=0)


# -- filters ----------------------------------------------------------------------------------


def test_an_outlet_filter_keeps_only_that_outlet(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=5, filters=SearchFilters(outlets=["forbes"]))
    assert answer.passages and {hit.outlet for hit in answer.passages} == {"Forbes"}
    assert answer.filters.outlets == ["forbes"]


def test_a_date_range_keeps_articles_inside_it(seed_engine):
    inside = SearchFilters(since=FEB_11_2024, until=FEB_11_2024)
    assert seed_engine.ask("Who denied sales to Russia?", filters=inside).passages
    after = SearchFilters(since=dt.date(2024, 3, 1))
    answer = seed_engine.ask("Who denied sales to Russia?", filters=after)
    assert answer.abstained and answer.passages == []
    assert "No article in the index matches the filters (since 1 Mar 2024)" in answer.message


def test_a_filter_that_matches_nothing_says_so(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", filters=SearchFilters(outlets=["The Daily Planet"]))
    assert answer.abstained
    assert answer.message == (
        "No article in the index matches the filters (outlet The Daily Planet). "
        'No outlet "The Daily Planet" in the index (`qa outlets` lists them).'
    )


UNDATED_NOTE = """---
title: Starlink terminals on the black market
outlet: The Daily Planet
---
Starlink terminals are sold on the black market in several countries, traders told reporters.
Some of the terminals were smuggled across borders and resold at twice the price, traders said.
"""


def test_a_date_filter_excludes_undated_articles_and_counts_them(seed_copy, embedder):
    (seed_copy.corpus_dir / "undated.md").write_text(UNDATED_NOTE, encoding="utf-8")
    engine = Engine(seed_copy, embedder=embedder)
    engine.build_index()
    unfiltered = engine.ask("Are Starlink terminals sold on the black market?", k=5)
    assert any(hit.outlet == "The Daily Planet" and hit.published is None for hit in unfiltered.passages)
    filtered = engine.ask(
        "Are Starlink terminals sold on the black market?", k=5, filters=SearchFilters(since=dt.date(2024, 1, 1))
    )
    assert all(hit.published is not None for hit in filtered.passages)
    assert filtered.excluded_undated == 1
    assert "1 undated article(s) left out by the date filter." in filtered.message
    # with an outlet filter too, only that outlet's undated articles count as left out by the date
    forbes_only = SearchFilters(outlets=["Forbes"], since=dt.date(2024, 1, 1))
    assert engine.ask("Are Starlink terminals sold on the black market?", filters=forbes_only).excluded_undated == 0


# -- grouping, corroboration, summary ---------------------------------------------------------


def test_hits_of_one_article_are_grouped_into_one_card_best_first(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=6)
    assert len(answer.cards) == len({hit.doc_id for hit in answer.passages})
    assert [hit for card in answer.cards for hit in card.hits] == sorted(
        answer.passages, key=lambda hit: ([c.doc_id for c in answer.cards].index(hit.doc_id), hit.rank)
    )
    for card in answer.cards:
        assert {hit.doc_id for hit in card.hits} == {card.doc_id}
        assert card.citation.outlet == card.hits[0].outlet
    assert answer.cards[0].hits[0] == answer.passages[0]


def test_the_other_outlets_denial_corroborates_the_top_answer(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=5)
    top = answer.passages[0]
    assert answer.corroboration, "the two outlets' denials should corroborate each other"
    others = {(c.outlet, c.published) for c in answer.corroboration}
    expected_other = "The Kyiv Independent" if top.outlet == "Forbes" else "Forbes"
    assert (expected_other, FEB_11_2024) in others
    for corroboration in answer.corroboration:
        assert corroboration.outlet != top.outlet
        shown = [hit.text for hit in answer.passages if hit.doc_id == corroboration.doc_id]
        assert any(corroboration.sentence in text for text in shown)  # verbatim from the corpus, and shown


def test_the_summary_names_who_said_it_with_outlet_and_date(seed_engine):
    summary = seed_engine.ask("Who denied sales to Russia?", k=5).summary
    assert "(The Kyiv Independent, 11 Feb 2024)" in summary
    assert "(Forbes, 11 Feb 2024)" in summary
    assert "Musk (The Kyiv Independent, 11 Feb 2024)" in summary  # the quote is Musk's, on X
    assert "SpaceX (Forbes, 11 Feb 2024)" in summary


def test_every_quoted_sentence_of_the_summary_is_in_the_corpus(seed_engine, seed_articles):
    summary = seed_engine.ask("Who denied sales to Russia?", k=5).summary
    corpus = " ".join(" ".join(article.text.split()) for article in seed_articles.values())
    for quoted in re.findall(r"“(.+?)”(?: ·|$)", summary):
        assert " ".join(quoted.split()) in corpus


# -- abstention, odd questions -----------------------------------------------------------------


def test_the_nearest_passages_of_an_abstention_are_available_on_request(seed_engine):
    answer = seed_engine.ask("Who won the 1998 World Cup?", k=3, include_nearest=True)
    assert answer.abstained and answer.passages == []
    assert 1 <= len(answer.nearest) <= 3
    assert all(hit.similarity < seed_engine.settings.min_similarity for hit in answer.nearest)


def test_a_very_long_question_is_answered_or_refused_without_crashing(seed_engine):
    question = ("Who denied that Starlink terminals were sold to Russia? " * 200)[:10_000]
    answer = seed_engine.ask(question, k=3)
    assert answer.abstained or answer.passages[0].outlet in {"Forbes", "The Kyiv Independent"}


@pytest.mark.parametrize("question", ["Кто отрицал продажи России?", "谁否认向俄罗斯出售?", "🛰️❓"])
def test_a_question_in_another_script_gets_an_answer_or_an_abstention(seed_engine, question):
    answer = seed_engine.ask(question, k=3)
    assert answer.abstained or all(hit.outlet for hit in answer.passages)


# -- time --------------------------------------------------------------------------------------

CEASEFIRE = {
    "early.md": (
        "2024-01-10",
        "The Morning Ledger",
        "The ceasefire in the valley is holding, officials said on Tuesday. "
        "Both sides reported no shelling along the river for a third day.",
    ),
    "late.md": (
        "2024-03-20",
        "The Evening Courier",
        "The ceasefire in the valley has collapsed, officials said on Wednesday. "
        "Shelling along the river resumed overnight after weeks of calm.",
    ),
}


def test_latest_questions_favour_newer_articles_and_conflicting_reports_show_both_dates(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, (date, outlet, text) in CEASEFIRE.items():
        (corpus / name).write_text(f"---\ntitle: Valley ceasefire\noutlet: {outlet}\npublished: {date}\n---\n{text}\n")
    engine = Engine(Settings(corpus_dir=corpus, index_dir=tmp_path / "index"), embedder=embedder)
    engine.build_index()
    latest = engine.ask("What is the latest on the ceasefire in the valley?", k=5)
    assert latest.passages[0].outlet == "The Evening Courier"
    assert latest.passages[0].published == dt.date(2024, 3, 20)
    shown = {(hit.outlet, hit.published) for hit in latest.passages}
    assert ("The Morning Ledger", dt.date(2024, 1, 10)) in shown
    assert asks_for_latest("What is the latest on the ceasefire?")
    assert not asks_for_latest("Who denied sales to Russia?")
