"""Calibrate "also reported by": how similar are two outlets' sentences about the same event?

Positives: headlines of one UCI News Aggregator story cluster from two different publishers.
Negatives: headlines of two different stories in the same category (same topic area, other event),
which is the confusion that matters. The printed threshold maximises balanced accuracy; the answer
code uses CORROBORATION_MIN_SIMILARITY (qa/corroboration.py).

Sentence vectors are pooled from their passage's forward pass (issue 19), so each headline is
measured twice: alone (what a one-sentence passage stores) and as one sentence of a passage made
of it and CONTEXT_SENTENCES other headlines of its category (the sample has no article bodies;
unrelated neighbours are the harder case, since related context would pull the pair together).

    .venv/bin/python bench/calibrate_corroboration.py \
        ../shared/eval-data/uci-news-aggregator-first6366/uci-news-aggregator.first6366.csv.gz
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from qa.corroboration import CORROBORATION_MIN_SIMILARITY
from qa.embed import Embedder

PAIRS = 2000
CONTEXT_SENTENCES = 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_gz", type=Path, help="uci-news-aggregator.first6366.csv.gz")
    args = parser.parse_args()
    if not args.csv_gz.is_file():
        sys.exit(f"{args.csv_gz} not found: pass the UCI News Aggregator sample from ../shared/eval-data.")
    rows = list(csv.DictReader(io.TextIOWrapper(gzip.open(args.csv_gz), encoding="utf-8")))
    stories: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        stories[row["STORY"]].append(row)
    rng = random.Random(7)
    positives, negatives = [], []
    story_ids = [s for s, members in stories.items() if len({m["PUBLISHER"] for m in members}) > 1]
    while len(positives) < PAIRS:
        a, b = rng.sample(stories[rng.choice(story_ids)], 2)
        if a["PUBLISHER"] != b["PUBLISHER"]:
            positives.append((a["TITLE"], b["TITLE"]))
    while len(negatives) < PAIRS:
        a, b = rng.sample(rows, 2)
        if a["STORY"] != b["STORY"] and a["CATEGORY"] == b["CATEGORY"]:
            negatives.append((a["TITLE"], b["TITLE"]))
    titles = sorted({t for pair in positives + negatives for t in pair})
    embedder = Embedder()
    alone = dict(zip(titles, embedder.encode_documents(titles), strict=True))
    in_context = _pooled_in_passages(embedder, titles, rows, rng)
    for label, vectors in (("alone (one-sentence passage)", alone), ("pooled within a passage", in_context)):
        print(f"\n{label}:")
        _report(
            [float(np.dot(vectors[a], vectors[b])) for a, b in positives],
            [float(np.dot(vectors[a], vectors[b])) for a, b in negatives],
        )
    print(f"\nreproduce: .venv/bin/python bench/calibrate_corroboration.py {args.csv_gz}")


def _pooled_in_passages(embedder: Embedder, titles: list[str], rows: list[dict], rng: random.Random) -> dict:
    """Each title's sentence vector inside a passage of it and other headlines of its category, at a random place."""
    by_category: dict[str, list[str]] = defaultdict(list)
    category_of = {}
    for row in rows:
        by_category[row["CATEGORY"]].append(row["TITLE"])
        category_of[row["TITLE"]] = row["CATEGORY"]
    passages, spans = [], []
    for title in titles:
        sentences = [t for t in rng.sample(by_category[category_of[title]], CONTEXT_SENTENCES + 1) if t != title]
        sentences = sentences[:CONTEXT_SENTENCES]
        sentences.insert(rng.randrange(len(sentences) + 1), title)
        text, own = "", None
        for sentence in sentences:
            sentence = sentence.rstrip(".") + "."
            if sentence[:-1] == title.rstrip("."):
                own = (len(text), len(text) + len(sentence))
            text += sentence + " "
        passages.append(text.rstrip())
        spans.append([own])
    encoded = embedder.encode_passages(passages, spans)
    return {title: vectors[0] for title, vectors in zip(titles, encoded.sentences, strict=True)}


def _report(same: list[float], other: list[float]) -> None:
    for label, scores in (("same story, two outlets", same), ("other story, same category", other)):
        q = statistics.quantiles(scores, n=20)
        print(f"{label:<28} n={len(scores)}  p5 {q[0]:.3f}  median {statistics.median(scores):.3f}  p95 {q[-1]:.3f}")
    best = max(
        ((sum(s >= t for s in same) / len(same) + sum(s < t for s in other) / len(other)) / 2, t)
        for t in np.arange(0.30, 0.90, 0.01)
    )
    print(f"threshold maximising balanced accuracy: {best[1]:.2f} (balanced accuracy {best[0]:.3f})")
    for t in sorted({0.40, 0.45, 0.50, 0.55, 0.60, 0.65, CORROBORATION_MIN_SIMILARITY}):
        kept = sum(s >= t for s in same) / len(same)
        wrong = sum(s >= t for s in other) / len(other)
        marker = "  <- qa/corroboration.py" if abs(t - CORROBORATION_MIN_SIMILARITY) < 1e-9 else ""
        print(f"  at {t:.2f}: {kept:.1%} of same-story pairs corroborate, {wrong:.1%} of other-story pairs do{marker}")


if __name__ == "__main__":
    main()
