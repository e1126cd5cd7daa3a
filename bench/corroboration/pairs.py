"""Draw the pairs of Reuters reports that "also reported by" would join on sentence similarity alone.

For each answerable question of bench/news_dev/questions.jsonl: the sentence of its story holding
the answer, and from the three other stories sharing most of its key terms (names and figures), the
sentence sharing most of them. Both are embedded with the bundled model (a few hundred sentences);
a pair whose cosine reaches CORROBORATION_MIN_SIMILARITY is one the old step joined (Reuters has one
outlet, so the outlet rule is left aside: the question here is only "same event or not"). Writes
JSON lines for hand-labelling: per side the reference that labels.jsonl keeps (`reuters_id`,
`paragraph`, `start`/`end` of the sentence in that paragraph) and, for reading only, `date`, `title`,
`sentence` and `passage` (the Reuters texts must not be committed: drop them from the labels).

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/corroboration/pairs.py \
        [--eval-data ../shared/eval-data] > /tmp/corroboration-pairs.jsonl
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qa.corroboration import CORROBORATION_MIN_SIMILARITY
from qa.embed import Embedder
from qa.passages import sentence_spans

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_texts import DEFAULT_EVAL_DATA, ReutersStory, reuters_stories  # noqa: E402

QUESTIONS = Path(__file__).resolve().parents[1] / "news_dev" / "questions.jsonl"
OTHER_STORIES = 3
_TERM = re.compile(r"(?<=\s)[A-Z][\w&.-]+(?:\s+[A-Z][\w&.-]+)*|\b\d[\d,.]*\d\b")


@dataclass(frozen=True)
class Side:
    """A sentence of a story and where it is: paragraph number and offsets in that paragraph."""

    story: ReutersStory
    paragraph: int
    start: int
    end: int

    @property
    def passage(self) -> str:
        return self.story.paragraphs[self.paragraph]

    @property
    def sentence(self) -> str:
        return self.passage[self.start : self.end]

    def as_json(self) -> dict:
        return {
            "reuters_id": self.story.reuters_id, "paragraph": self.paragraph, "start": self.start, "end": self.end,
            "date": self.story.date, "title": self.story.title, "sentence": self.sentence, "passage": self.passage,
        }  # fmt: skip


def sentences(story: ReutersStory) -> list[Side]:
    return [
        Side(story, number, start, end)
        for number, para in enumerate(story.paragraphs)
        for start, end in sentence_spans(para)
    ]


def terms(text: str) -> set[str]:
    return {term.casefold() for term in _TERM.findall(" " + text) if len(term) > 2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL_DATA, help="the shared eval-data directory")
    args = parser.parse_args()
    stories = {i: story for i, story in reuters_stories(args.eval_data).items() if story.date}
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    anchors: list[Side] = []
    for question in questions:
        if question["kind"] != "answerable" or question["reuters_id"] not in stories:
            continue
        story = stories[question["reuters_id"]]
        hit = next((s for s in sentences(story) if question["answer"].casefold() in s.sentence.casefold()), None)
        if hit and (anchors == [] or anchors[-1].story.reuters_id != story.reuters_id):
            anchors.append(hit)
    lowered = {i: " ".join(" ".join(s.paragraphs).split()).casefold() for i, s in stories.items()}
    pairs = []
    for anchor in anchors:
        keys = terms(anchor.sentence)
        if len(keys) < 2:
            continue
        scored = sorted(
            ((sum(k in body for k in keys), i) for i, body in lowered.items() if i != anchor.story.reuters_id),
            reverse=True,
        )[:OTHER_STORIES]
        for shared, other_id in scored:
            if shared < 2:
                continue
            best = max(sentences(stories[other_id]), key=lambda s: len(terms(s.sentence) & keys))
            pairs.append((anchor, best))
    texts = sorted({side.sentence for pair in pairs for side in pair})
    vectors = dict(zip(texts, Embedder().encode_documents(texts), strict=True))
    for first, second in pairs:
        cosine = float(np.dot(vectors[first.sentence], vectors[second.sentence]))
        if cosine >= CORROBORATION_MIN_SIMILARITY:
            print(json.dumps({"first": first.as_json(), "second": second.as_json(), "cosine": round(cosine, 4)},
                             ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
