"""Seed questions on the real model: the answering passage ranks high, with outlet and date."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.errors import UsageError
from qa.models import Answer, Hit
from qa.passages import sentence_spans

FEB_11_2024 = dt.date(2024, 2, 11)
FORBES = {
    "outlet": "Forbes",
    "published": FEB_11_2024,
    "via": ("The America One News", dt.date(2025, 5, 31)),
}
KYIV = {"outlet": "The Kyiv Independent", "published": FEB_11_2024, "via": None}


def hit_with(answer: Answer, phrase: str, *, within: int = 3) -> Hit:
    """The hit among the first `within` whose passage has `phrase`; fails showing the ranking."""
    for hit in answer.passages[:within]:
        if phrase in hit.text:
            return hit
    ranking = [(hit.rank, hit.outlet, hit.text[:70]) for hit in answer.passages]
    pytest.fail(
        f"{phrase!r} is not in the first {within} passages for {answer.question!r}: {ranking}"
    )


def assert_cited_as(hit: Hit, source: dict) -> None:
    assert hit.outlet == source["outlet"]
    assert hit.published == source["published"]
    if source["via"] is None:
        assert hit.republished_by is None
    else:
        assert hit.republished_by is not None
        assert (hit.republished_by.outlet, hit.republished_by.published) == source["via"]


def test_who_denied_sales_to_russia_finds_both_denials_with_their_outlets(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=5)
    assert not answer.abstained
    musk = hit_with(answer, "This is categorically false")
    assert_cited_as(musk, KYIV)
    spacex = hit_with(answer, "never done business with the Russian government")
    assert_cited_as(spacex, FORBES)


SEED_QUESTIONS = [
    pytest.param(
        "Which brigade was using Starlink?",
        "Russia’s 83rd Assault Brigade based in Donetsk Oblast",
        KYIV,
        id="brigade-kyiv",
    ),
    pytest.param(
        "Which brigade was using Starlink?",
        "Russia’s 83rd Assault Brigade was using the service",
        FORBES,
        id="brigade-forbes",
    ),
    pytest.param(
        "What did Musk order in Crimea in 2022?",
        "Musk secretly ordered SpaceX engineers to turn off the system in Crimea",
        FORBES,
        id="crimea",
    ),
    pytest.param(
        "Who confirmed a Pentagon contract for Starlink?",
        "the Pentagon confirmed that SpaceX had won a contract",
        KYIV,
        id="pentagon",
    ),
    pytest.param(
        "What did SpaceX call the Starlink sales advertised by Russian companies?",
        "SpaceX said these sales are scams",
        KYIV,
        id="scams",
    ),
    pytest.param(
        "What did Gwynne Shotwell say at the FAA conference?",
        "Aviation Administration conference the service was “never meant to be weaponized.”",
        FORBES,
        id="shotwell",
    ),
    pytest.param(
        "How long was the audio clip released by the agency?",
        "a brief 12-second audio clip",
        FORBES,
        id="audio-clip",
    ),
    pytest.param(
        "When did SpaceX start providing Starlink to Ukraine?",
        "shortly after the Russian full-scale invasion in February 2022",
        KYIV,
        id="since-2022",
    ),
    pytest.param(
        "Would Starlink satellites connect in Russia?",
        "Starlink satellites will not close the link in Russia",
        KYIV,
        id="close-the-link",
    ),
    pytest.param(
        "What did Andriy Yusov say about Russian soldiers using Starlink?",
        "said they had “recorded cases” of Russian soldiers using the system",
        FORBES,
        id="yusov",
    ),
    pytest.param(
        "Why did Musk turn off Starlink near Sevastopol?",
        "after receiving an emergency request from the Ukrainian government",
        FORBES,
        id="sevastopol",
    ),
]


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


@pytest.mark.parametrize(
    "question", ["What is the boiling point of tungsten?", "Who won the 1998 World Cup?"]
)
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


def test_every_shown_hit_is_similar_enough_to_the_question(seed_engine):
    answer = seed_engine.ask("Who denied sales to Russia?", k=10)
    assert all(hit.similarity >= seed_engine.settings.min_similarity for hit in answer.passages)


def test_each_highlight_is_a_sentence_of_its_passage(seed_engine):
    answer = seed_engine.ask("Who confirmed a Pentagon contract for Starlink?", k=5)
    assert answer.passages
    for hit in answer.passages:
        assert hit.highlight in sentence_spans(hit.text)
    best = answer.passages[0]
    assert "the Pentagon confirmed" in best.highlighted_sentence


def test_a_question_is_answered_from_its_stripped_text(seed_engine):
    assert (
        seed_engine.ask("  Who denied sales to Russia?\n").question == "Who denied sales to Russia?"
    )


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_an_empty_question_is_a_usage_error(seed_engine, question):
    with pytest.raises(UsageError, match="empty"):
        seed_engine.ask(question)


def test_k_below_one_is_a_usage_error(seed_engine):
    with pytest.raises(UsageError, match="-k"):
        seed_engine.ask("Who denied sales to Russia?", k=0)
