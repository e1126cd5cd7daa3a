"""One hostile corpus through the real `qa index`: every bad file is named once, every good article goes in.

The corpus holds each case of issue 16's table beside good articles, as a user who drops pages from
the open web into an existing archive would: YAML alias bombs, nesting 100,000 deep, a gzip of
empty records, a CSV with one 100 MB field, escape sequences in every field and in a file name, a
link out of the corpus, a binary and an empty file, and dates given as bare numbers.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.ingest import read_file
from tests.conftest import copy_seed_corpus

QA_SCRIPT = Path(sys.executable).parent / "qa"
SKIPPED_EXIT_CODE = 3
"""`qa index` finished, but some files were skipped whole (README: exit codes)."""
MAX_RSS_MB = 500
"""The issue's bound on an incremental `qa index` over the hostile corpus (the model included)."""
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
RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


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


def run_qa(*args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """A real `qa` process; returns it and its peak RSS in MB."""
    result = subprocess.run(
        [sys.executable, "-c", RSS_WRAPPER, str(QA_SCRIPT), *args],
        capture_output=True,
        text=True,
        errors="surrogateescape",
        cwd=cwd,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"},
    )
    rss_line = result.stderr.rstrip().rsplit("\n", 1)[-1]
    return result, int(rss_line) // 1024


def test_a_hostile_corpus_is_indexed_around_its_bad_files(tmp_path):
    corpus = copy_seed_corpus(tmp_path / "corpus")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    first, _ = run_qa("index", "--corpus", str(corpus), "--index", str(settings.index_dir), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    hostile = make_hostile_files(corpus, tmp_path / "outside")

    result, peak_mb = run_qa("index", "--corpus", str(corpus), "--index", str(settings.index_dir), cwd=tmp_path)

    output = result.stdout + result.stderr
    assert result.returncode == SKIPPED_EXIT_CODE, output
    assert "Traceback" not in output
    assert not {"\x1b", "\x07", "\x9b"} & set(output), "a control character reached the terminal"
    for name in hostile.bad:
        assert output.count(name) == 1, f"{name} named {output.count(name)} times in:\n{output}"
    assert peak_mb < MAX_RSS_MB, f"qa index peaked at {peak_mb} MB"

    engine = Engine(settings)
    try:
        for name in hostile.good:
            for article in read_file(corpus / name, corpus_dir=corpus):
                assert engine.article(article.doc_id) is not None, f"{name}: {article.title!r} not indexed"
        dated = {a.title: a for a in read_file(corpus / "dated-records.jsonl", corpus_dir=corpus)}
        assert engine.article(dated["Eight digits"].doc_id).published == dt.date(2024, 2, 11)
        for title in ("A year", "Ambiguous"):
            published = engine.article(dated[title].doc_id).published
            assert published is None or published.year == 2024, f"{title}: dated {published}"
        [secret] = read_file(hostile.outside, corpus_dir=hostile.outside.parent)
        assert engine.article(secret.doc_id) is None, "a file outside the corpus was indexed"
    finally:
        engine.close()
