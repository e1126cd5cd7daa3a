"""Progress stages are typed (qa.progress.Stage) and shown in words: by the CLI, and during `qa eval`."""

from __future__ import annotations

import json
import re

import pytest

from qa.cli import main
from qa.cli.progress_display import Progress
from qa.config import Settings
from qa.progress import Stage


def test_every_stage_has_words_and_counted_stages_a_unit():
    assert len({stage.value for stage in Stage}) == len(Stage)
    for stage in Stage:
        assert re.fullmatch(r"[a-z][a-z ()]+", stage.label), stage
        assert stage.unit is None or re.fullmatch(r"[a-z]+", stage.unit), stage
    assert Stage.EMBEDDING.label == "embedding passages" and Stage.EMBEDDING.unit == "passages"
    assert not Stage.SAVING.counted and Stage.READING.counted


def test_the_cli_shows_each_stage_in_words_without_a_terminal(tmp_path, capsys):
    settings = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    with Progress(settings, quiet=False) as on_progress:
        on_progress(Stage.WAITING, 0, 0)
        on_progress(Stage.EMBEDDING, 3, 7)
        on_progress("migrating", 2, 2)  # a stage named by its value is the same stage
        on_progress(Stage.SAVING, 0, 0)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"Another qa process is writing the index in {tmp_path / 'index'}; waiting for it to finish…"
    assert re.fullmatch(r"embedding passages: 3/7 \(\d+\.\d passages/s.*\)", lines[1])
    assert re.fullmatch(r"copying files: 2/2 \(\d+\.\d files/s\)", lines[2])
    assert lines[3:] == ["Publishing the new index…"]


def test_quiet_progress_shows_nothing(tmp_path, capsys):
    with Progress(Settings(corpus_dir=tmp_path, index_dir=tmp_path), quiet=True) as on_progress:
        assert on_progress is None
    assert capsys.readouterr().err == ""


DOCUMENTS = {
    "zebra": "Each year zebras cross the Mara river in Kenya during the great migration across the plains.",
    "chess": "The world chess championship final ended in a draw after ninety moves and six hours of play.",
}
QUERIES = {"q-zebra": "When do zebras cross the Mara river?", "q-chess": "How did the chess final end?"}


@pytest.fixture
def tiny_beir(tmp_path):
    directory = tmp_path / "beir"
    (directory / "qrels").mkdir(parents=True)
    (directory / "corpus.jsonl").write_text(
        "".join(json.dumps({"_id": key, "title": "", "text": text}) + "\n" for key, text in DOCUMENTS.items())
    )
    (directory / "queries.jsonl").write_text(
        "".join(json.dumps({"_id": key, "text": text}) + "\n" for key, text in QUERIES.items())
    )
    (directory / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq-zebra\tzebra\t1\nq-chess\tchess\t1\n")
    return directory


def test_qa_eval_shows_its_progress_through_every_stage(tiny_beir, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["eval", str(tiny_beir), "--work", str(tmp_path / "work")])
    captured = capsys.readouterr()
    assert exit_.value.code in (0, None), captured.err
    shown = captured.err.splitlines()
    two_of_each = (
        Stage.READING,
        Stage.EMBEDDING_QUESTIONS,
        Stage.SEARCHING_DENSE,
        Stage.SEARCHING_LEXICAL,
        Stage.SEARCHING_HYBRID,
    )  # two documents, two questions
    for stage in two_of_each:
        assert any(line.startswith(f"{stage.label}: 2/2 (") for line in shown), (stage, shown)
    assert any(line.startswith("embedding passages: ") for line in shown)
    assert "hybrid" in captured.out  # the table still comes, on stdout
