"""Measure the near-duplicate threshold of qa.ingest.syndication on real wire copy (Reuters-21578).

Labels come from the wires' own headlines and dates, not from us: two wires sent within 3 days
whose headlines share at least half their words (ignoring tickers like <GM> and "CORRECTED")
are one story re-run, corrected or re-sent (positive); two wires more than a week apart, or
whose headlines share under a fifth of their words, are different stories (negative: weekly
reports reuse the same wording). Pairs in between are left unlabelled. Texts under
MIN_WORDS words are left out, as qa.ingest.syndication never matches them.
Candidate pairs are every pair MinHash-LSH proposes at a low threshold (0.2), so the negatives
are the hard ones: similar wording, different story. For each threshold we print precision, recall and F1
of "exact 5-word-shingle Jaccard >= threshold".

Run: .venv/bin/python bench/ingest_syndication_threshold.py [EVAL_DATA_DIR]
(default: $QA_EVAL_DATA or /work/shared/eval-data)
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import sys
import time
from pathlib import Path

from datasketch import MinHash, MinHashLSH

from qa.ingest.syndication import NUM_PERM, jaccard, long_enough, shingles, signature

_NOISE = re.compile(r"<[^>]*>|\b(CORRECTED|CORRECTION|UPDATE|REFILE|RPT)\b", re.I)
SAME_HEADLINE = 0.5
OTHER_HEADLINE = 0.2


def headline_words(title: str) -> set[str]:
    return set(re.findall(r"\w+", _NOISE.sub(" ", title).lower()))


def main() -> None:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("QA_EVAL_DATA", "/work/shared/eval-data"))
    path = root / "reuters-21578" / "reuters21578.jsonl.gz"
    if not path.is_file():
        sys.exit(f"missing {path}: pass the eval-data directory as the first argument")
    started = time.perf_counter()
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("body") and record.get("title") and record.get("date") and long_enough(record["body"]):
                title = headline_words(record["title"])
                docs.append((title, record["date"][:10], shingles(record["body"])))
    lsh = MinHashLSH(threshold=0.2, num_perm=NUM_PERM)
    pairs = []
    for number, (_, _, shingle_set) in enumerate(docs):
        minhash = MinHash(hashvalues=signature(shingle_set), scheme="affine32")
        pairs += [(other, number) for other in lsh.query(minhash)]
        lsh.insert(number, minhash)
    scored = []
    for a, b in pairs:
        days = abs((dt.date.fromisoformat(docs[a][1]) - dt.date.fromisoformat(docs[b][1])).days)
        headlines = jaccard(docs[a][0], docs[b][0])
        same_story = days <= 3 and headlines >= SAME_HEADLINE
        different = days > 7 or headlines < OTHER_HEADLINE
        if same_story or different:
            scored.append((jaccard(docs[a][2], docs[b][2]), same_story))
    positives = sum(label for _, label in scored)
    print(f"{len(docs)} Reuters bodies, {len(pairs)} LSH candidate pairs, {len(scored)} labelled "
          f"({positives} same story, {len(scored) - positives} different), {time.perf_counter() - started:.0f} s")
    print("threshold precision recall    F1")
    for threshold in [x / 20 for x in range(4, 20)]:
        predicted = [label for similarity, label in scored if similarity >= threshold]
        true_positive = sum(predicted)
        precision = true_positive / len(predicted) if predicted else 1.0
        recall = true_positive / positives if positives else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        print(f"{threshold:9.2f} {precision:9.3f} {recall:6.3f} {f1:6.3f}")
    print(f"reproduce: .venv/bin/python bench/ingest_syndication_threshold.py {root}")


if __name__ == "__main__":
    main()
