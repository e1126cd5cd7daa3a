"""Passages are whole sentences whose offsets slice back into the article text."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.models import Article
from qa.passages import chunk_article, chunk_text, sentence_spans

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def _article(text: str) -> Article:
    return Article(doc_id="test", text=text, source_path="test.txt")


@pytest.mark.parametrize("seed", ["forbes", "kyiv"])
def test_seed_passage_offsets_slice_back(seed_articles, seed):
    article = seed_articles[seed]
    passages = chunk_article(article)
    assert len(passages) >= 2
    for passage in passages:
        assert article.text[passage.start : passage.end] == passage.text


def test_indexed_passage_offsets_slice_back_into_the_stored_article(indexed_passages):
    assert len(indexed_passages) >= 4
    for passage, article in indexed_passages:
        assert article.text[passage.start : passage.end] == passage.text


@pytest.mark.parametrize("seed", ["forbes", "kyiv"])
def test_seed_passages_are_whole_sentences_of_40_to_150_words(seed_articles, seed):
    article = seed_articles[seed]
    sentences = sentence_spans(article.text)
    starts, ends = {s for s, _ in sentences}, {e for _, e in sentences}
    for passage in chunk_article(article, min_words=40, max_words=150):
        assert passage.start in starts and passage.end in ends, passage.text
        assert _SENTENCE_END.search(passage.text), passage.text
        assert 40 <= len(passage.text.split()) <= 150, passage.text


@pytest.mark.parametrize("seed", ["forbes", "kyiv"])
def test_seed_passages_cover_the_whole_article_in_order(seed_articles, seed):
    article = seed_articles[seed]
    passages = chunk_article(article)
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert " ".join(p.text for p in passages).split() == article.text.split()


def test_an_article_shorter_than_the_minimum_is_one_passage():
    text = "The bridge reopened on Monday. Traffic was light.\n\nOfficials were pleased."
    [passage] = chunk_article(_article(text), min_words=40, max_words=150)
    assert (passage.start, passage.end, passage.text) == (0, len(text), text)


def test_a_sentence_longer_than_the_maximum_is_cut_into_windows_of_its_words():
    sentence = " ".join(f"word{i}" for i in range(400)) + "."
    spans = chunk_text(sentence, min_words=40, max_words=150)
    assert [len(sentence[s:e].split()) for s, e in spans] == [150, 150, 100]
    assert " ".join(sentence[s:e] for s, e in spans) == sentence


def test_passages_close_at_a_paragraph_end_once_they_reach_the_minimum():
    first = "Alpha beta gamma delta. " * 3  # 12 words
    second = "Epsilon zeta eta theta. " * 3
    text = f"{first.strip()}\n\n{second.strip()}"
    spans = chunk_text(text, min_words=10, max_words=150)
    assert [text[s:e] for s, e in spans] == [first.strip(), second.strip()]


# -- properties ----------------------------------------------------------------------------

_words = st.sampled_from(
    [
        "Musk",
        "said",
        "Starlink",
        "U.S.",
        "Feb.",
        "a",
        "“quoted",
        "text.”",
        "end.",
        "why?",
        "wow!",
        "Dr.",
        "3.5",
        "e.g.",
        "...",
        "—",
        "word",
        "Київ",
        "ünïcode.",
    ]
)
_separators = st.sampled_from([" ", " ", " ", "\n", "\n\n", ". ", "  \n \n", "\t", "\u00a0"])
_prose = st.lists(st.tuples(_words, _separators), max_size=300).map(
    lambda pairs: "".join(word + sep for word, sep in pairs)
)
any_text = st.one_of(st.text(), _prose)


def _within_one_sentence(text: str, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in sentence_spans(text))


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(any_text, st.integers(1, 30), st.integers(1, 60))
def test_chunk_spans_slice_back_in_order_without_overlap(text, a, b):
    min_words, max_words = min(a, b), max(a, b)
    spans = chunk_text(text, min_words=min_words, max_words=max_words)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip()
        if len(piece.split()) > max_words:  # only a window of one over-long sentence may be longer
            assert _within_one_sentence(text, start, end)
        previous_end = end
    assert bool(spans) == bool(text.strip())


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(any_text, st.integers(1, 30), st.integers(1, 60))
def test_chunking_loses_no_text(text, a, b):
    min_words, max_words = min(a, b), max(a, b)
    spans = chunk_text(text, min_words=min_words, max_words=max_words)
    covered = [False] * len(text)
    for start, end in spans:
        covered[start:end] = [True] * (end - start)
    lost = [
        char for char, kept in zip(text, covered, strict=True) if not kept and not char.isspace()
    ]
    assert lost == []


@settings(
    max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(any_text)
def test_sentence_spans_never_crash_and_are_ordered_trimmed_slices(text):
    previous_end = 0
    for start, end in sentence_spans(text):
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end


@settings(
    max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(_prose)
def test_chunk_article_passages_slice_back(text):
    article = _article(text)
    for ordinal, passage in enumerate(chunk_article(article, min_words=5, max_words=20)):
        assert passage.ordinal == ordinal
        assert article.text[passage.start : passage.end] == passage.text
