"""`qa` on the command line: exit codes, exact messages, text and --json output, paths."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import BUNDLED_MODEL
from qa.models import Answer
from qa.passages import sentence_spans
from qa.progress import Stage
from tests.support.processes import UNATTRIBUTED_ARTICLE, qa

DENIAL_QUESTION = "Who denied sales to Russia?"
HIT_KEYS = {
    "rank",
    "score",
    "doc_id",
    "title",
    "outlet",
    "published",
    "url",
    "text",
    "start",
    "end",
    "highlight",
    "republished_by",
    "similarity",
}
@pytest.fixture
def seed_paths(seed_settings) -> list[str]:
    return ["--corpus", str(seed_settings.corpus_dir), "--index", str(seed_settings.index_dir)]


# -- ask --json ----------------------------------------------------------------------------


def test_ask_json_prints_one_document_that_round_trips(capsys, seed_paths):
    code, out, err = qa("ask", "--json", DENIAL_QUESTION, *seed_paths, capsys=capsys)
    assert code == 0, err
    document = json.loads(out)  # raises on anything but exactly one JSON document
    answer = Answer.model_validate_json(out)
    assert answer.model_dump_json(indent=2) + "\n" == out
    assert document["question"] == DENIAL_QUESTION
    assert document["abstained"] is False
    assert answer.passages


def test_ask_json_passages_have_the_documented_fields(capsys, seed_paths):
    code, out, _ = qa("ask", "--json", DENIAL_QUESTION, "-k", "5", *seed_paths, capsys=capsys)
    assert code == 0
    document = json.loads(out)
    assert {"question", "abstained", "message", "passages"} <= set(document)
    for rank, hit in enumerate(document["passages"], start=1):
        assert set(hit) >= HIT_KEYS, HIT_KEYS - set(hit)
        assert hit["rank"] == rank
        assert hit["published"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["published"])
        start, end = hit["highlight"]
        assert (start, end) in sentence_spans(hit["text"])
        assert hit["text"][start:end].strip() == hit["text"][start:end] != ""
        assert hit["end"] - hit["start"] == len(hit["text"])
        if hit["outlet"] == "Forbes":
            assert hit["republished_by"]["outlet"] == "The America One News"
            assert hit["republished_by"]["published"] == "2025-05-31"
            assert hit["republished_by"]["url"].startswith("https://am1.news/")
        else:
            assert hit["outlet"] == "The Kyiv Independent"
            assert hit["republished_by"] is None
        assert hit["published"] == "2024-02-11"


def test_ask_json_reports_an_abstention_as_a_normal_answer(capsys, seed_paths):
    code, out, _ = qa(
        "ask", "--json", "What is the boiling point of tungsten?", *seed_paths, capsys=capsys
    )
    assert code == 0
    document = json.loads(out)
    assert (document["abstained"], document["passages"]) == (True, [])
    assert document["message"] == (
        "Nothing in the corpus answers this question. No passage reaches similarity 0.30."
    )


# -- ask, human output ---------------------------------------------------------------------


def test_ask_leads_each_hit_with_outlet_and_date_and_shows_the_republisher(capsys, seed_paths):
    code, out, _ = qa("ask", DENIAL_QUESTION, "-k", "5", *seed_paths, capsys=capsys)
    assert code == 0
    headings = [line for line in out.splitlines() if re.match(r"\d+\. ", line)]
    assert len(headings) >= 2
    for rank, heading in enumerate(headings, start=1):
        assert re.match(rf"{rank}\. (Forbes|The Kyiv Independent) · 11 Feb 2024\b", heading), (
            heading
        )
    assert any(re.fullmatch(r"\d+\. The Kyiv Independent · 11 Feb 2024", h) for h in headings)
    forbes = [h for h in headings if "Forbes · 11 Feb 2024" in h]
    assert forbes and all("via The America One News · 31 May 2025" in h for h in forbes)
    kyiv = [h for h in headings if "The Kyiv Independent" in h]
    assert kyiv and not any("via" in h for h in kyiv)


def test_ask_marks_the_answering_sentence_in_plain_output(capsys, seed_paths):
    _, out, _ = qa("ask", "--json", DENIAL_QUESTION, "-k", "3", *seed_paths, capsys=capsys)
    sentences = [Answer.model_validate_json(out).passages[i].highlighted_sentence for i in range(3)]
    _, text, _ = qa("ask", DENIAL_QUESTION, "-k", "3", *seed_paths, capsys=capsys)
    flowing = " ".join(text.split())
    for sentence in sentences:
        assert f"**{' '.join(sentence.split())}**" in flowing


def test_ask_says_so_when_nothing_answers(capsys, seed_paths):
    code, out, err = qa("ask", "Who won the 1998 World Cup?", *seed_paths, capsys=capsys)
    assert (code, err) == (0, "")
    assert out == "Nothing in the corpus answers this question. No passage reaches similarity 0.30.\n"


@pytest.mark.model
def test_an_article_without_metadata_is_shown_as_unknown_outlet_and_undated(tmp_path, capsys):
    corpus = tmp_path / "unattributed"
    corpus.mkdir()
    (corpus / "honey.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    paths = ["--corpus", corpus, "--index", tmp_path / "unattributed-index"]
    code, _, err = qa("index", *paths, capsys=capsys)
    assert code == 0, err
    question = "How much honey did the Larchmere cooperative harvest?"
    code, out, _ = qa("ask", question, *paths, capsys=capsys)
    assert code == 0
    assert "1. unknown outlet · undated" in out.splitlines()
    _, out, _ = qa("ask", "--json", question, *paths, capsys=capsys)
    hit = json.loads(out)["passages"][0]
    assert (hit["outlet"], hit["published"], hit["republished_by"]) == (None, None, None)


# -- errors and exit codes -----------------------------------------------------------------


def test_ask_without_an_index_says_how_to_build_it(tmp_path, monkeypatch, capsys):
    index_dir = tmp_path / "never-built"
    monkeypatch.setenv("QA_INDEX", str(index_dir))
    code, out, err = qa("ask", DENIAL_QUESTION, capsys=capsys)
    assert (code, out) == (1, "")
    assert err == f"Error: No index in {index_dir}. Run `qa index` to build it from the corpus.\n"


def test_status_without_an_index_says_how_to_build_it(tmp_path, capsys):
    code, _, err = qa("status", "--index", tmp_path / "nowhere", capsys=capsys)
    assert code == 1
    assert err.startswith(f"Error: No index in {tmp_path / 'nowhere'}. Run `qa index`")


def test_status_of_an_index_built_from_no_article_says_nothing_is_embedded_yet(tmp_path, capsys):
    """It used to say "none yet (? dimensions)" and "unknown (index built before this was recorded)"."""
    (tmp_path / "photos").mkdir()
    storage = ("--corpus", tmp_path / "corpus", "--index", tmp_path / "index")
    code, _, err = qa("add", tmp_path / "photos", *storage, capsys=capsys)
    assert code == 3 and f"skipped {tmp_path / 'photos'}: holds no article file qa reads" in err
    code, out, _ = qa("status", *storage, capsys=capsys)
    assert code == 0
    assert "model       none yet\n" in out and "embedded by nothing yet\n" in out and "?" not in out


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_an_empty_question_is_a_usage_error(question, capsys, seed_paths):
    code, out, err = qa("ask", question, *seed_paths, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.startswith("Error: The question is empty.")
    assert err.count("\n") == 1


def test_k_below_one_is_a_usage_error(capsys, seed_paths):
    code, _, _ = qa("ask", DENIAL_QUESTION, "-k", "0", *seed_paths, capsys=capsys)
    assert code == 2


PROGRESS_LINE = re.compile(
    "|".join(rf"{re.escape(stage.label)}: \d+/\d+ " for stage in Stage if stage.counted)
    + "|"
    + "|".join(re.escape(stage.label.capitalize()) + "…" for stage in Stage if not stage.counted)
)
"""A line of progress as `qa index` prints it without a terminal: `embedding passages: 3/7 (…)`, `Publishing…`."""


def problem_lines(err: str) -> list[str]:
    """stderr without the progress lines a build prints on its way when not on a terminal."""
    return [line for line in err.splitlines() if not PROGRESS_LINE.match(line)]


@pytest.mark.model
def test_an_empty_corpus_indexes_to_an_empty_index_that_cannot_answer(tmp_path, capsys):
    corpus, index_dir = tmp_path / "empty", tmp_path / "empty-index"
    corpus.mkdir()
    code, out, err = qa("index", "--corpus", corpus, "--index", index_dir, capsys=capsys)
    assert (code, problem_lines(err)) == (0, [])
    assert "has no article files" in out
    code, out, err = qa(
        "ask", DENIAL_QUESTION, "--corpus", corpus, "--index", index_dir, capsys=capsys
    )
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: The index in {index_dir} is empty.")
    assert "qa index" in err and err.count("\n") == 1


def test_a_missing_corpus_directory_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "no-such-corpus"
    code, out, err = qa("index", "--corpus", missing, "--index", tmp_path / "idx", capsys=capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"Error: The corpus folder {missing} does not exist. Add articles with `qa add FILE…`")
    assert not (tmp_path / "idx").exists()


@pytest.mark.model
def test_index_lists_a_skipped_file_with_its_reason_and_indexes_the_rest(tmp_path, capsys):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "honey.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    (corpus / "blank.txt").write_text("  \n\n", encoding="utf-8")
    code, out, err = qa("index", "--corpus", corpus, "--index", tmp_path / "idx", capsys=capsys)
    assert code == 3  # finished, but a file was skipped
    [line] = problem_lines(err)
    assert line.startswith(f"skipped {corpus / 'blank.txt'}: ")
    assert "1 skipped" in out and "1 articles" in out


@pytest.mark.model
def test_a_bad_sidecar_value_is_one_problem_line_and_the_article_is_indexed_without_it(tmp_path, capsys):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "honey.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    (corpus / "honey.meta.json").write_text('{"published": "2024-13-45", "outlet": "Hive News"}', encoding="utf-8")
    code, out, err = qa("index", "--corpus", corpus, "--index", tmp_path / "idx", capsys=capsys)
    assert code == 0
    [line] = problem_lines(err)
    problem = "honey.meta.json: published: 2024-13-45 is not a full date"
    assert line.startswith(f"problem in {corpus / 'honey.txt'}: {problem}")
    assert "skipped" not in out and "1 articles" in out


# -- paths from flags and environment ------------------------------------------------------


def test_status_reads_the_index_and_corpus_from_the_environment(monkeypatch, capsys, seed_settings):
    monkeypatch.setenv("QA_INDEX", str(seed_settings.index_dir))
    monkeypatch.setenv("QA_CORPUS", str(seed_settings.corpus_dir))
    code, out, _ = qa("status", capsys=capsys)
    assert code == 0
    assert f"index       {seed_settings.index_dir}" in out.splitlines()
    assert f"corpus      {seed_settings.corpus_dir}" in out.splitlines()
    assert "files       2" in out.splitlines()


def test_flags_override_the_environment(tmp_path, monkeypatch, capsys, seed_paths):
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "never-built"))
    monkeypatch.setenv("QA_CORPUS", str(tmp_path / "no-corpus"))
    code, out, err = qa("ask", "--json", DENIAL_QUESTION, *seed_paths, capsys=capsys)
    assert code == 0, err
    assert json.loads(out)["passages"]


@pytest.mark.model
def test_index_writes_where_the_environment_says(tmp_path, monkeypatch, capsys):
    corpus, index_dir = tmp_path / "from-env-corpus", tmp_path / "from-env-index"
    monkeypatch.setenv("QA_CORPUS", str(corpus))
    monkeypatch.setenv("QA_INDEX", str(index_dir))
    corpus.mkdir()
    (corpus / "honey.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    code, out, err = qa("index", capsys=capsys)
    assert code == 0, err
    assert (index_dir / "qa.sqlite3").is_file()
    assert not (tmp_path / "index").exists()  # not the ./index default
    assert f"Indexed {corpus} into {index_dir}: 1 new" in out


@pytest.mark.model
def test_index_writes_where_the_flags_say(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("QA_INDEX", str(tmp_path / "from-env-index"))
    corpus, index_dir = tmp_path / "flag-corpus", tmp_path / "flag-index"
    corpus.mkdir()
    (corpus / "honey.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    code, _, err = qa("index", "--corpus", corpus, "--index", index_dir, "--quiet", capsys=capsys)
    assert code == 0, err
    assert (index_dir / "qa.sqlite3").is_file()
    assert not (tmp_path / "from-env-index").exists()


# -- status --------------------------------------------------------------------------------


def test_status_shows_model_counts_and_no_stale_files(capsys, seed_paths, seed_engine):
    counts = seed_engine.index.status().counts
    code, out, _ = qa("status", *seed_paths, capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert f"model       {BUNDLED_MODEL} (384 dimensions)" in lines
    assert "embedded by sentence-transformers, torch, float32" in lines
    assert "files       2" in lines
    assert "articles    2 (0 without outlet, 0 undated)" in lines
    assert f"passages    {counts.passages}" in lines
    assert "stale       0 file(s) new, changed or removed since the last build" in lines


def test_status_lists_stale_files(capsys, seed_copy):
    (seed_copy.corpus_dir / "002_new.txt").write_text(UNATTRIBUTED_ARTICLE, encoding="utf-8")
    code, out, _ = qa(
        "status", "--corpus", seed_copy.corpus_dir, "--index", seed_copy.index_dir, capsys=capsys
    )
    assert code == 0
    lines = out.splitlines()
    assert any(line.startswith("stale       1 file(s)") and "qa index" in line for line in lines)
    assert "            002_new.txt" in lines


# -- the installed script, as a real process -----------------------------------------------


def test_the_qa_script_prints_only_json_on_stdout(seed_settings, tmp_path):
    script = Path(sys.executable).parent / "qa"
    env = {
        **os.environ,
        "QA_INDEX": str(seed_settings.index_dir),
        "QA_CORPUS": str(seed_settings.corpus_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    result = subprocess.run(
        [str(script), "ask", "--json", DENIAL_QUESTION],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = Answer.model_validate_json(result.stdout)
    assert answer.passages and not answer.abstained


def test_version_names_the_release_the_model_and_the_index_format(capsys):
    code, out, _ = qa("--version", capsys=capsys)
    assert code == 0
    assert re.match(r"qa \d+\.\d+\.\d+\n", out) and BUNDLED_MODEL in out and re.search(r"index format \d+", out)


@pytest.mark.parametrize("args", [["-h"], ["ask", "-h"], ["index", "-h"]])
def test_h_is_help(args, capsys):
    code, out, _ = qa(*args, capsys=capsys)
    assert code == 0 and out.lstrip().startswith("Usage: qa")
