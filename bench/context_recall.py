"""Benchmark: answer recall@1/5/10 on the news development set, reading what each hit shows.

A question counts as answered at k when its answer string appears in the `text` of one of the first
k hits `qa ask --json -k 10` would return (case-insensitive, whitespace collapsed: Reuters bodies keep
their hard line wraps). Also prints the mean words per hit, the reading cost of that recall.

The corpus is small so the bench runs on a busy machine: every story an answerable question comes
from, plus `--others` stories spread evenly over the rest of Reuters-21578. It is indexed once with
the real model into `--workdir` and reused by later runs (delete the directory to rebuild).

    PYTHONPATH=$PWD .venv/bin/python bench/context_recall.py \\
        [--data ../shared/eval-data/reuters-21578/reuters21578.jsonl.gz] [--workdir /tmp/qa-context-bench] \\
        [--others 300]

Run it with PYTHONPATH pointing at another checkout to measure that checkout's answer step on the
same index (the index format is shared).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "eval-data" / "reuters-21578" / "reuters21578.jsonl.gz"
QUESTIONS = REPO / "bench" / "news_dev" / "questions.jsonl"
CUTOFFS = (1, 5, 10)


def folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def write_corpus(data: Path, corpus: Path, wanted: set[int], others: int) -> int:
    """The source stories of the questions plus `others` evenly spread ones, as one JSONL file."""
    with gzip.open(data, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    rest = [r for r in records if r["id"] not in wanted and (r.get("body") or "").strip()]
    step = max(1, len(rest) // max(others, 1))
    chosen = [r for r in records if r["id"] in wanted] + rest[::step][:others]
    corpus.mkdir(parents=True, exist_ok=True)
    with (corpus / "reuters-sample.jsonl").open("w", encoding="utf-8") as out:
        for record in chosen:
            out.write(json.dumps(record) + "\n")
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/qa-context-bench"))
    parser.add_argument("--others", type=int, default=300)
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"Reuters-21578 not found at {args.data}; pass --data PATH/reuters21578.jsonl.gz")

    from qa.config import Settings
    from qa.engine import Engine

    questions = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    answerable = [q for q in questions if q["answer"] is not None]
    corpus, index = args.workdir / "corpus", args.workdir / "index"
    engine = Engine(Settings(corpus_dir=corpus, index_dir=index))
    if not index.exists():
        stories = write_corpus(args.data, corpus, {q["reuters_id"] for q in answerable}, args.others)
        print(f"indexing {stories} stories into {index} …", file=sys.stderr)
        engine.build_index()

    found_at = dict.fromkeys(CUTOFFS, 0)
    words: list[int] = []
    abstained = 0
    for question in answerable:
        answer = engine.ask(question["question"], k=max(CUTOFFS))
        abstained += answer.abstained
        texts = [folded(hit.text) for hit in answer.passages]
        words.extend(len(hit.text.split()) for hit in answer.passages)
        first = next((rank for rank, text in enumerate(texts, 1) if folded(question["answer"]) in text), None)
        for cutoff in CUTOFFS:
            found_at[cutoff] += first is not None and first <= cutoff
    articles = engine.index.counts().articles
    engine.close()

    total = len(answerable)
    print(f"{total} answerable questions over {articles} articles ({index})")
    print(" ".join(f"recall@{k}={found_at[k] / total:.3f}" for k in CUTOFFS))
    print(f"mean words per hit={sum(words) / max(len(words), 1):.1f} hits={len(words)} abstained={abstained}")
    print("command: PYTHONPATH=$PWD .venv/bin/python bench/context_recall.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
