"""Benchmark: choose the fusion's k and side weights on development data (never on SciFact's test qrels).

Each question is retrieved ONCE (dense and lexical rankings, their cosines, the passages' stored sentence
vectors); then every setting of the grid is scored offline through the product's own code:

* SciFact TRAIN qrels, nDCG@10: `qa eval`'s hybrid mode (qa.store.ranking.fused_ranks over 400 passages
  per side, a document scored by its best passage). The best-sentence weight does not act here.
* The news development set's answerable questions (bench/news_dev), answer-string recall@1/@5 over the
  text of the hits `qa ask -k 10` shows: best_fused at depth 50 into the 20-candidate pool, qa.answer's
  `_highlight`, `_fuse` (the sentence weight), `_relevant` (the 0.30 floor, or BM25's top 10) and
  `_in_context` (article evidence, widening, merging), as answer_question runs them when it does not abstain.
  The answer-or-abstain decision (qa.abstention) is left out of the objective: its weights were fitted after
  the fusion was chosen, on the fused order (bench/calibrate_archive_abstention.py), so a new fusion setting
  means fitting them again.

Objective (what is maximised): the gain over plain RRF (k=60, equal weights)

    J = Δ nDCG@10 (SciFact train) + mean over news indexes of (Δ R@1 + Δ R@5) / 2

and, against overfitting, the setting chosen is the one whose J averaged over its grid neighbours
(one step along any axis, itself included) is highest among the settings inside the grid on every
axis: a flat region, not a lucky point, and not an edge whose neighbourhood is half missing. It is
marked "best interior"; qa.store.ranking.FUSION says which setting was taken from the grid and why.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 nice .venv/bin/python bench/tune_fusion.py \\
        --scifact ../shared/eval-data/beir-scifact --scifact-work /tmp/fusion-scifact \\
        --news reuters /tmp/fusion-reuters/corpus /tmp/fusion-reuters/index

`--scifact-work` is a `qa eval --work` folder (corpus/ and index/) already built, e.g. by
`qa eval ../shared/eval-data/beir-scifact --work /tmp/fusion-scifact`; news indexes must be built too
(`qa index`, or `qa eval FILE --answers --index`). Nothing is written to them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
QUESTIONS = REPO / "bench" / "news_dev" / "questions.jsonl"
SCIFACT_DEPTH = 400
"""Passages per side in `qa eval`'s hybrid mode (qa.eval.PASSAGE_DEPTH)."""
NEWS_K = 10
GRID_K = (5, 10, 20, 30, 60)
GRID_LEXICAL = (0.75, 1.0, 1.33, 2.0, 3.0)
GRID_SENTENCE = (0.0, 0.5, 1.0, 2.0)
"""Multiplicative steps that hold plain RRF (k=60, weights 1). A first grid (k 10-120, lexical 0.5-2) peaked
at its edge (k=10, lexical 2), so this one reaches past it; 100 settings keep a run near four minutes."""
TOP_ROWS = 12


@dataclass
class SciFactRun:
    """One judged query, retrieved once."""

    qrels: dict[str, int]
    dense: list[int]
    lexical: list[int]
    similarity: dict[int, float]


@dataclass
class NewsRun:
    question: str
    answer: str
    query: np.ndarray
    dense: list[int]
    lexical: list[int]
    similarity: dict[int, float]
    found: dict = field(default_factory=dict)
    sentences: dict = field(default_factory=dict)


def _similarities(index, query: np.ndarray, dense: list[tuple[int, float]], lexical: list[int]) -> dict[int, float]:
    """Cosines of every candidate, as `retrieve` computes them (lexical-only ones from their stored vectors)."""
    similarity = dict(dense)
    lexical_only = [pid for pid in lexical if pid not in similarity]
    if lexical_only:
        similarity.update(index.search_dense(query, len(lexical_only), among=np.array(lexical_only, dtype=np.int64)))
    return similarity


def retrieve_scifact(beir_dir: Path, work: Path) -> tuple[list[SciFactRun], dict[int, str]]:
    from qa.config import Settings
    from qa.engine import Engine
    from qa.eval import load_beir, write_corpus

    beir = load_beir(beir_dir, split="train")
    engine = Engine(Settings(corpus_dir=work / "corpus", index_dir=work / "index"))
    file_to_doc = write_corpus(beir, engine.settings.corpus_dir)
    index = engine.index
    runs = []
    encoder = engine.query_encoder
    for done, query_id in enumerate(sorted(beir.qrels), start=1):
        text = beir.queries[query_id]
        query = encoder.encode_query(text)
        dense = index.search_dense(query, SCIFACT_DEPTH)
        lexical = index.search_lexical(text, SCIFACT_DEPTH)
        runs.append(
            SciFactRun(
                beir.qrels[query_id], [p for p, _ in dense], lexical, _similarities(index, query, dense, lexical)
            )
        )
        if done % 200 == 0:
            print(f"SciFact train: {done}/{len(beir.qrels)} queries retrieved", file=sys.stderr, flush=True)
    every = sorted({pid for run in runs for pid in (*run.dense, *run.lexical)})
    print(f"SciFact train: reading the documents of {len(every)} passages", file=sys.stderr, flush=True)
    doc_of = {
        pid: file_to_doc.get(article.source_path, article.source_path)
        for pid, (_, article) in index.passages_with_articles(every).items()
    }
    engine.close()
    return runs, doc_of


def scifact_ndcg(runs: list[SciFactRun], doc_of: dict[int, str], weights) -> float:
    from qa.eval import CUTOFF, ndcg_at
    from qa.store.ranking import fused_ranks

    total = 0.0
    for run in runs:
        fused = fused_ranks(run.dense, run.lexical, weights)
        order = sorted(fused, key=lambda pid: (-fused[pid], -run.similarity.get(pid, -1.0)))[:SCIFACT_DEPTH]
        total += ndcg_at(_documents(order, doc_of), run.qrels, CUTOFF)
    return total / len(runs)


def side_ndcg(runs: list[SciFactRun], doc_of: dict[int, str], side: str) -> float:
    from qa.eval import CUTOFF, ndcg_at

    return sum(ndcg_at(_documents(getattr(run, side), doc_of), run.qrels, CUTOFF) for run in runs) / len(runs)


def _documents(passages: list[int], doc_of: dict[int, str]) -> list[str]:
    return list(dict.fromkeys(doc_of[pid] for pid in passages if pid in doc_of))


def retrieve_news(corpus: Path, index_dir: Path, questions: list[dict]):
    from qa.config import Settings
    from qa.engine import Engine
    from qa.store.ranking import DEFAULT_DEPTH

    engine = Engine(Settings(corpus_dir=corpus, index_dir=index_dir))
    index, encoder = engine.index, engine.query_encoder
    runs = []
    for each in questions:
        query = encoder.encode_query(each["question"])
        dense = index.search_dense(query, DEFAULT_DEPTH)
        lexical = index.search_lexical(each["question"], DEFAULT_DEPTH)
        run = NewsRun(each["question"], each["answer"], query, [p for p, _ in dense], lexical, {})
        run.similarity = _similarities(index, query, dense, lexical)
        union = list(run.similarity)
        run.found = index.passages_with_articles(union)
        run.sentences = index.sentence_vectors(union)
        runs.append(run)
    return engine, runs


def news_recall(runs: list[NewsRun], encoder, weights, min_similarity: float) -> tuple[float, float]:
    """Recall@1 and @5 of the answer strings in the shown hits' text, as answer_question shows them."""
    from qa.answer import (
        RERANK_POOL,
        _as_candidates,
        _fuse,
        _highlight,
        _in_context,
        _relevant,
        _without_repeated_text,
        asks_for_latest,
    )
    from qa.eval_answers import answer_rank
    from qa.store.ranking import best_fused

    at_1 = at_5 = 0
    for run in runs:
        scored = best_fused(run.dense, run.lexical, run.similarity, max(NEWS_K, RERANK_POOL), weights)
        candidates = _as_candidates(scored, run.found)
        _highlight(candidates, run.query, run.sentences, encoder)
        _fuse(candidates, weights)
        relevant = [c for c in _without_repeated_text(candidates) if _relevant(c, min_similarity)]
        shown = _in_context(
            run.question, relevant, k=NEWS_K, favour_recent=asks_for_latest(run.question), weights=weights
        )
        rank = answer_rank([each.hit.text for each in shown], run.answer)
        at_1 += rank is not None and rank <= 1
        at_5 += rank is not None and rank <= 5
    return at_1 / len(runs), at_5 / len(runs)


def _neighbours(point: tuple[int, ...], shape: tuple[int, ...]):
    for step in itertools.product((-1, 0, 1), repeat=len(point)):
        moved = tuple(p + s for p, s in zip(point, step, strict=True))
        if all(0 <= m < n for m, n in zip(moved, shape, strict=True)):
            yield moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, required=True, help="BEIR SciFact directory (its qrels/train.tsv)")
    parser.add_argument("--scifact-work", type=Path, required=True, help="a built `qa eval --work` folder")
    parser.add_argument(
        "--news", nargs=3, action="append", metavar=("LABEL", "CORPUS", "INDEX"), default=[], help="a built news index"
    )
    parser.add_argument("--json", type=Path, help="also write every grid row here")
    args = parser.parse_args()
    if not (args.scifact / "qrels" / "train.tsv").is_file():
        sys.exit(f"{args.scifact}/qrels/train.tsv not found: pass --scifact PATH/beir-scifact")
    if not (args.scifact_work / "index").is_dir():
        sys.exit(f"no index in {args.scifact_work}/index: build it with `qa eval DIR --work {args.scifact_work}`")

    from qa.config import Settings
    from qa.store.ranking import FUSION, PLAIN_RRF, FusionWeights

    started = time.perf_counter()
    scifact, doc_of = retrieve_scifact(args.scifact, args.scifact_work)
    print(
        f"SciFact train: {len(scifact)} judged queries retrieved ({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [q for q in questions if q["answer"] is not None]
    news = []
    for label, corpus, index_dir in args.news:
        engine, runs = retrieve_news(Path(corpus), Path(index_dir), answerable)
        news.append((label, engine, runs))
        print(f"news {label}: {len(runs)} answerable questions retrieved", file=sys.stderr)
    min_similarity = Settings().min_similarity

    shape = (len(GRID_K), len(GRID_LEXICAL), len(GRID_SENTENCE))
    scifact_at: dict[tuple[int, int], float] = {}
    for i, j in itertools.product(range(shape[0]), range(shape[1])):
        scifact_at[i, j] = scifact_ndcg(scifact, doc_of, FusionWeights(k=GRID_K[i], lexical=GRID_LEXICAL[j]))
    print(f"SciFact grid done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    rows: dict[tuple[int, int, int], dict] = {}
    for point in itertools.product(*(range(n) for n in shape)):
        i, j, s = point
        weights = FusionWeights(k=GRID_K[i], lexical=GRID_LEXICAL[j], sentence=GRID_SENTENCE[s])
        row = {"k": weights.k, "lexical": weights.lexical, "sentence": weights.sentence, "scifact": scifact_at[i, j]}
        for label, engine, runs in news:
            row[label] = news_recall(runs, engine.query_encoder, weights, min_similarity)
        rows[point] = row
    print(f"news grid done ({time.perf_counter() - started:.0f} s)", file=sys.stderr)

    def at(weights: FusionWeights) -> dict:
        row = {"k": weights.k, "lexical": weights.lexical, "sentence": weights.sentence}
        row["scifact"] = scifact_ndcg(scifact, doc_of, weights)
        for label, engine, runs in news:
            row[label] = news_recall(runs, engine.query_encoder, weights, min_similarity)
        return row

    base = at(PLAIN_RRF)

    def gain(row: dict) -> float:
        news_gain = [(row[label][0] - base[label][0] + row[label][1] - base[label][1]) / 2 for label, _, _ in news]
        return row["scifact"] - base["scifact"] + (sum(news_gain) / len(news_gain) if news_gain else 0.0)

    for row in rows.values():
        row["gain"] = gain(row)
    for point, row in rows.items():
        around = [rows[n]["gain"] for n in _neighbours(point, shape)]
        row["flat_gain"] = sum(around) / len(around)
    ranked = sorted(rows.values(), key=lambda r: -r["flat_gain"])
    inside = [rows[p] for p in rows if all(0 < at_axis < n - 1 for at_axis, n in zip(p, shape, strict=True))]
    chosen = max(inside, key=lambda r: r["flat_gain"])
    base["gain"] = 0.0
    base["flat_gain"] = float("nan")
    current = at(FUSION)
    current["gain"] = gain(current)
    current["flat_gain"] = float("nan")

    print(
        f"dense alone nDCG@10 (train) {side_ndcg(scifact, doc_of, 'dense'):.4f}; "
        f"lexical alone {side_ndcg(scifact, doc_of, 'lexical'):.4f}"
    )
    header = f"{'setting':<32}{'k':>6}{'lex':>6}{'sent':>6}{'SciFact-train nDCG@10':>23}"
    for label, _, _ in news:
        header += f"{label + ' R@1':>13}{label + ' R@5':>13}"
    header += f"{'J':>9}{'J nbhd':>9}"
    print(header)
    for name, row in [("plain RRF (before)", base), ("FUSION in ranking.py now", current)] + [
        (f"grid #{n}" + (" (best interior)" if row is chosen else ""), row)
        for n, row in enumerate(ranked, 1)
        if n <= TOP_ROWS or row is chosen
    ]:
        line = f"{name:<32}{row['k']:>6g}{row['lexical']:>6g}{row['sentence']:>6g}{row['scifact']:>23.4f}"
        for label, _, _ in news:
            line += f"{row[label][0]:>13.3f}{row[label][1]:>13.3f}"
        line += f"{row['gain']:>+9.4f}{row['flat_gain']:>+9.4f}"
        print(line)
    print(
        f"{len(rows)} settings; {len(scifact)} SciFact train queries; "
        + ", ".join(f"{label}: {len(runs)} news questions" for label, _, runs in news)
        + f"; {time.perf_counter() - started:.0f} s"
    )
    print(
        "command: PYTHONPATH=$PWD HF_HUB_OFFLINE=1 nice .venv/bin/python bench/tune_fusion.py " + " ".join(sys.argv[1:])
    )
    if args.json:
        args.json.write_text(json.dumps({"before": base, "now": current, "grid": ranked}, indent=1), encoding="utf-8")
    for _, engine, _ in news:
        engine.close()


if __name__ == "__main__":
    main()
