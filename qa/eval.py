"""Retrieval quality on a BEIR-format directory: the same index and search the product uses, scored.

The BEIR corpus is written out as one Markdown file per document (title in front matter) and indexed
by the ordinary `qa index` path, so what is measured is what users get. A document's score is the
score of its best passage.
"""

from __future__ import annotations

import csv
import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from qa.embed import TextEncoder
from qa.errors import QAError
from qa.progress import ProgressCallback, Stage
from qa.store.reading import IndexReader

MODES = ("dense", "lexical", "hybrid")
SEARCH_STAGES = {"dense": Stage.SEARCHING_DENSE, "lexical": Stage.SEARCHING_LEXICAL, "hybrid": Stage.SEARCHING_HYBRID}
"""How `evaluate` reports its progress through each mode."""
CUTOFF = 10
DEEP_CUTOFF = 100
PASSAGE_DEPTH = 400
"""Passages retrieved per query: enough to rank 100 distinct documents when each has a few passages."""


@dataclass
class BeirDataset:
    name: str
    corpus: dict[str, tuple[str, str]]
    """Document id -> (title, text)."""
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    """Query id -> {document id: graded relevance}; only queries with a judgement are kept."""


@dataclass
class ModeScores:
    mode: str
    ndcg_at_10: float
    recall_at_10: float
    recall_at_100: float
    mrr_at_10: float
    queries_per_second: float


@dataclass
class EvalReport:
    dataset: str
    documents: int
    queries: int
    scores: list[ModeScores] = field(default_factory=list)


def load_beir(directory: Path, *, split: str = "test") -> BeirDataset:
    """Read corpus.jsonl, queries.jsonl and qrels/SPLIT.tsv; a clear QAError names whatever is missing."""
    corpus_path, queries_path = directory / "corpus.jsonl", directory / "queries.jsonl"
    qrels_path = directory / "qrels" / f"{split}.tsv"
    missing = [str(p) for p in (corpus_path, queries_path, qrels_path) if not p.is_file()]
    if missing:
        raise QAError(
            f"{directory} is not a BEIR-format directory: missing {', '.join(missing)}. "
            "Expected corpus.jsonl, queries.jsonl and qrels/test.tsv (e.g. ../shared/eval-data/beir-scifact)."
        )
    corpus = {
        str(record["_id"]): (record.get("title") or "", record.get("text") or "") for record in _json_lines(corpus_path)
    }
    queries = {str(record["_id"]): record["text"] for record in _json_lines(queries_path)}
    qrels: dict[str, dict[str, int]] = {}
    with qrels_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            query_id, doc_id, score = row["query-id"], row["corpus-id"], int(row["score"])
            if query_id in queries and doc_id in corpus:
                qrels.setdefault(query_id, {})[doc_id] = score
    return BeirDataset(directory.resolve().name, corpus, queries, qrels)


def _json_lines(path: Path) -> Iterable[dict]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise QAError(f"{path}: line {number} is not valid JSON ({error.msg})") from error


def write_corpus(dataset: BeirDataset, corpus_dir: Path) -> dict[str, str]:
    """One Markdown file per document (unchanged files are left alone, so re-indexing is incremental).

    Returns corpus file name -> BEIR document id.
    """
    corpus_dir.mkdir(parents=True, exist_ok=True)
    names = {}
    for number, (doc_id, (title, text)) in enumerate(sorted(dataset.corpus.items())):
        name = f"{number:07d}.md"
        names[name] = doc_id
        front_matter = yaml.safe_dump({"title": title}, allow_unicode=True, width=10**6) if title else ""
        content = f"---\n{front_matter}---\n{text}\n"
        path = corpus_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
    return names


def evaluate(
    dataset: BeirDataset,
    index: IndexReader,
    embedder: TextEncoder,
    file_to_doc: dict[str, str],
    *,
    modes: Iterable[str] = MODES,
    on_progress: ProgressCallback | None = None,
) -> EvalReport:
    """Score every judged query under each retrieval mode, reporting each stage (questions embedded, searched)."""
    progress = on_progress or (lambda stage, done, total: None)
    judged = sorted(dataset.qrels)
    report = EvalReport(dataset.name, len(dataset.corpus), len(judged))
    source_of_passage: dict[int, str] = {}
    queries = {query_id: dataset.queries[query_id] for query_id in judged}
    vectors = {}
    for done, query_id in enumerate(judged, start=1):
        vectors[query_id] = embedder.encode_query(queries[query_id])
        progress(Stage.EMBEDDING_QUESTIONS, done, len(judged))
    for mode in modes:
        started = time.perf_counter()
        rankings = {}
        for done, query_id in enumerate(judged, start=1):
            passage_ids = _search(mode, index, vectors[query_id], queries[query_id])
            rankings[query_id] = _documents_by_best_passage(index, passage_ids, source_of_passage, file_to_doc)
            progress(SEARCH_STAGES[mode], done, len(judged))
        elapsed = time.perf_counter() - started
        report.scores.append(_score(mode, rankings, dataset.qrels, len(judged) / elapsed if elapsed else 0.0))
    return report


def _search(mode: str, index: IndexReader, query, question: str) -> list[int]:
    if mode == "dense":
        return [passage_id for passage_id, _ in index.search_dense(query, PASSAGE_DEPTH)]
    if mode == "lexical":
        return index.search_lexical(question, PASSAGE_DEPTH)
    if mode == "hybrid":
        scored = index.retrieve(query, question, limit=PASSAGE_DEPTH, depth=PASSAGE_DEPTH)
        return [s.passage_id for s in scored]
    raise QAError(f"unknown retrieval mode {mode!r}; choose from {', '.join(MODES)}")


def _documents_by_best_passage(
    index: IndexReader, passage_ids: list[int], cache: dict[int, str], file_to_doc: dict[str, str]
) -> list[str]:
    unknown = [pid for pid in passage_ids if pid not in cache]
    if unknown:
        for pid, (_, article) in index.passages_with_articles(unknown).items():
            cache[pid] = file_to_doc.get(article.source_path, article.source_path)
    ranking = dict.fromkeys(cache[pid] for pid in passage_ids if pid in cache)
    return list(ranking)[:DEEP_CUTOFF]


def _score(
    mode: str, rankings: dict[str, list[str]], qrels: dict[str, dict[str, int]], queries_per_second: float
) -> ModeScores:
    totals = {"ndcg": 0.0, "r10": 0.0, "r100": 0.0, "mrr": 0.0}
    for query_id, ranking in rankings.items():
        relevant = qrels[query_id]
        totals["ndcg"] += ndcg_at(ranking, relevant, CUTOFF)
        totals["r10"] += recall_at(ranking, relevant, CUTOFF)
        totals["r100"] += recall_at(ranking, relevant, DEEP_CUTOFF)
        totals["mrr"] += reciprocal_rank_at(ranking, relevant, CUTOFF)
    n = max(len(rankings), 1)
    return ModeScores(
        mode,
        ndcg_at_10=totals["ndcg"] / n,
        recall_at_10=totals["r10"] / n,
        recall_at_100=totals["r100"] / n,
        mrr_at_10=totals["mrr"] / n,
        queries_per_second=queries_per_second,
    )


def ndcg_at(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    """nDCG with linear gains (as BEIR's pytrec_eval): sum rel/log2(rank+1), over the ideal ordering."""
    gain = sum(relevant.get(doc, 0) / math.log2(rank + 1) for rank, doc in enumerate(ranking[:k], start=1))
    ideal_gains = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    ideal = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal_gains, start=1))
    return gain / ideal if ideal else 0.0


def recall_at(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted.intersection(ranking[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank_at(ranking: list[str], relevant: dict[str, int], k: int) -> float:
    for rank, doc in enumerate(ranking[:k], start=1):
        if relevant.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0
