"""A hit's context: its passage widened by whole sentences of its own article, within the budget."""

from __future__ import annotations

from qa.context import CONTEXT_WORDS, Context, widen
from qa.passages import sentence_spans

ARTICLE = " ".join(f"Sentence number {i} has exactly seven words." for i in range(60))


def span_of(first: int, last: int) -> Context:
    """Sentences `first` to `last` of ARTICLE."""
    start = ARTICLE.index(f"Sentence number {first} ")
    end = ARTICLE.index(f"Sentence number {last} ") + len(f"Sentence number {last} has exactly seven words.")
    return Context(start, end)


def words(context: Context) -> int:
    return len(ARTICLE[context.start : context.end].split())


def sentences_around(context: Context, sentence: Context) -> tuple[int, int]:
    """How many words of the context come before and after the answer sentence."""
    return words(Context(context.start, sentence.start)), words(Context(sentence.end, context.end))


def test_the_context_holds_the_passage_and_whole_sentences_up_to_the_budget():
    passage = span_of(20, 29)
    context = widen(ARTICLE, passage, span_of(25, 25))
    assert context.start <= passage.start and passage.end <= context.end
    assert CONTEXT_WORDS - 7 < words(context) <= CONTEXT_WORDS
    starts = {start for start, _ in sentence_spans(ARTICLE)}
    ends = {end for _, end in sentence_spans(ARTICLE)}
    assert context.start in starts and context.end in ends


def test_an_answer_at_the_passage_end_gets_the_sentences_after_it():
    passage = span_of(20, 29)
    context = widen(ARTICLE, passage, span_of(29, 29))
    before, after = sentences_around(context, span_of(29, 29))
    assert after > 7 * 5  # grown well past the passage's end
    assert abs(before - after) <= 7  # even around the answer sentence, to a sentence


def test_at_the_start_of_the_article_the_context_grows_after_the_passage():
    passage = span_of(0, 4)
    context = widen(ARTICLE, passage, span_of(0, 0))
    assert context.start == 0
    assert CONTEXT_WORDS - 7 < words(context) <= CONTEXT_WORDS


def test_a_passage_longer_than_the_budget_is_shown_as_it_is():
    passage = span_of(10, 40)
    assert widen(ARTICLE, passage, span_of(12, 12)) == passage


def test_the_context_never_leaves_its_article():
    short = "Only one sentence here. And a second one."
    context = widen(short, Context(0, 23), Context(0, 23))
    assert (context.start, context.end) == (0, len(short))


def test_contexts_that_share_text_overlap_and_merge_into_their_union():
    first, second, next_to = Context(0, 100), Context(90, 180), Context(180, 200)
    assert first.overlaps(second) and second.overlaps(first)
    assert not second.overlaps(next_to)
    assert first.union(second) == Context(0, 180)
