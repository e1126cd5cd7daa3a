"""`qa eval`: retrieval quality on a BEIR-format directory, dense vs lexical vs hybrid, in one table."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Annotated

import typer

from qa.cli.common import app, settings_from
from qa.cli.output import echo, echo_line
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
            "(e.g. ../shared/eval-data/beir-scifact).",
            show_default=False,
        ),
    ],
    work: Annotated[
        Path | None,
        typer.Option(
            "--work",
            metavar="FOLDER",
            help="Where the evaluation corpus and index are kept between runs. [default: ~/.cache/qa/eval/NAME-HASH]",
            show_default=False,
        ),
    ] = None,
    split: Annotated[str, typer.Option("--split", metavar="NAME", help="Which qrels file to score against.")] = "test",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only the table.")] = False,
) -> None:
    """Measure retrieval quality: nDCG@10, recall@10, recall@100 and MRR@10 per retrieval mode.

    The corpus is indexed once with the configured model through the normal `qa index` path (kept
    in --work, so later runs only search), then every judged query is run dense-only, lexical-only
    and hybrid. A document scores as its best passage. Example:

        qa eval ../shared/eval-data/beir-scifact
    """
    from qa.engine import Engine
    from qa.eval import evaluate, load_beir, write_corpus

    if not dataset.is_dir():
        from qa.errors import QAError

        raise QAError(f"The evaluation directory {user_path(dataset)} does not exist.")
    beir = load_beir(dataset, split=split)
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
    echo_line(f"{report.dataset}: {report.documents} documents, {report.queries} queries")
    echo()
    echo(f"{'mode':<9}{'nDCG@10':>9}{'R@10':>8}{'R@100':>8}{'MRR@10':>8}{'queries/s':>11}")
    for row in report.scores:
        echo(
            f"{row.mode:<9}{row.ndcg_at_10:>9.4f}{row.recall_at_10:>8.4f}{row.recall_at_100:>8.4f}"
            f"{row.mrr_at_10:>8.4f}{row.queries_per_second:>11.1f}"
        )
