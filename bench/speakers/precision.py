"""Precision of the summary's speaker on hand-labelled sentences, before and after issue 15.

Reads the label sets of bench/speakers (see README.md there): labels.jsonl (Reuters, the news
development set's stories) and huffpost_labels.jsonl (HuffPost descriptions). Each row points at a
sentence a summary would quote and its passage in the evaluation data (the texts are not in this
repository) and holds the speaker the old rules named (`predicted_before`) and the hand-checked
`gold`. The current `qa.attribution.speaker_of` is run again, so the "after" numbers are always
today's code. A named speaker counts as right when it is the gold name or one of its `also_correct` forms.

    PYTHONPATH=. .venv/bin/python bench/speakers/precision.py [--eval-data ../shared/eval-data]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from qa.attribution import speaker_of

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_texts import DEFAULT_EVAL_DATA, huffpost_rows, huffpost_text, reuters_passage, reuters_stories  # noqa: E402

HERE = Path(__file__).resolve().parent
REUTERS_LABELS = HERE / "labels.jsonl"
HUFFPOST_LABELS = HERE / "huffpost_labels.jsonl"


@dataclass(frozen=True)
class LabelledSentence:
    """A label row with its passage read back from the evaluation data; the sentence is passage[start:end]."""

    passage: str
    start: int
    end: int
    label: dict

    @property
    def sentence(self) -> str:
        return self.passage[self.start : self.end]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL_DATA, help="the shared eval-data directory")
    args = parser.parse_args()
    sets = {
        "Reuters (news dev set stories)": reuters_sentences(args.eval_data, read_labels(REUTERS_LABELS)),
        "HuffPost descriptions": huffpost_sentences(args.eval_data, read_labels(HUFFPOST_LABELS)),
    }
    for title, rows in sets.items():
        report(title, rows)
    report("both sets", [row for rows in sets.values() for row in rows])
    print("reproduce: PYTHONPATH=. .venv/bin/python bench/speakers/precision.py --eval-data " + str(args.eval_data))


def read_labels(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def reuters_sentences(eval_data: Path, labels: list[dict]) -> list[LabelledSentence]:
    """A Reuters row's passage is its paragraph after the paragraph before it (about an indexed passage)."""
    stories = reuters_stories(eval_data, {label["reuters_id"] for label in labels})
    return [
        LabelledSentence(
            reuters_passage(stories[label["reuters_id"]], label["paragraph"], with_previous=True),
            label["start"],
            label["end"],
            label,
        )
        for label in labels
    ]


def huffpost_sentences(eval_data: Path, labels: list[dict]) -> list[LabelledSentence]:
    rows = huffpost_rows(eval_data)
    return [
        LabelledSentence(
            huffpost_text(rows, label["line"], label["link"], label["field"]), label["start"], label["end"], label
        )
        for label in labels
    ]


def report(title: str, rows: list[LabelledSentence]) -> None:
    now = [speaker_of(row.passage, (row.start, row.end)) for row in rows]
    labels = [row.label for row in rows]
    print(
        f"{title}: {len(rows)} sentences, {sum(label['checked'] for label in labels)} hand-checked "
        "(every one that either version names a speaker in)"
    )
    for version, predictions in (
        ("before (old rules)", [label["predicted_before"] for label in labels]),
        ("after", now),
    ):
        named = [(label, name) for label, name in zip(labels, predictions, strict=True) if name]
        unchecked = [name for label, name in named if not label["checked"]]
        right = sum(_right(label, name) for label, name in named if label["checked"])
        checked = len(named) - len(unchecked)
        print(
            f"{version:<20} names a speaker in {len(named)}/{len(rows)}; precision {right}/{checked} = "
            f"{right / checked:.1%}" + (f"; {len(unchecked)} named on unlabelled rows: label them" if unchecked else "")
        )
    for row, name in zip(rows, now, strict=True):
        if name and row.label["checked"] and not _right(row.label, name):
            print(f"  wrong now: {name!r} (gold {row.label['gold']!r}) in: {row.sentence[:100]}")
    print()


def _right(label: dict, name: str) -> bool:
    forms = {form.casefold() for form in [label["gold"], *label["also_correct"]] if form}
    return name.casefold() in forms


if __name__ == "__main__":
    main()
