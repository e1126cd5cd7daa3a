"""`qa eval`: retrieval quality on a BEIR-format directory (dense vs lexical vs hybrid), or with `--answers`,
news QA on a questions file and a corpus folder (qa.cli.evaluate_answers), each in one table or `--json`."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from qa.cli.common import app, settings_from
from qa.cli.output import echo, echo_line, write_json
from qa.errors import QAError, UsageError
from qa.locations import user_path


def _default_work_dir(dataset_dir: Path) -> Path:
    """A cache per dataset path, so a second run reuses the index instead of embedding again."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    tag = hashlib.sha256(str(dataset_dir.resolve()).encode()).hexdigest()[:8]
    return cache / "qa" / "eval" / f"{dataset_dir.resolve().name}-{tag}"


@app.command("eval")
def eval_command(
    dataset: Annotated[
        Path,
        typer.Argument(
            metavar="DATASET",
            help="A BEIR-format directory: corpus.jsonl, queries.jsonl, qrels/test.tsv "
            "(e.g. ../shared/eval-data/beir-scifact); with --answers, a JSONL file of questions.",
            show_default=False,
        ),
    ],
    answers: Annotated[
        bool,
        typer.Option(
            "--answers",
            help="Score news QA instead: DATASET is JSONL with a question and an answer string per line (null: "
            "should abstain), asked of the articles in --corpus, beside plain BM25 at equal reading cost.",
        ),
    ] = False,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus",
            metavar="FOLDER",
            help="With --answers (required): the folder of articles the questions are asked of.",
            show_default=False,
        ),
    ] = None,
    index: Annotated[
        Path | None,
        typer.Option(
            "--index",
            metavar="FOLDER",
            help="With --answers: where that corpus is indexed, kept so a later run only asks. "
            "[default: a temporary folder, removed after]",
            show_default=False,
        ),
    ] = None,
    work: Annotated[
        Path | None,
        typer.Option(
            "--work",
            metavar="FOLDER",
            help="BEIR only: where the evaluation corpus and index are kept between runs. "
            "[default: ~/.cache/qa/eval/NAME-HASH]",
            show_default=False,
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option("--split", metavar="NAME", help="BEIR only: which qrels file to score against. [default: test]"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document instead of the table.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the table.")] = False,
) -> None:
    """Measure retrieval quality: nDCG@10, recall@10, recall@100 and MRR@10 per retrieval mode.

    The corpus is indexed once with the configured model through the normal `qa index` path (kept
    in --work, so later runs only search), then every judged query is run dense-only, lexical-only
    and hybrid. A document scores as its best passage.

    With --answers: the articles in --corpus are indexed into --index (a temporary folder when not
    given), each question is asked as `qa ask -k 10` asks it, and answer recall@1/5/10, both abstention
    rates and the mean words per hit are printed beside SQLite FTS5 BM25 over word windows of that
    same mean length. Examples:

        qa eval ../shared/eval-data/beir-scifact
        qa eval bench/news_dev/questions.jsonl --answers --corpus news-dev-corpus --index news-dev-index
    """
    if answers:
        if corpus is None:
            raise UsageError("--answers needs --corpus FOLDER: the articles the questions are asked of.")
        if work is not None or split is not None:
            raise UsageError("--work and --split are for BEIR directories; with --answers give --corpus and --index.")
        from qa.cli.evaluate_answers import run_answers_eval

        run_answers_eval(dataset, corpus, index, as_json=as_json, quiet=quiet)
        return
    if corpus is not None or index is not None:
        raise UsageError("--corpus and --index go with --answers; a BEIR evaluation keeps its own in --work.")
    from qa.engine import Engine
    from qa.eval import evaluate, load_beir, write_corpus

    if not dataset.is_dir():
        hint = " (a questions file needs --answers)" if dataset.is_file() else ""
        raise QAError(f"The evaluation directory {user_path(dataset)} does not exist{hint}.")
    beir = load_beir(dataset, split=split or "test")
    work_dir = work or _default_work_dir(dataset)
    settings = settings_from(work_dir / "corpus", work_dir / "index")  # the configured model and backend
    if not quiet:
        echo_line(
            f"{beir.name}: {len(beir.corpus)} documents, {len(beir.qrels)} judged queries; "
            f"work dir {user_path(work_dir)}",
            err=True,
        )
    file_to_doc = write_corpus(beir, settings.corpus_dir)
    engine = Engine(settings)
    from qa.cli.progress_display import Progress

    with Progress(settings, quiet=quiet) as on_progress:
        engine.build_index(on_progress=on_progress)
        report = evaluate(beir, engine.index, engine.embedder, file_to_doc, on_progress=on_progress)
    if as_json:
        write_json(json.dumps(dataclasses.asdict(report), indent=2))
        return
    echo_line(f"{report.dataset}: {report.documents} documents, {report.queries} queries")
    echo()
    echo(f"{'mode':<9}{'nDCG@10':>9}{'R@10':>8}{'R@100':>8}{'MRR@10':>8}{'queries/s':>11}")
    for row in report.scores:
        echo(
            f"{row.mode:<9}{row.ndcg_at_10:>9.4f}{row.recall_at_10:>8.4f}{row.recall_at_100:>8.4f}"
            f"{row.mrr_at_10:>8.4f}{row.queries_per_second:>11.1f}"
        )
