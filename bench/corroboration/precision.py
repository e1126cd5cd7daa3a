"""Precision of "also reported by" on hand-labelled Reuters pairs, before and after issue 15.

Reads bench/corroboration/labels.jsonl (see README.md there): pairs of Reuters sentences from
different stories whose cosine reaches CORROBORATION_MIN_SIMILARITY, so the old step (similarity
alone) joined every one of them, each labelled by hand `same_event` true or false. Each side points
at a sentence in a story of the evaluation data (the texts are not in this repository); the current
`qa.corroboration.same_event` is run again with the stories' dates, the paragraphs and stored cosines.

    PYTHONPATH=. .venv/bin/python bench/corroboration/precision.py [--eval-data ../shared/eval-data]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from qa.corroboration import EventReport, same_event

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_texts import DEFAULT_EVAL_DATA, ReutersStory, reuters_passage, reuters_stories  # noqa: E402

LABELS = Path(__file__).resolve().parent / "labels.jsonl"


@dataclass(frozen=True)
class LabelledPair:
    """A label row with both sides read back from the evaluation data."""

    first: ReutersStory
    first_report: EventReport
    second: ReutersStory
    second_report: EventReport
    cosine: float
    same_event: bool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL_DATA, help="the shared eval-data directory")
    args = parser.parse_args()
    rows = labelled_pairs(args.eval_data)
    same = sum(row.same_event for row in rows)
    print(f"{len(rows)} hand-labelled pairs joined on similarity alone; {same} report the same event")
    print(f"before (similarity alone)   joins {len(rows)}; precision {same}/{len(rows)} = {same / len(rows):.1%}")
    joined = [row for row in rows if same_event(row.first_report, row.second_report, row.cosine)]
    right = sum(row.same_event for row in joined)
    print(
        f"after (same event)          joins {len(joined)}; precision {right}/{len(joined)} = "
        f"{right / len(joined):.1%}; recall {right}/{same} = {right / same:.1%}"
    )
    for row in joined:
        if not row.same_event:
            print(f"  wrong now: {row.first.title} / {row.second.title}")
    print(
        "\nreproduce: PYTHONPATH=. .venv/bin/python bench/corroboration/precision.py --eval-data " + str(args.eval_data)
    )


def labelled_pairs(eval_data: Path) -> list[LabelledPair]:
    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    stories = reuters_stories(
        eval_data, {label[side]["reuters_id"] for label in labels for side in ("first", "second")}
    )
    pairs = []
    for label in labels:
        first, second = stories[label["first"]["reuters_id"]], stories[label["second"]["reuters_id"]]
        pairs.append(
            LabelledPair(
                first, _report(first, label["first"]), second, _report(second, label["second"]),
                label["cosine"], label["same_event"],
            )
        )  # fmt: skip
    return pairs


def _report(story: ReutersStory, side: dict) -> EventReport:
    """The side's sentence, its paragraph as the passage, and the story's day."""
    paragraph = reuters_passage(story, side["paragraph"], with_previous=False)
    return EventReport(paragraph[side["start"] : side["end"]], paragraph, dt.date.fromisoformat(story.date))


if __name__ == "__main__":
    main()
