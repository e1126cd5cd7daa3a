"""The hostile corpus of issue 16, made in a test's tmp folder: every probe of the issue's table
beside good articles, as a user who drops pages from the open web into an existing archive would.

YAML alias bombs, nesting 100,000 deep, a gzip of empty records, a CSV with one 100 MB field, escape
sequences in every field and in a file name, a link out of the corpus, a binary and an empty file,
and dates given as bare numbers. Shared by the `qa index` test (tests/test_hostile_corpus.py) and
the chat's ctrl+o test (tests/tui/test_chat_hostile.py), so neither test module imports the other.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

DEPTH = 100_000
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x1b]52;c;ZXZpbA==\x07\x9b31m"
ESCAPES_IN_A_NAME = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
"""File names cannot hold `/`, so no OSC 8 link here."""
STORIES = (
    "The harbour authority of Port Elm said on Tuesday that the new ferry terminal will open in March, "
    "after two years of delays caused by a shortage of steel and a dispute over the pier's foundations. "
    "The terminal will serve four routes to the islands, and the authority expects traffic to double.",
    "Elm county's council approved a budget of 41 million dollars on Monday night, with money for two "
    "new libraries and a road repair plan. Three members voted against it, saying property taxes would "
    "rise for families already struggling with rent. The mayor promised a review of spending in autumn.",
    "A storm with winds of 120 kilometres an hour cut power to nine thousand homes along the northern "
    "coast overnight. Crews from three neighbouring towns worked until dawn to clear fallen trees from "
    "the rail line, and the regional operator expects every household to be reconnected by Friday.",
    "The Elm Valley orchestra will tour Japan and South Korea next spring, its first trip abroad in a "
    "decade. The conductor said the programme pairs Sibelius with new works by local composers, and "
    "tickets for the farewell concert at the old opera house sold out within an hour of going on sale.",
    "Farmers in the Elm delta planted rice a month early this year because of a warm, dry winter, the "
    "agriculture ministry said. Officials warned that the reservoirs hold less than half their usual "
    "water and asked growers to switch to drip irrigation where they can before the summer heat.",
    "The national football team named a 19-year-old goalkeeper from the second division in its squad "
    "for the qualifiers, a surprise choice that delighted her club. The coach praised her reflexes and "
    "said experience matters less than calm, adding that the final list will be settled in November.",
    "Researchers at Elm University reported that a bacterium found in harbour mud can break down a common "
    "plastic within weeks in warm water. They cautioned that the process is slow at sea temperatures and "
    "that industrial use is years away, but said the enzyme could help clean up recycling plants.",
)
GOOD_TEXT = STORIES[0]


@dataclass
class HostileCorpus:
    corpus: Path
    good: list[str] = field(default_factory=list)
    """Files whose articles must all be indexed."""
    bad: list[str] = field(default_factory=list)
    """Files that must be named exactly once in the report."""
    outside: Path | None = None


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _write_gzip(path: Path, chunk: bytes, repeat: int) -> None:
    with gzip.open(path, "wb", compresslevel=1) as out:
        for _ in range(repeat):
            out.write(chunk)


def make_hostile_files(corpus: Path, outside_dir: Path) -> HostileCorpus:
    """Every probe of the issue's table, plus good articles beside them."""
    made = HostileCorpus(corpus)

    def good(name: str, content: str) -> None:
        (corpus / name).write_text(content, encoding="utf-8")
        made.good.append(name)

    def bad(name: str, content: bytes) -> None:
        (corpus / name).write_bytes(content)
        made.bad.append(name)

    good("ferry.txt", STORIES[0])
    good(
        "blog-note.md",
        "---\ntitle: Council approves budget\noutlet: Elm Gazette\npublished: 2024-03-02\n---\n\n" + STORIES[1],
    )
    good(
        f"escapes{ESCAPES_IN_A_NAME}.md",
        f'---\ntitle: "Storm {json.dumps(ESCAPES)[1:-1]}"\noutlet: "Elm {json.dumps(ESCAPES)[1:-1]} Times"\n'
        f'url: "https://example.org/{json.dumps(ESCAPES)[1:-1]}"\npublished: 2024-03-05\n---\n\n'
        + STORIES[2].replace("overnight", f"overnight {ESCAPES}"),
    )
    records = [
        {"title": "Eight digits", "outlet": "Elm Wire", "date": 20240211, "text": STORIES[3]},
        {"title": "A year", "outlet": "Elm Wire", "date": 2024, "text": STORIES[4]},
        {"title": "Ambiguous", "outlet": "Elm Wire", "date": "03/04/2024", "text": STORIES[5]},
    ]
    good("dated-records.jsonl", "".join(json.dumps(record) + "\n" for record in records))
    html = (
        "<html><head><title>Deep page</title>"
        f'<script type="application/ld+json">{_nested(DEPTH)}</script></head>'
        f"<body><article><h1>Ferry terminal</h1><p>{STORIES[6]}</p></article></body></html>"
    )
    good("deep-json-ld.html", html)

    bomb = (
        "a: &a ["
        + ",".join(["x"] * 9)
        + "]\n"
        + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
    )
    bad("alias-bomb.md", f"---\n{bomb}title: Bomb\n---\n\n{GOOD_TEXT}".encode())
    bad("deep-file.json", _nested(DEPTH).encode())
    bad("deep-line.jsonl", (_nested(DEPTH) + "\n").encode())
    bad("deep-front-matter.md", f"---\ntitle: {_nested(DEPTH)}\n---\n\n{GOOD_TEXT}".encode())
    _write_gzip(corpus / "empty-records.jsonl.gz", b"{}\n" * 10_000, 1)
    made.bad.append("empty-records.jsonl.gz")
    with (corpus / "huge-field.csv").open("w", encoding="utf-8") as out:
        out.write("title,text\nHuge,")
        for _ in range(100):
            out.write("x" * 1_000_000)
        out.write("\n")
    made.bad.append("huge-field.csv")
    _write_gzip(corpus / "zeros.txt.gz", b"\0" * 1_000_000, 200)
    made.bad.append("zeros.txt.gz")
    bad("binary.txt", bytes(range(256)) * 64)
    bad("empty.txt", b"")

    outside_dir.mkdir(parents=True, exist_ok=True)
    secret = outside_dir / "secret.txt"
    secret.write_text("The private diary of the harbour master lists every pier inspection since 1990. " * 5)
    os.symlink(secret, corpus / "link-out.txt")
    made.bad.append("link-out.txt")
    made.outside = secret
    return made
