"""Fuzzing every reader (issue 16): any bytes give articles or one problem line, within a time and memory bound.

Hypothesis writes bytes as each format qa reads (text, Markdown with front matter, HTML, JSON,
JSONL, CSV, feeds, web archives, each also gzip-wrapped) and as sidecars beside a good article, then reads the file the
way `qa index` does. Inputs are built from fragments that reach the guarded paths (brackets that
nest, YAML anchors and aliases, JSON-LD, numeric dates) as well as from arbitrary bytes. The
`deadline` bounds each case's time; tracemalloc bounds the memory Python allocates for it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import tempfile
import tracemalloc
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import QAError
from qa.ingest import read_corpus_file
from qa.ingest.bounds import MAX_PROBLEM_KINDS

BODY = "The river authority opened the new flood gates on Monday after three years of work on the dam."
CASE_DEADLINE = dt.timedelta(seconds=10)
"""Per example, generous for a loaded machine: a hang or a blow-up takes minutes, not seconds."""
CASE_MEMORY_MB = 64
"""Python allocations per example: inputs are a few kB, so anything near this is a blow-up."""
FORMATS = ["a.txt", "a.md", "a.html", "a.json", "a.jsonl", "a.csv", "a.rss", "a.xml", "a.warc"]
FRAGMENTS = [
    "{", "}", "[", "]", "[[[[[[[[[[", "]]]]]]]]]]", '"text": ', '"date": ', '"title": "T"', '"body": "', BODY,
    ",", ":", '"', "\n", "\r\n", "---\n", "- ", "&a ", "*a", "&b [*a, *a, *a]", "<<: *a", "!!python/object ",
    '<script type="application/ld+json">', "</script>", '{"@type": "NewsArticle", "datePublished": ',
    "<div>", "</div>", "<p>", "</p>", '<meta property="article:published_time" content="03/04/2024">',
    "20240211", "2024", "1707609600", "1707609600000", "03/04/2024", "13/04/2024", "99999999999999999999",
    "date_order: DMY", '"date_order": "MDY"', "\\ud800", "\x00", "\x1b]0;title\x07", "\ufeff", "é", "\\u0000",
    "1" * 5_000, "2024-02-30", "published: ",
    "<rss version='2.0'><channel><item><description>", "</description></item>", '<!DOCTYPE rss [<!ENTITY a "b">]>',
    "&a;", "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 40\r\n\r\n",
]  # fmt: skip
"""Pieces of the formats qa reads that reach nesting, aliases, JSON-LD and date guards when combined; a 5,000-digit
number and 2024-02-30 are values Python refuses to build (ValueError from json and PyYAML)."""

fragments = st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
records = st.fixed_dictionaries(
    {"text": st.one_of(st.just(BODY), st.text(max_size=60))},
    optional={"date": json_values, "outlet": json_values, "title": json_values, "date_order": json_values},
)
contents = st.one_of(
    st.binary(max_size=1500),
    fragments.map(str.encode),
    st.builds(lambda front, body: f"---\n{front}\n---\n{body}".encode(), fragments, st.just(BODY) | fragments),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.lists(records, max_size=5).map(lambda rows: "\n".join(json.dumps(row) for row in rows).encode()),
)


def _read(directory: Path, name: str):
    """Read one file as `qa index` does, with Python's allocations traced; returns (result or error, peak MB)."""
    tracemalloc.start()
    try:
        try:
            result: object = read_corpus_file(directory / name, corpus_dir=directory)
        except QAError as error:
            result = error
        peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()
    return result, peak


def _check(result: object, *names: str) -> None:
    """Articles with one-line problems, or one QAError line naming the file (or its sidecar) it is about."""
    if isinstance(result, QAError):
        message = str(result)
        assert message.startswith(names) and "\n" not in message
        return
    assert result.articles and all(article.text.strip() for article in result.articles)
    assert len(result.problems) <= MAX_PROBLEM_KINDS + 1
    assert all("\n" not in problem for problem in result.problems)


@settings(max_examples=200, deadline=CASE_DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(contents, st.sampled_from(FORMATS), st.booleans())
def test_any_file_gives_articles_or_one_problem_line(data, name, compressed):
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        if compressed:
            name += ".gz"
            data = gzip.compress(data)
        (directory / name).write_bytes(data)
        result, peak = _read(directory, name)
    _check(result, name)
    assert peak < CASE_MEMORY_MB


@settings(max_examples=100, deadline=CASE_DEADLINE, suppress_health_check=[HealthCheck.too_slow])
@given(contents, st.sampled_from(["story.meta.json", "story.meta.yaml"]), st.sampled_from(["story.txt", "story.jsonl"]))
def test_any_sidecar_gives_the_article_or_one_problem_line(data, sidecar, name):
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        article = BODY if name.endswith(".txt") else json.dumps({"text": BODY, "date": "03/04/2024"})
        (directory / name).write_text(article)
        (directory / sidecar).write_bytes(data)
        result, peak = _read(directory, name)
    _check(result, name, sidecar)
    assert peak < CASE_MEMORY_MB
