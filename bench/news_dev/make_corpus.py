"""Make the corpus folder `qa eval bench/news_dev/questions.jsonl --answers` runs on (issue 15).

The folder holds one JSONL file: every Reuters-21578 story a question of the set was written from, plus
`--others` (default 1,000) other stories with a body, drawn at random with a fixed seed, so the answers
have distractors without indexing all 21,578 stories (about 2 passages per story; the model embeds about
11 passages/s on two cores, so the default corpus takes a few minutes to index). Records are copied as
they are in the shared file (title, body, publisher, date), which qa's JSONL reader reads directly.

    python bench/news_dev/make_corpus.py --data /work/shared/eval-data/reuters-21578/reuters21578.jsonl.gz \\
        --out /tmp/news-dev-corpus
    qa eval bench/news_dev/questions.jsonl --answers --corpus /tmp/news-dev-corpus --index /tmp/news-dev-index

Exits 2 when the data file is missing. The corpus is read from the shared copy and written outside the
repository: Reuters-21578 is for research use only and is never vendored (see README.md beside this file).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path("/work/shared/eval-data/reuters-21578/reuters21578.jsonl.gz")
CORPUS_FILE = "reuters-news-dev.jsonl"
SEED = 15


def source_ids(questions: Path) -> set[int]:
    """The stories the answerable questions were written from (`reuters_id`)."""
    ids = set()
    with questions.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and (story := json.loads(line).get("reuters_id")) is not None:
                ids.add(int(story))
    return ids


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="path to reuters21578.jsonl.gz")
    parser.add_argument("--out", type=Path, required=True, help="the corpus folder to write (created)")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl", help="the question set")
    parser.add_argument("--others", type=int, default=1000, help="other stories with a body to add")
    args = parser.parse_args(argv)
    if not args.data.is_file():
        print(
            f"error: Reuters-21578 data not found at {args.data}; pass --data PATH to reuters21578.jsonl.gz "
            "(see /work/shared/eval-data/reuters-21578/PROVENANCE.md)",
            file=sys.stderr,
        )
        return 2
    wanted = source_ids(args.questions)
    with gzip.open(args.data, "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle if line.strip()]
    sources = [record for record in records if record["id"] in wanted]
    missing = wanted - {record["id"] for record in sources}
    if missing:
        print(f"error: {len(missing)} source stories are not in {args.data}: {sorted(missing)[:5]}", file=sys.stderr)
        return 1
    candidates = [record for record in records if record["id"] not in wanted and (record.get("body") or "").strip()]
    others = random.Random(SEED).sample(candidates, min(args.others, len(candidates)))
    chosen = sorted(sources + others, key=lambda record: record["id"])
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / CORPUS_FILE
    with target.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in chosen)
    print(f"{target}: {len(chosen)} stories ({len(sources)} question sources, {len(others)} others, seed {SEED})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
