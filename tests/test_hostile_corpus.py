"""One hostile corpus through the real `qa index`: every bad file is named once, every good article goes in.

The corpus (tests/hostile.py) holds each case of issue 16's table beside good articles, as a user
who drops pages from the open web into an existing archive would.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.ingest import read_file
from tests.support.hostile import make_hostile_files
from tests.support.processes import QA_SCRIPT
from tests.support.seeds import copy_seed_corpus

pytestmark = pytest.mark.model  # a real `qa index` embeds the good articles

SKIPPED_EXIT_CODE = 3
"""`qa index` finished, but some files were skipped whole (README: exit codes)."""
MAX_RSS_MB = 500
"""The issue's bound on an incremental `qa index` over the hostile corpus (the model included)."""
RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.run(sys.argv[1:]).returncode
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


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
