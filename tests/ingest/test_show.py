"""`qa show DOC_ID`: the stored article's metadata, each value with its source, confidence and note."""

from __future__ import annotations

import json

import pytest

from qa.cli import main
from tests.support.seeds import FORBES, FORBES_SIDECAR


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = exit_.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def index_args(settings) -> list[str]:
    return ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]


def test_show_prints_each_value_with_its_provenance(capsys, seed_settings, seed_articles):
    forbes = seed_articles["forbes"]
    code, out, err = run(capsys, "show", forbes.doc_id, *index_args(seed_settings))
    assert (code, err) == (0, "")
    assert f"article {forbes.doc_id}" in out
    assert f"file       {FORBES}" in out
    assert "outlet     Forbes" in out
    assert "published  2024-02-11 (11 Feb 2024)" in out
    assert "via        The America One News · 31 May 2025 · https://am1.news/" in out
    assert f"from sidecar, confidence 1.00: {FORBES_SIDECAR}" in out
    assert "note: editorial: the '11 Feb 2024' date line under the Forbes label" in out


def test_show_json_carries_the_provenance(capsys, seed_settings, seed_articles):
    kyiv = seed_articles["kyiv"]
    code, out, _ = run(capsys, "show", kyiv.doc_id, "--json", *index_args(seed_settings))
    data = json.loads(out)
    assert code == 0 and "text" not in data
    assert data["provenance"]["published"]["source"] == "sidecar"
    assert "not read from the page" in data["provenance"]["published"]["note"]


@pytest.mark.parametrize("doc_id", ["0000000000000000", "nope"])
def test_an_unknown_id_is_a_one_line_error(capsys, seed_settings, doc_id):
    code, out, err = run(capsys, "show", doc_id, *index_args(seed_settings))
    assert (code, out) == (1, "")
    assert err == f"Error: No article {doc_id!r} in the index. `qa ask --json` prints each passage's doc_id.\n"
