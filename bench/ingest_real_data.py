"""Read the real exports through qa's readers and count records with outlet and date from their own fields.

Run: .venv/bin/python bench/ingest_real_data.py [EVAL_DATA_DIR]   (default: $QA_EVAL_DATA or /work/shared/eval-data)
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

from qa.ingest import read_corpus_file

FILES = [
    "huffpost-news-category-v3-first10k/News_Category_Dataset_v3.first10k.jsonl.gz",
    "uci-news-aggregator-first6366/uci-news-aggregator.first6366.csv.gz",
    "reuters-21578/reuters21578.jsonl.gz",
]


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("QA_EVAL_DATA", "/work/shared/eval-data"))
    for name in FILES:
        path = root / name
        if not path.is_file():
            print(f"{name}: missing (pass the eval-data directory as the first argument)")
            continue
        started = time.perf_counter()
        reading = read_corpus_file(path, corpus_dir=path.parent)
        seconds = time.perf_counter() - started
        articles = reading.articles
        copies = sum(len(a.also_published_by) for a in articles)
        outlet_sources = Counter(a.provenance["outlet"].source.value for a in articles if a.outlet)
        date_sources = Counter(a.provenance["published"].source.value for a in articles if a.published)
        kinds = Counter(problem.split(":", 1)[1].split(";")[0].split("(")[0].strip() for problem in reading.problems)
        print(f"{path.name}: {len(articles)} articles (+{copies} copies listed as also-published) in {seconds:.1f} s")
        print(f"  outlet filled {sum(bool(a.outlet) for a in articles)} by source {dict(outlet_sources)}")
        print(f"  date filled   {sum(bool(a.published) for a in articles)} by source {dict(date_sources)}")
        print(f"  with time     {sum(a.published_at is not None for a in articles)}")
        print(f"  problems      {len(reading.problems)} {dict(kinds.most_common(3))}")
    print(f"reproduce: .venv/bin/python bench/ingest_real_data.py {root}")


if __name__ == "__main__":
    main()
