"""Texts of the external evaluation data that hand labels point into, read by reference.

The Reuters-21578 and HuffPost texts may not be committed to this repository (their licences, see
../shared/eval-data/PROVENANCE.md), so the label files of bench/speakers and bench/corroboration store only
where a sentence is: a Reuters record id, a paragraph number and character offsets, or a HuffPost line number
and field. This module finds the data directory and turns those references back into the exact strings.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EVAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval-data"
REUTERS = Path("reuters-21578") / "reuters21578.jsonl.gz"
HUFFPOST = Path("huffpost-news-category-v3-first10k") / "News_Category_Dataset_v3.first10k.jsonl.gz"


@dataclass(frozen=True)
class ReutersStory:
    """One Reuters-21578 record: `reuters_id` is the data's `id` (the SGML NEWID)."""

    reuters_id: int
    date: str
    title: str
    paragraphs: list[str]


def data_file(eval_data: Path, relative: Path) -> Path:
    """The file under the evaluation data directory, or exit saying which one is missing and how to pass it."""
    path = eval_data / relative
    if not path.is_file():
        sys.exit(
            f"evaluation data missing: {path} not found. Its texts are read from the shared eval-data directory "
            "(default ../shared/eval-data beside the repository), never kept in this repository: pass --eval-data DIR."
        )
    return path


def paragraphs(body: str) -> list[str]:
    """Reuters bodies indent each paragraph and hard-wrap lines: one string per paragraph, spaces collapsed,
    the closing 'Reuter' signature left out."""
    parts = re.split(r"\n\s{2,}", body.removesuffix("Reuter").strip())
    return [" ".join(part.split()) for part in parts if part.strip()]


def reuters_stories(eval_data: Path, wanted: set[int] | None = None) -> dict[int, ReutersStory]:
    """The Reuters records with a body, by id (only the `wanted` ids when given)."""
    stories = {}
    with gzip.open(data_file(eval_data, REUTERS), "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record.get("body") and (wanted is None or record["id"] in wanted):
                stories[record["id"]] = ReutersStory(
                    record["id"], (record.get("date") or "")[:10], record.get("title") or "", paragraphs(record["body"])
                )
    return stories


def reuters_passage(story: ReutersStory, paragraph: int, with_previous: bool) -> str:
    """Paragraph `paragraph` of the story, after the paragraph before it and a blank line when `with_previous`."""
    before = story.paragraphs[paragraph - 1] + "\n\n" if with_previous and paragraph else ""
    return before + story.paragraphs[paragraph]


def huffpost_rows(eval_data: Path) -> list[dict]:
    """The HuffPost sample's rows in file order (a label's `line` is the 1-based line number)."""
    with gzip.open(data_file(eval_data, HUFFPOST), "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def huffpost_text(rows: list[dict], line: int, link: str, field: str) -> str:
    """The `field` of the row on `line`, after checking that row is the story at `link` (same data file)."""
    row = rows[line - 1]
    if row["link"] != link:
        sys.exit(f"HuffPost line {line} is {row['link']}, the label says {link}: is this the same data file?")
    return row[field]
