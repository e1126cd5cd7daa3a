"""`qa eval FILE.jsonl --answers --corpus FOLDER`: news QA scored, `qa` beside plain BM25 at equal reading cost."""

from __future__ import annotations

import tempfile
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from qa.cli.common import settings_from
from qa.cli.output import echo, echo_line, write_json
from qa.errors import QAError
from qa.locations import user_path

if TYPE_CHECKING:
    from qa.eval_answers import AnswerEvalReport, SystemScores

BACKEND = "embedded"
"""The evaluation index is always a local folder: a temporary one must never land in a configured Milvus."""


def run_answers_eval(questions_file: Path, corpus: Path, index: Path | None, *, as_json: bool, quiet: bool) -> None:
    """Index `corpus` into `index` (or a temporary folder, removed after), ask every question, print the table."""
    from qa.eval_answers import load_news_questions

    questions = load_news_questions(questions_file)
    if not corpus.is_dir():
        raise QAError(f"The corpus folder {user_path(corpus)} does not exist.")
    with tempfile.TemporaryDirectory(prefix="qa-eval-index-") if index is None else nullcontext(index) as kept:
        report = _evaluate(questions, corpus, Path(kept), quiet=quiet)
    if as_json:
        write_json(report.model_dump_json(indent=2))
    else:
        _print_table(report)


def _evaluate(questions, corpus: Path, index: Path, *, quiet: bool) -> AnswerEvalReport:
    from qa.cli.progress_display import Progress
    from qa.engine import Engine
    from qa.eval_answers import evaluate_answers

    settings = settings_from(corpus, index, BACKEND)
    if not quiet:
        echo_line(
            f"{len(questions)} questions; corpus {user_path(corpus)}, index {user_path(index)}",
            err=True,
        )
    engine = Engine(settings)
    try:
        with Progress(settings, quiet=quiet) as on_progress:
            engine.build_index(on_progress=on_progress)
            return evaluate_answers(questions, engine, on_progress=on_progress)
    finally:
        engine.close()


def _print_table(report: AnswerEvalReport) -> None:
    from qa.eval_answers import CUTOFFS

    echo_line(
        f"news QA: {report.questions} questions ({report.answerable} answerable, {report.unanswerable} with a null "
        f"answer) over {report.articles} articles"
    )
    echo_line(
        f"baseline: SQLite FTS5 BM25 over {report.window_words}-word windows (stride {report.window_stride}, "
        f"{report.windows} windows), the mean words per qa hit; it never abstains"
    )
    echo()
    recall_heads = "".join(f"{f'R@{k}':>7}" for k in CUTOFFS)
    echo(
        f"{'system':<14}{recall_heads}{'abstained':>11}{'answered':>10}{'words/hit':>11}{'hits':>7}{'questions/s':>13}"
    )
    for row in report.systems:
        echo(_row(row))
    echo()
    echo_line(
        f"R@k: share of the {report.answerable} answerable questions whose answer is in the first k hits' text; "
        f"abstained: share of the {report.unanswerable} null-answer questions with no hit; answered: share of the "
        "answerable questions with a hit."
    )


def _row(row: SystemScores) -> str:
    recalls = "".join(_cell(value, 7) for value in row.recall_at.values())
    abstained = _cell(row.abstained_unanswerable, 11) if row.can_abstain else f"{'never':>11}"
    return (
        f"{row.system:<14}{recalls}{abstained}{_cell(row.answered_answerable, 10)}"
        f"{row.mean_words_per_hit:>11.1f}{row.hits:>7}{row.questions_per_second:>13.1f}"
    )


def _cell(value: float | None, width: int) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"
