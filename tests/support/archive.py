"""A small archive for listing and look-up tests: the seeds, an undated article of Forbes spelt "FORBES",
an unattributed article, and two articles whose ids share a prefix."""

from __future__ import annotations

import json
import random
from pathlib import Path

from qa.ingest.articles import content_id
from tests.support.processes import HARBOUR, UNATTRIBUTED_ARTICLE, WORDS
from tests.support.seeds import copy_seed_corpus

SHARED_PREFIX_LENGTH = 4
"""How many leading characters the two look-alike articles' ids share: the shortest prefix `qa show` takes."""


def look_alike_articles() -> tuple[str, str, str]:
    """Two plain-text articles whose ids (a hash of the text) start alike, and the prefix they share:
    (first text, second text, prefix). Their words differ, so the build never folds one into the other."""
    seen: dict[str, str] = {}
    number = 0
    while True:
        number += 1
        words = random.Random(number).choices(WORDS, k=40)
        text = (
            f"The {words[0]} council met on Monday about the {' and the '.join(words[1:12])}.\n\n"
            f"Members said the {' and the '.join(words[12:])} would be discussed again next month."
        )
        prefix = content_id(text)[:SHARED_PREFIX_LENGTH]
        if prefix in seen:
            return seen[prefix], text, prefix
        seen[prefix] = text


def write_archive(corpus: Path) -> str:
    """The archive's files in `corpus`; returns the prefix the look-alikes' ids share."""
    copy_seed_corpus(corpus)
    (corpus / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (corpus / "harbour.meta.json").write_text(json.dumps({"outlet": "FORBES"}), encoding="utf-8")
    (corpus / "beekeepers.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    first, second, prefix = look_alike_articles()
    (corpus / "ferry-a.txt").write_text(first, encoding="utf-8")
    (corpus / "ferry-b.txt").write_text(second, encoding="utf-8")
    return prefix
