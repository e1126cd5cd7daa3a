"""Count the articles of a corpus file (or of every corpus file under a folder) that qa cites as wire copy.

For each file: articles read; cited as an agency via the outlet that carried it (`Associated Press via HuffPost`),
by agency and by the credit that decided it (byline, credit line, dateline); cited as the agency itself (its own
feed); and articles whose text names an agency without being cited as it (mentions such as "Reuters reported",
which must stay with their outlet). `--sample N` prints N of each, drawn with a fixed seed, to check by hand.

Run: .venv/bin/python bench/wire_attribution.py --data ../shared/eval-data/huffpost-news-category-v3-first10k
"""

from __future__ import annotations

import argparse
import random
import re
import shlex
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import QAError
from qa.ingest import corpus_files, read_corpus_file
from qa.ingest.wire import WIRES
from qa.models import Article

_MENTION = re.compile(
    r"\b(" + "|".join(re.escape(a) for w, aliases in WIRES.items() for a in (w, *aliases) if len(a) > 3) + r"|AP)\b"
)


@dataclass
class Counts:
    """What one file's articles were cited as."""

    articles: int = 0
    via: Counter[str] = field(default_factory=Counter)
    """Agency -> articles cited as it via a carrier."""
    rules: Counter[str] = field(default_factory=Counter)
    """Which credit decided: byline, credit line, wire dateline."""
    own: Counter[str] = field(default_factory=Counter)
    """Agency -> articles whose own outlet is the agency (no carrier)."""
    mentions: int = 0
    """Articles naming an agency in their text or byline, cited as neither the agency nor via."""
    via_sample: list[Article] = field(default_factory=list)
    mention_sample: list[Article] = field(default_factory=list)


def count(path: Path, corpus_dir: Path) -> Counts:
    counts = Counts()
    articles = read_corpus_file(path, corpus_dir=corpus_dir).articles
    counts.articles = len(articles)
    for article in articles:
        credit = article.provenance.get("outlet")
        if article.outlet in WIRES and article.republished_by is not None:
            counts.via[article.outlet] += 1
            counts.rules[_rule(credit.detail if credit else "")] += 1
            counts.via_sample.append(article)
        elif article.outlet in WIRES:
            counts.own[article.outlet] += 1
        elif _MENTION.search(f"{article.text}\n{article.author or ''}"):
            counts.mentions += 1
            counts.mention_sample.append(article)
    return counts


def _rule(detail: str) -> str:
    for rule in ("wire dateline", "credit line", "byline"):
        if rule in detail:
            return rule
    return "other"


def show(article: Article) -> str:
    credit = article.provenance["outlet"].detail if "outlet" in article.provenance else None
    via = f" via {article.republished_by.outlet}" if article.republished_by else ""
    text = " ".join(article.text.split())[:160]
    return f"    {article.outlet}{via} | author {article.author!r} | {credit}\n      {text}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, type=Path, help="a corpus file, or a folder of them")
    parser.add_argument("--sample", type=int, default=0, help="print this many attributed and mention-only articles")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: missing; pass an eval-data folder such as ../shared/eval-data/huffpost-news-...")
    files = [args.data] if args.data.is_file() else corpus_files(args.data)
    files = [path for path in files if path.name not in ("PROVENANCE.md", "README.md")]  # the data's description
    corpus_dir = args.data.parent if args.data.is_file() else args.data
    if not files:
        sys.exit(f"{args.data}: no corpus file qa reads in it")
    rng = random.Random(14)
    for path in files:
        try:
            counts = count(path, corpus_dir)
        except QAError as error:
            print(f"{path.name}: not read: {error}")
            continue
        print(f"{path.name}: {counts.articles} articles")
        print(f"  cited as a wire via its carrier: {sum(counts.via.values())} {dict(counts.via.most_common())}")
        print(f"    decided by: {dict(counts.rules.most_common())}")
        print(f"  the wire's own copy (no carrier): {sum(counts.own.values())} {dict(counts.own.most_common())}")
        print(f"  naming a wire, left with their outlet: {counts.mentions}")
        for title, sample in (("attributed", counts.via_sample), ("left with their outlet", counts.mention_sample)):
            if args.sample and sample:
                print(f"  sample, {title}:")
                for article in rng.sample(sample, min(args.sample, len(sample))):
                    print(show(article))
    command = ["python", "bench/wire_attribution.py", "--data", str(args.data)]
    if args.sample:
        command += ["--sample", str(args.sample)]
    print(f"reproduce: {shlex.join(command)}")


if __name__ == "__main__":
    main()
