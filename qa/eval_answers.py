"""News QA on data (`qa eval FILE.jsonl --answers`): does what `qa ask` shows contain the answer, and does it
abstain when the archive has none; beside plain BM25 over windows as long as `qa`'s hits, read at equal cost.

Questions are `{"question": ..., "answer": ...}` lines; an `answer` of null marks a question the archive cannot
answer, which should abstain. Other fields are ignored. A question counts as answered at k when its answer
string appears in the shown text of one of the first k hits. Both sides are compared after Unicode NFKC,
case folding and collapsing runs of whitespace; nothing else is rewritten: numbers, separators and units are
matched as written (`1,000` does not match `1000`, nor `54 mln dlrs` match `54 million dollars`), so an
answer should be spelled as the archive spells it.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from qa.engine import Engine
from qa.errors import QAError
from qa.eval_windows import WindowIndex, WindowShape
from qa.models import Hit
from qa.progress import ProgressCallback, Stage

CUTOFFS = (1, 5, 10)
"""Recall is reported at these numbers of hits; `qa` is asked for the largest."""
DEPTH = max(CUTOFFS)
QA_SYSTEM = "qa"
BASELINE_SYSTEM = "bm25-windows"
_WHITESPACE = re.compile(r"\s+")


class NewsQuestion(BaseModel):
    """One line of the questions file."""

    line: int
    """Its line number in the file (from 1), to name it in errors and per-question results."""
    question: str
    answer: str | None
    """The answer string to find in a hit; None when the question should abstain."""

    @property
    def answerable(self) -> bool:
        return self.answer is not None


class SystemScores(BaseModel):
    """One system's row of the table."""

    system: str
    """`qa` (what `qa ask` shows) or `bm25-windows` (the plain baseline)."""
    recall_at: dict[int, float | None]
    """k -> share of answerable questions whose answer string is in one of the first k hits (None without any)."""
    abstained_unanswerable: float | None
    """Share of null-answer questions that got no hit (abstained); None when there are none."""
    answered_answerable: float | None
    """Share of answerable questions that got any hit (did not abstain); None when there are none."""
    can_abstain: bool
    """False for the baseline: it shows whatever matches a word of the question."""
    mean_words_per_hit: float
    """Words (whitespace-separated) of shown text per hit, over every hit shown for every question."""
    hits: int
    """Hits shown in all, over all questions."""
    questions_per_second: float


class QuestionOutcome(BaseModel):
    """How each system did on one question (for reading the misses)."""

    line: int
    question: str
    answer: str | None
    qa_abstained: bool
    qa_rank: int | None
    """The first `qa` hit (from 1) whose shown text holds the answer; None when none does (or no answer)."""
    baseline_rank: int | None
    """The same for the baseline's windows."""


class AnswerEvalReport(BaseModel):
    """Everything `qa eval --answers` prints, and its `--json` document."""

    questions: int
    answerable: int
    unanswerable: int
    articles: int
    """Articles the baseline's windows were cut from (the corpus as `qa index` reads it)."""
    window_words: int
    """The baseline's window length: `qa`'s mean words per hit in this run, rounded."""
    window_stride: int
    windows: int
    systems: list[SystemScores]
    outcomes: list[QuestionOutcome] = Field(default_factory=list)


def load_news_questions(path: Path) -> list[NewsQuestion]:
    """The questions of a JSONL file; a QAError names the file and line of the first malformed record."""
    if not path.exists():
        raise QAError(f"The questions file {path} does not exist.")
    if not path.is_file():
        raise QAError(f"{path} is not a file: give a JSONL file of questions, one per line, e.g. {_EXAMPLE}.")
    questions = []
    with path.open(encoding="utf-8") as handle:
        try:
            lines = list(handle)
        except UnicodeDecodeError as error:
            raise QAError(f"{path} is not UTF-8 text ({error.reason}).") from error
    for number, line in enumerate(lines, start=1):
        if line.strip():
            questions.append(_question(line, path, number))
    if not questions:
        raise QAError(f"{path} holds no questions: expected one JSON object per line, e.g. {_EXAMPLE}.")
    return questions


_EXAMPLE = '{"question": "Who bought Conrail?", "answer": "CSX"}'


def _question(line: str, path: Path, number: int) -> NewsQuestion:
    where = f"{path}: line {number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise QAError(f"{where} is not valid JSON ({error.msg}).") from error
    if not isinstance(record, dict):
        raise QAError(f"{where} is not a JSON object; expected e.g. {_EXAMPLE}.")
    question, answer = record.get("question"), record.get("answer", ...)
    if not isinstance(question, str) or not question.strip():
        raise QAError(f'{where} has no "question" text.')
    if answer is ...:
        raise QAError(f'{where} has no "answer" (give the answer string, or null for a question that should abstain).')
    if answer is not None and (not isinstance(answer, str) or not normalised(answer)):
        raise QAError(f'{where}: "answer" must be a non-empty string, or null for a question that should abstain.')
    return NewsQuestion(line=number, question=question.strip(), answer=answer)


def normalised(text: str) -> str:
    """Text as answers are matched: NFKC, case-folded, whitespace runs as one space, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def shown_text(hit: Hit) -> str:
    """What a reader sees of a hit, the text answers are looked for in: the passage widened to its context."""
    return hit.text


def answer_rank(texts: list[str], answer: str | None) -> int | None:
    """The rank (from 1) of the first text that contains the answer string, or None."""
    if answer is None:
        return None
    wanted = normalised(answer)
    return next((rank for rank, text in enumerate(texts, start=1) if wanted in normalised(text)), None)


def evaluate_answers(
    questions: list[NewsQuestion], engine: Engine, *, on_progress: ProgressCallback | None = None
) -> AnswerEvalReport:
    """Ask each question through the engine (as `qa ask` does), then the baseline at `qa`'s mean hit length.

    The engine's index must already be built from its corpus; the baseline reads the same corpus folder.
    When `qa` shows no hit at all, the windows are `max_words` long (the longest a passage grows).
    """
    progress = on_progress or (lambda stage, done, total: None)
    started = time.perf_counter()
    shown: list[list[str]] = []
    abstained: list[bool] = []
    for done, each in enumerate(questions, start=1):
        answer = engine.ask(each.question, k=DEPTH)
        shown.append([shown_text(hit) for hit in answer.passages])
        abstained.append(answer.abstained)
        progress(Stage.ANSWERING, done, len(questions))
    qa_scores = _scores(QA_SYSTEM, questions, shown, abstained, time.perf_counter() - started, can_abstain=True)

    shape = WindowShape.of_length(round(qa_scores.mean_words_per_hit) or engine.settings.max_words)
    baseline = WindowIndex(shape)
    try:
        articles = _add_corpus(baseline, engine, progress)
        started = time.perf_counter()
        found: list[list[str]] = []
        for done, each in enumerate(questions, start=1):
            found.append(baseline.search(each.question, DEPTH))
            progress(Stage.SEARCHING_WINDOWS, done, len(questions))
        elapsed = time.perf_counter() - started
        windows = baseline.windows
    finally:
        baseline.close()
    baseline_scores = _scores(
        BASELINE_SYSTEM, questions, found, [not texts for texts in found], elapsed, can_abstain=False
    )
    return AnswerEvalReport(
        questions=len(questions),
        answerable=sum(q.answerable for q in questions),
        unanswerable=sum(not q.answerable for q in questions),
        articles=articles,
        window_words=shape.words,
        window_stride=shape.stride,
        windows=windows,
        systems=[qa_scores, baseline_scores],
        outcomes=[
            QuestionOutcome(
                line=each.line,
                question=each.question,
                answer=each.answer,
                qa_abstained=abstained[position],
                qa_rank=answer_rank(shown[position], each.answer),
                baseline_rank=answer_rank(found[position], each.answer),
            )
            for position, each in enumerate(questions)
        ],
    )


def _add_corpus(baseline: WindowIndex, engine: Engine, progress: ProgressCallback) -> int:
    """Index the text of every article of the engine's corpus folder, read as `qa index` reads it."""
    from qa.ingest import corpus_files, read_file

    corpus_dir = engine.settings.corpus_dir
    files = corpus_files(corpus_dir)
    articles = 0
    for done, path in enumerate(files, start=1):
        texts = [article.text for article in read_file(path, corpus_dir=corpus_dir)]
        baseline.add(texts)
        articles += len(texts)
        progress(Stage.CUTTING_WINDOWS, done, len(files))
    return articles


def _scores(
    system: str,
    questions: list[NewsQuestion],
    shown: list[list[str]],
    abstained: list[bool],
    seconds: float,
    *,
    can_abstain: bool,
) -> SystemScores:
    """One row: recall over answerable questions, both abstention shares, words per hit over all hits."""
    answerable = [position for position, q in enumerate(questions) if q.answerable]
    unanswerable = [position for position, q in enumerate(questions) if not q.answerable]
    ranks = [answer_rank(shown[position], questions[position].answer) for position in answerable]
    hits = [text for texts in shown for text in texts]
    return SystemScores(
        system=system,
        recall_at={k: _share(rank is not None and rank <= k for rank in ranks) for k in CUTOFFS},
        abstained_unanswerable=_share(abstained[position] for position in unanswerable),
        answered_answerable=_share(not abstained[position] for position in answerable),
        can_abstain=can_abstain,
        mean_words_per_hit=sum(len(text.split()) for text in hits) / len(hits) if hits else 0.0,
        hits=len(hits),
        questions_per_second=len(questions) / seconds if seconds > 0 else 0.0,
    )


def _share(outcomes: Iterable[bool]) -> float | None:
    """The share of true outcomes, or None when there are none to count."""
    outcomes = list(outcomes)
    return sum(outcomes) / len(outcomes) if outcomes else None
