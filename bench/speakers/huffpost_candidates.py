"""Draw HuffPost descriptions that a summary could quote, for a second, outside set of speaker labels.

The HuffPost sample (../shared/eval-data/huffpost-news-category-v3-first10k) holds a headline and a
one- or two-sentence description per story. A seeded draw (random.Random(15)) of 400 descriptions
containing a reporting verb or a quotation mark; for each, its first sentence with such a cue. The
passage given to `speaker_of` is the whole description. Writes JSON lines for hand-labelling: the
reference that huffpost_labels.jsonl keeps (`line`, `link`, `field`, `start`/`end`) and, for reading
only, `sentence` and `passage` (the texts must not be committed: drop them from the labels).

    PYTHONPATH=. .venv/bin/python bench/speakers/huffpost_candidates.py [--eval-data ../shared/eval-data]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

from qa.attribution import speaker_of
from qa.passages import sentence_spans

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_texts import DEFAULT_EVAL_DATA, huffpost_rows  # noqa: E402

CUE = re.compile(r"\b(said|says|told|according to|announced|added|wrote|claimed)\b|[\"“”]")
DRAW = 400
FIELD = "short_description"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL_DATA, help="the shared eval-data directory")
    args = parser.parse_args()
    numbered = list(enumerate(huffpost_rows(args.eval_data), start=1))
    drawn = [(line, row) for line, row in numbered if CUE.search(row[FIELD])]
    random.Random(15).shuffle(drawn)
    for line, row in drawn[:DRAW]:
        text = row[FIELD]
        span = next(((s, e) for s, e in sentence_spans(text) if CUE.search(text[s:e])), None)
        if span is None:
            continue
        print(json.dumps({
            "line": line, "link": row["link"], "field": FIELD, "start": span[0], "end": span[1],
            "predicted": speaker_of(text, span), "sentence": text[span[0] : span[1]], "passage": text,
        }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
