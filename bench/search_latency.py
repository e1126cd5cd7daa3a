"""Benchmark: dense search latency (p50/p99), recall@10 of approximate vs exact, and size on disk.

For each size, builds the exact index (flat inner product) and the approximate one (IVF, the
kind `qa` switches to above `APPROXIMATE_ABOVE` passages) over synthetic clustered unit vectors
of the bundled model's dimension, then times single queries as `qa ask` makes them. With
--real INDEX_DIR, recall is also measured on the real passage vectors of a built `qa` index
(queries: held-out passages with a little noise), with IVF forced whatever the size.

    .venv/bin/python bench/search_latency.py [--sizes 10000,100000,1000000] [--queries 200]
        [--real /tmp/qa-bench/reuters/index]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

import faiss
import numpy as np

from qa.store import vectors as vectors_module
from qa.store.vectors import VectorIndex

DIMENSION = 384
TOPICS = 200
SUBTOPICS = 50


def clustered(count: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    """Unit vectors around subtopic centres that cluster into topics, like embeddings of news passages."""
    out = np.empty((count, DIMENSION), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        block = centres[rng.integers(0, len(centres), n)] + 0.04 * rng.standard_normal((n, DIMENSION), dtype=np.float32)
        out[start : start + n] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def topic_centres(rng: np.random.Generator) -> np.ndarray:
    """TOPICS topics, each with SUBTOPICS subtopics near it."""
    topics = rng.standard_normal((TOPICS, DIMENSION)).astype(np.float32) / np.sqrt(DIMENSION)
    offsets = 0.8 * rng.standard_normal((TOPICS, SUBTOPICS, DIMENSION)).astype(np.float32) / np.sqrt(DIMENSION)
    return (topics[:, None, :] + offsets).reshape(-1, DIMENSION)


def build(ids: np.ndarray, vectors: np.ndarray, *, approximate: bool) -> tuple[VectorIndex, float]:
    threshold = vectors_module.APPROXIMATE_ABOVE
    vectors_module.APPROXIMATE_ABOVE = 0 if approximate else 10**12
    try:
        started = time.perf_counter()
        index = VectorIndex.build(ids, vectors, vectors.shape[1])
        return index, time.perf_counter() - started
    finally:
        vectors_module.APPROXIMATE_ABOVE = threshold


def timed_search(index: VectorIndex, queries: np.ndarray) -> tuple[list[set[int]], np.ndarray]:
    results, seconds = [], []
    for query in queries:
        started = time.perf_counter()
        hits = index.search(query, 10)
        seconds.append(time.perf_counter() - started)
        results.append({i for i, _ in hits})
    return results, np.array(seconds) * 1000


def recall(found: list[set[int]], truth: list[set[int]]) -> float:
    return float(np.mean([len(f & t) / max(1, len(t)) for f, t in zip(found, truth, strict=True)]))


def size_mib(index: VectorIndex) -> float:
    return len(faiss.serialize_index(index._index)) / 2**20


def synthetic(sizes: list[int], query_count: int) -> None:
    rng = np.random.default_rng(0)
    centres = topic_centres(rng)
    queries = clustered(query_count, rng, centres)
    print(f"synthetic clustered vectors, {DIMENSION} dimensions, {query_count} single queries, k=10")
    print(f"{'passages':>10} {'kind':>12} {'build s':>8} {'p50 ms':>8} {'p99 ms':>8} {'recall@10':>10} {'MiB':>8}")
    for size in sizes:
        vectors = clustered(size, rng, centres)
        ids = np.arange(size, dtype=np.int64)
        exact, exact_build = build(ids, vectors, approximate=False)
        truth, exact_ms = timed_search(exact, queries)
        print(
            f"{size:>10} {'exact':>12} {exact_build:>8.1f} {np.percentile(exact_ms, 50):>8.2f} "
            f"{np.percentile(exact_ms, 99):>8.2f} {1.0:>10.3f} {size_mib(exact):>8.1f}"
        )
        del exact
        approximate, approximate_build = build(ids, vectors, approximate=True)
        found, approximate_ms = timed_search(approximate, queries)
        print(
            f"{size:>10} {'IVF':>12} {approximate_build:>8.1f} {np.percentile(approximate_ms, 50):>8.2f} "
            f"{np.percentile(approximate_ms, 99):>8.2f} {recall(found, truth):>10.3f} {size_mib(approximate):>8.1f}"
        )
        sys.stdout.flush()
        del approximate, vectors


def real(index_dir: Path, query_count: int) -> None:
    connection = sqlite3.connect(f"file:{index_dir / 'qa.sqlite3'}?mode=ro", uri=True)
    rows = connection.execute(
        "SELECT id, vector FROM passages UNION ALL SELECT id, vector FROM staged_passages"
    ).fetchall()
    connection.close()
    if len(rows) < 1000:
        sys.exit(f"{index_dir} holds only {len(rows)} passage vectors; build it first")
    ids = np.array([row[0] for row in rows], dtype=np.int64)
    vectors = np.frombuffer(b"".join(row[1] for row in rows), dtype=np.float32).reshape(len(rows), -1)
    rng = np.random.default_rng(1)
    held_out = rng.choice(len(ids), query_count, replace=False)
    keep = np.setdiff1d(np.arange(len(ids)), held_out)
    queries = vectors[held_out] + 0.02 * rng.standard_normal((query_count, vectors.shape[1]), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    exact, _ = build(ids[keep], vectors[keep], approximate=False)
    approximate, _ = build(ids[keep], vectors[keep], approximate=True)
    truth, exact_ms = timed_search(exact, queries)
    found, approximate_ms = timed_search(approximate, queries)
    print(f"real passage vectors from {index_dir}: {len(keep)} passages, {query_count} held-out queries")
    print(f"  exact  p50 {np.percentile(exact_ms, 50):.2f} ms  p99 {np.percentile(exact_ms, 99):.2f} ms")
    print(
        f"  IVF    p50 {np.percentile(approximate_ms, 50):.2f} ms  p99 {np.percentile(approximate_ms, 99):.2f} ms"
        f"  recall@10 {recall(found, truth):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated passage counts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--real", type=Path, default=None, help="a built qa index directory for real-vector recall")
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)  # as on a busy laptop; single queries do not parallelise much anyway
    if args.real is not None:
        real(args.real, args.queries)
    if args.sizes:
        synthetic([int(size) for size in args.sizes.split(",")], args.queries)
    print(
        f"reproduce: .venv/bin/python bench/search_latency.py --sizes {args.sizes} --queries {args.queries}"
        + (f" --real {args.real}" if args.real else "")
    )


if __name__ == "__main__":
    main()
