"""Calibrate "also reported by": how similar are two outlets' sentences about the same event?

Positives: headlines of one UCI News Aggregator story cluster from two different publishers.
Negatives: headlines of two different stories in the same category (same topic area, other event),
which is the confusion that matters. The printed threshold maximises balanced accuracy; the answer
code uses CORROBORATION_MIN_SIMILARITY (qa/corroboration.py).

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
    vectors = dict(zip(titles, Embedder().encode_documents(titles), strict=True))

    def cosines(pairs: list[tuple[str, str]]) -> list[float]:
        return [float(np.dot(vectors[a], vectors[b])) for a, b in pairs]

    same, other = cosines(positives), cosines(negatives)
    for label, scores in (("same story, two outlets", same), ("other story, same category", other)):
        q = statistics.quantiles(scores, n=20)
        print(f"{label:<28} n={len(scores)}  p5 {q[0]:.3f}  median {statistics.median(scores):.3f}  p95 {q[-1]:.3f}")
    best = max(
        (
            ((sum(s >= t for s in same) / len(same) + sum(s < t for s in other) / len(other)) / 2, t)
            for t in np.arange(0.30, 0.90, 0.01)
        ),
    )
    print(f"\nthreshold maximising balanced accuracy: {best[1]:.2f} (balanced accuracy {best[0]:.3f})")
    for t in sorted({0.45, 0.50, 0.55, 0.60, 0.65, CORROBORATION_MIN_SIMILARITY}):
        kept = sum(s >= t for s in same) / len(same)
        wrong = sum(s >= t for s in other) / len(other)
        marker = "  <- qa/corroboration.py" if abs(t - CORROBORATION_MIN_SIMILARITY) < 1e-9 else ""
        print(f"  at {t:.2f}: {kept:.1%} of same-story pairs corroborate, {wrong:.1%} of other-story pairs do{marker}")
    print(f"\nreproduce: .venv/bin/python bench/calibrate_corroboration.py {args.csv_gz}")


if __name__ == "__main__":
    main()
