"""Benchmark: the embedded index against Milvus at 100k passages, through the same storage seam.

Writes synthetic articles (random news words, clustered unit vectors of the bundled model's
dimension, three sentence vectors per passage) with the calls a build makes (`stage_file`,
`stage_article`, `publish`), so what is timed is each backend's storage, not the model (embedding
costs the same on both). Then times single questions as `qa ask` makes them (hybrid: dense + BM25
fused, and dense alone), the reads that follow (the candidates' passages, articles and sentence
vectors) and the recall@10 of each backend's dense search against exact search.

    .venv/bin/python bench/storage_backends.py [--passages 100000] [--queries 200] [--workdir DIR]
        [--milvus-uri http://host:19530]

Without --milvus-uri, Milvus is milvus-lite in a file under the work directory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from qa.answer import RERANK_POOL
from qa.config import BUNDLED_MODEL, Settings
from qa.models import Article, FieldProvenance, Passage
from qa.store.backends import writing_index
from qa.store.records import SentenceVectors

sys.path.insert(0, str(Path(__file__).parent))
from search_latency import DIMENSION, clustered, topic_centres  # noqa: E402

PASSAGES_PER_ARTICLE = 5
WORDS = (
    "river harbour council budget ferry bridge market school winter orchard station railway tunnel factory union "
    "strike harvest museum library festival election court hospital clinic airport storm flood drought tariff export "
    "import pension housing rent wages fishing mining forest minister senate police protest treaty border oil gas "
    "grain wheat copper gold bank inflation rates shares profit loss merger lawsuit verdict vaccine virus"
).split()


def synthetic_articles(count: int, rng: np.random.Generator, centres: np.ndarray):
    """(article, passages, vectors, sentence vectors) of `count` articles; a topic per article."""
    for number in range(count):
        words = [" ".join(rng.choice(WORDS, 40)) + "." for _ in range(PASSAGES_PER_ARTICLE)]
        text = "\n\n".join(words)
        article = Article(
            doc_id=f"doc{number:07d}",
            text=text,
            source_path=f"synthetic/{number:07d}.txt",
            title=" ".join(rng.choice(WORDS, 6)),
            outlet=["Reuters", "AP", "AFP", "Forbes"][number % 4],
            provenance={
                "title": FieldProvenance(source="flag", confidence=1.0),
                "outlet": FieldProvenance(source="flag", confidence=1.0),
            },
        )
        passages, start = [], 0
        for ordinal, paragraph in enumerate(words):
            passages.append(
                Passage(doc_id=article.doc_id, ordinal=ordinal, start=start, end=start + len(paragraph), text=paragraph)
            )
            start += len(paragraph) + 2
        topic = centres[rng.integers(0, len(centres))][None, :]
        vectors = clustered(PASSAGES_PER_ARTICLE, rng, topic)
        sentences = [
            SentenceVectors([(0, 10), (10, 20), (20, len(p.text))], clustered(3, rng, topic).astype(np.float16))
            for p in passages
        ]
        yield article, passages, vectors, sentences


def ingest(settings: Settings, count: int, seed: int) -> tuple[float, float, list[tuple[str, int]], np.ndarray]:
    """Stage `count` articles and publish them through the write side, as a build does.

    (staging seconds, publishing seconds, (doc_id, ordinal) of each passage, their vectors).
    """
    keys: list[tuple[str, int]] = []
    stored: list[np.ndarray] = []
    rng = np.random.default_rng(seed)
    centres = topic_centres(np.random.default_rng(0))
    with writing_index(settings, rebuild=True) as index:
        started = time.perf_counter()
        chunk = 0
        writer = index.writer
        transaction = writer.atomic()
        transaction.__enter__()
        for article, passages, vectors, sentences in synthetic_articles(count, rng, centres):
            writer.stage_file(article.source_path, article.doc_id, BUNDLED_MODEL)
            writer.stage_article(article.source_path, article, passages, vectors, sentences, bands=[])
            keys += [(p.doc_id, p.ordinal) for p in passages]
            stored.append(vectors)
            chunk += len(passages)
            if chunk >= 256:  # as a build commits: about 256 passages per transaction
                transaction.__exit__(None, None, None)
                transaction = writer.atomic()
                transaction.__enter__()
                chunk = 0
        transaction.__exit__(None, None, None)
        staged = time.perf_counter() - started
        started = time.perf_counter()
        index.publish([], BUNDLED_MODEL, rebuilding=True, encoder="synthetic")
        return staged, time.perf_counter() - started, keys, np.vstack(stored).astype(np.float32)


def measure(name: str, settings: Settings, passages: int, queries: int) -> dict:
    from qa.store.backends import open_index

    articles = passages // PASSAGES_PER_ARTICLE
    staged, published, keys, matrix = ingest(settings, articles, seed=1)
    index = open_index(settings)
    try:
        rng = np.random.default_rng(2)
        query_vectors = clustered(queries, rng, topic_centres(np.random.default_rng(0)))
        questions = [" ".join(rng.choice(WORDS, 4)) for _ in range(queries)]
        index.retrieve(query_vectors[0], questions[0], limit=10)  # warm
        hybrid, reads, dense, found = [], [], [], []
        for vector, question in zip(query_vectors, questions, strict=True):
            started = time.perf_counter()
            candidates = [s.passage_id for s in index.retrieve(vector, question, limit=RERANK_POOL)]
            hybrid.append(time.perf_counter() - started)
            started = time.perf_counter()
            index.passages_with_articles(candidates)
            index.sentence_vectors(candidates)
            reads.append(time.perf_counter() - started)
            started = time.perf_counter()
            found_ids = [pid for pid, _ in index.search_dense(vector, 10)]
            dense.append(time.perf_counter() - started)
            read = index.passages_with_articles(found_ids)
            found.append({(read[pid][0].doc_id, read[pid][0].ordinal) for pid in found_ids if pid in read})
        exact = [{keys[row] for row in np.argsort(-(matrix @ q))[:10]} for q in query_vectors]
        recall = float(np.mean([len(a & e) / 10 for a, e in zip(found, exact, strict=True)]))
        counted = index.status().counts.passages
        search = index.status().search
    finally:
        index.close()
    ms = lambda values, p: 1000 * float(np.percentile(values, p))  # noqa: E731
    return {
        "backend": name,
        "passages": counted,
        "ingest_per_s": counted / (staged + published),
        "stage_s": staged,
        "publish_s": published,
        "hybrid_p50": ms(hybrid, 50),
        "hybrid_p99": ms(hybrid, 99),
        "reads_p50": ms(reads, 50),
        "reads_p99": ms(reads, 99),
        "dense_p50": ms(dense, 50),
        "dense_p99": ms(dense, 99),
        "recall": recall,
        "search": search,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--milvus-uri", default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="qa-storage-bench-"))
    embedded = Settings(corpus_dir=workdir / "corpus", index_dir=workdir / "embedded", model=BUNDLED_MODEL)
    milvus = embedded.model_copy(
        update={
            "backend": "milvus",
            "index_dir": workdir / "milvus",
            "milvus_uri": args.milvus_uri or str(workdir / "milvus" / "lite.db"),
        }
    )
    rows = [
        measure("embedded", embedded, args.passages, args.queries),
        measure("milvus", milvus, args.passages, args.queries),
    ]
    print(
        f"{args.passages} synthetic passages ({DIMENSION} dimensions), {args.queries} queries, work directory {workdir}"
    )
    print(
        f"{'backend':<9} {'ingest p/s':>10} {'stage s':>8} {'publish s':>9} {'hybrid p50/p99 ms':>18} "
        f"{'reads p50/p99 ms':>17} {'dense p50/p99 ms':>17} {'recall@10':>9}  search"
    )
    for r in rows:
        print(
            f"{r['backend']:<9} {r['ingest_per_s']:>10.0f} {r['stage_s']:>8.1f} {r['publish_s']:>9.1f} "
            f"{r['hybrid_p50']:>8.2f}/{r['hybrid_p99']:<9.2f} {r['reads_p50']:>8.2f}/{r['reads_p99']:<8.2f} "
            f"{r['dense_p50']:>8.2f}/{r['dense_p99']:<8.2f} "
            f"{r['recall']:>9.3f}  {r['search']}"
        )
    print(f"reproduce: .venv/bin/python bench/storage_backends.py --passages {args.passages} --queries {args.queries}")


if __name__ == "__main__":
    main()
