"""`qa eval`: metrics computed by hand, and a tiny hand-made BEIR directory run end to end."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.eval import evaluate, load_beir, ndcg_at, recall_at, reciprocal_rank_at, write_corpus

DOCUMENTS = {
    "zebra": ("Zebra migration", "Each year zebras cross the Mara river in Kenya during the great migration."),
    "volcano": ("Etna erupts", "Mount Etna in Sicily erupted overnight, sending lava down its eastern slope."),
    "tax": ("Tax reform", "Parliament passed a tax reform that lowers the income tax rate for small firms."),
    "chess": ("Chess final", "The world chess championship final ended in a draw after ninety moves."),
}
QUERIES = {
    "q-zebra": "When do zebras cross the Mara river?",
    "q-chess": "How did the chess championship final end?",
    "q-wrong": "Which river do zebras cross?",
}
QRELS = [
    ("q-zebra", "zebra", 1),
    ("q-chess", "chess", 2),
    # Judged relevant on purpose to a document that shares no word with the question: lexical
    # search cannot find it, so its lexical metrics are 0 by construction.
    ("q-wrong", "volcano", 1),
]


def write_beir(directory: Path) -> Path:
    (directory / "qrels").mkdir(parents=True)
    with (directory / "corpus.jsonl").open("w") as handle:
        for doc_id, (title, text) in DOCUMENTS.items():
            handle.write(json.dumps({"_id": doc_id, "title": title, "text": text}) + "\n")
    with (directory / "queries.jsonl").open("w") as handle:
        for query_id, text in QUERIES.items():
            handle.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    lines = ["query-id\tcorpus-id\tscore"] + [f"{q}\t{d}\t{s}" for q, d, s in QRELS]
    (directory / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n")
    return directory


def test_ndcg_by_hand():
    relevant = {"a": 2, "b": 1}
    # ranking b, x, a: DCG = 1/log2(2) + 2/log2(4) = 1 + 1 = 2; ideal a, b: 2/1 + 1/log2(3)
    expected = 2 / (2 + 1 / math.log2(3))
    assert ndcg_at(["b", "x", "a"], relevant, 10) == pytest.approx(expected)
    assert ndcg_at(["a", "b"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], relevant, 10) == 0.0
    assert ndcg_at(["x", "a"], relevant, 1) == 0.0  # the cutoff is honoured


def test_recall_and_reciprocal_rank_by_hand():
    relevant = {"a": 1, "b": 1, "c": 0}  # grade 0 is judged not relevant
    assert recall_at(["a", "x", "b"], relevant, 2) == pytest.approx(0.5)
    assert recall_at(["a", "x", "b"], relevant, 3) == pytest.approx(1.0)
    assert reciprocal_rank_at(["c", "x", "b"], relevant, 10) == pytest.approx(1 / 3)
    assert reciprocal_rank_at(["c", "x", "b"], relevant, 2) == 0.0


def test_tiny_beir_directory_scores_as_computed_by_hand(tmp_path, embedder):
    dataset = load_beir(write_beir(tmp_path / "beir"))
    assert len(dataset.corpus) == 4 and sorted(dataset.qrels) == ["q-chess", "q-wrong", "q-zebra"]
    settings = Settings(corpus_dir=tmp_path / "work" / "corpus", index_dir=tmp_path / "work" / "index")
    file_to_doc = write_corpus(dataset, settings.corpus_dir)
    engine = Engine(settings, embedder=embedder)
    engine.build_index()
    report = evaluate(dataset, engine.index, embedder, file_to_doc)
    scores = {row.mode: row for row in report.scores}
    assert set(scores) == {"dense", "lexical", "hybrid"}

    # Lexical: q-zebra and q-chess find their document first (MRR 1, nDCG 1); q-wrong's judged
    # document shares no word with it, so it scores 0 everywhere. Means over 3 queries:
    lexical = scores["lexical"]
    assert lexical.ndcg_at_10 == pytest.approx(2 / 3)
    assert lexical.mrr_at_10 == pytest.approx(2 / 3)
    assert lexical.recall_at_10 == pytest.approx(2 / 3)
    assert lexical.recall_at_100 == pytest.approx(2 / 3)
    # Dense and hybrid rank every document: the easy queries still find theirs first, and q-wrong's
    # unrelated document lands at some rank r in 2..4 (the zebra document is first), so it adds
    # 1/r to MRR and 1/log2(r + 1) to nDCG. With 4 documents all are in the top 10: recall 1.
    for mode in ("dense", "hybrid"):
        row = scores[mode]
        assert row.recall_at_10 == pytest.approx(1.0)
        assert (2 + 1 / 4) / 3 <= row.mrr_at_10 <= (2 + 1 / 2) / 3
        assert (2 + 1 / math.log2(5)) / 3 <= row.ndcg_at_10 <= (2 + 1 / math.log2(3)) / 3
        assert row.queries_per_second > 0


def test_missing_files_are_named(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "corpus.jsonl").write_text("")
    with pytest.raises(QAError, match=r"queries\.jsonl.*qrels/test\.tsv"):
        load_beir(tmp_path / "half")


@pytest.mark.model
def test_qa_eval_prints_one_row_per_mode(tmp_path):
    beir = write_beir(tmp_path / "beir")
    result = subprocess.run(
        [sys.executable, "-m", "qa", "eval", str(beir), "--work", str(tmp_path / "work"), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "beir: 4 documents, 3 queries"
    header = lines[2].split()
    assert header == ["mode", "nDCG@10", "R@10", "R@100", "MRR@10", "queries/s"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[3:]}
    assert set(rows) == {"dense", "lexical", "hybrid"}
    assert float(rows["lexical"][0]) == pytest.approx(2 / 3, abs=1e-4)

    as_json = subprocess.run(  # the index is kept in --work: this run only searches
        [sys.executable, "-m", "qa", "eval", str(beir), "--work", str(tmp_path / "work"), "--quiet", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert (report["dataset"], report["documents"], report["queries"]) == ("beir", 4, 3)
    scores = {row["mode"]: row for row in report["scores"]}
    assert scores["lexical"]["ndcg_at_10"] == pytest.approx(float(rows["lexical"][0]), abs=1e-4)


def test_qa_eval_on_a_missing_directory_says_so(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "qa", "eval", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "nowhere does not exist" in result.stderr
