"""Draw the sentences a summary would quote from the news development set's Reuters stories.

For each answerable question of bench/news_dev/questions.jsonl: the sentence of its story that holds
the answer string, plus the story's first other sentence with a reporting verb or a quotation mark.
The passage given to `speaker_of` is the sentence's paragraph with the paragraph before it (about
the size of an indexed passage). Writes JSON lines (no gold yet) for hand-labelling: the reference
that labels.jsonl keeps (`reuters_id`, `paragraph`, `start`/`end` in the passage) and, for reading
only, `sentence` and `passage` (the Reuters texts must not be committed: drop them from the labels).

    PYTHONPATH=. .venv/bin/python bench/speakers/candidates.py \
        [--eval-data ../shared/eval-data] > /tmp/speaker-candidates.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from qa.attribution import speaker_of
from qa.passages import sentence_spans

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_texts import DEFAULT_EVAL_DATA, reuters_passage, reuters_stories  # noqa: E402

QUESTIONS = Path(__file__).resolve().parents[1] / "news_dev" / "questions.jsonl"
REPORTING = re.compile(r"\b(said|says|told|according to|announced|stated|added)\b|[\"“”]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL_DATA, help="the shared eval-data directory")
    args = parser.parse_args()
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    answerable = [q for q in questions if q["kind"] == "answerable"]
    stories = reuters_stories(args.eval_data, {q["reuters_id"] for q in answerable})
    seen = set()
    for question in answerable:
        story = stories[question["reuters_id"]]
        picks = []
        for number, para in enumerate(story.paragraphs):
            passage = reuters_passage(story, number, with_previous=True)
            offset = len(passage) - len(para)
            for start, end in sentence_spans(passage):
                if start < offset:
                    continue
                sentence = passage[start:end]
                if question["answer"].casefold() in sentence.casefold():
                    picks.insert(0, ("answer sentence", number, passage, (start, end)))
                elif REPORTING.search(sentence):
                    picks.append(("reporting sentence", number, passage, (start, end)))
        answer_picks = [pick for pick in picks if pick[0] == "answer sentence"][:1]
        chosen = answer_picks + [pick for pick in picks if pick[0] != "answer sentence"][:1]
        for kind, number, passage, span in chosen:
            key = (story.reuters_id, span, passage[span[0] : span[1]])
            if key in seen:
                continue
            seen.add(key)
            print(json.dumps({
                "reuters_id": story.reuters_id, "paragraph": number, "start": span[0], "end": span[1], "kind": kind,
                "predicted": speaker_of(passage, span), "sentence": passage[span[0] : span[1]], "passage": passage,
            }))  # fmt: skip


if __name__ == "__main__":
    main()
