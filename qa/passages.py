"""Cut articles into sentence-aligned passages whose offsets slice back into the article text."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sentencex

from qa.models import Article, Passage

_PARAGRAPH = re.compile(r"\S(?:.*?\S)??(?=\s*\n\s*\n|\s*\Z)", re.S)
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    words: int
    paragraph_end: bool = False
    """True for the last sentence of a paragraph: a natural place to end a passage."""


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs, trimmed of surrounding white space."""
    return [match.span() for match in _PARAGRAPH.finditer(text)]


def sentence_spans(text: str, *, language: str = "en") -> list[tuple[int, int]]:
    """Sentences of `text` as (start, end) offsets, trimmed; never crossing a paragraph break."""
    return [span for paragraph in _paragraph_sentences(text, language) for span in paragraph]


def _paragraph_sentences(text: str, language: str = "en") -> list[list[tuple[int, int]]]:
    """For each paragraph, its sentence spans (offsets into `text`)."""
    paragraphs = []
    for para_start, para_end in paragraph_spans(text):
        paragraph = text[para_start:para_end]
        spans = []
        cursor = 0
        for sentence in sentencex.segment(language, paragraph):
            sentence = sentence.strip()
            if not sentence:
                continue
            found = paragraph.find(sentence, cursor)
            if found < 0:  # the segmenter altered the text: keep the rest of the paragraph whole
                break
            spans.append((para_start + found, para_start + found + len(sentence)))
            cursor = found + len(sentence)
        rest = paragraph[cursor:]
        if rest.strip():
            spans.append((para_start + cursor + len(rest) - len(rest.lstrip()), para_end))
        paragraphs.append(spans)
    return paragraphs


def _sentences_within_limit(text: str, max_words: int) -> list[Span]:
    """Sentence spans, with any sentence longer than `max_words` cut into word windows."""
    spans: list[Span] = []
    for sentences in _paragraph_sentences(text):
        for index, (start, end) in enumerate(sentences):
            words = list(_WORD.finditer(text, start, end))
            windows = [words[i : i + max_words] for i in range(0, len(words), max_words)]
            for window_index, window in enumerate(windows):
                last = index == len(sentences) - 1 and window_index == len(windows) - 1
                spans.append(Span(window[0].start(), window[-1].end(), len(window), paragraph_end=last))
    return spans


def chunk_text(text: str, *, min_words: int = 40, max_words: int = 150) -> list[tuple[int, int]]:
    """Group whole sentences into (start, end) chunks of roughly min..max words.

    A chunk closes at a paragraph end once it has `min_words`, or before a sentence that
    would push it past `max_words`. A short tail joins the chunk before it when that fits.
    """
    chunks: list[list[Span]] = []
    current: list[Span] = []
    words = 0
    for span in _sentences_within_limit(text, max_words):
        if current and words + span.words > max_words:
            chunks.append(current)
            current, words = [], 0
        current.append(span)
        words += span.words
        if span.paragraph_end and words >= min_words:
            chunks.append(current)
            current, words = [], 0
    if current:
        previous_words = sum(s.words for s in chunks[-1]) if chunks else 0
        if chunks and words < min_words and previous_words + words <= max_words:
            chunks[-1].extend(current)
        else:
            chunks.append(current)
    return [(chunk[0].start, chunk[-1].end) for chunk in chunks]


def chunk_article(article: Article, *, min_words: int = 40, max_words: int = 150) -> list[Passage]:
    return [
        Passage(doc_id=article.doc_id, ordinal=ordinal, start=start, end=end, text=article.text[start:end])
        for ordinal, (start, end) in enumerate(chunk_text(article.text, min_words=min_words, max_words=max_words))
    ]
