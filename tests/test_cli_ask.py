"""`qa ask` filters, grouping, nearest passages and batch mode, through the real command."""

from __future__ import annotations

import io
import json

import pytest

from qa.models import Answer
from tests.support.processes import qa

DENIAL = "Who denied sales to Russia?"


@pytest.fixture
def seed_paths(seed_settings) -> list[str]:
    return ["--corpus", str(seed_settings.corpus_dir), "--index", str(seed_settings.index_dir)]


def test_outlet_filter_on_the_command_line(capsys, seed_paths):
    code, out, _ = qa("ask", DENIAL, "--json", "--outlet", "The Kyiv Independent", *seed_paths, capsys=capsys)
    answer = Answer.model_validate_json(out)
    assert code == 0 and answer.passages
    assert {hit.outlet for hit in answer.passages} == {"The Kyiv Independent"}


def test_natural_language_dates_filter(capsys, seed_paths):
    dates = ["--since", "February 2024", "--until", "2024"]
    code, out, _ = qa("ask", DENIAL, "--json", *dates, *seed_paths, capsys=capsys)
    assert code == 0 and Answer.model_validate_json(out).passages
    code, out, _ = qa("ask", DENIAL, "--since", "2025-01-01", *seed_paths, capsys=capsys)
    assert code == 0
    assert "No article in the index matches the filters (since 1 Jan 2025)." in out


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_an_unreadable_date_is_a_usage_error_naming_it(capsys, seed_paths, option):
    code, out, err = qa("ask", DENIAL, option, "the day after never", *seed_paths, capsys=capsys)
    assert code == 2 and out == ""
    assert "Cannot read 'the day after never' as a date" in err


def test_since_after_until_is_a_usage_error(capsys, seed_paths):
    code, _, err = qa("ask", DENIAL, "--since", "2024-03-01", "--until", "2024-02-01", *seed_paths, capsys=capsys)
    assert (code, err) == (2, "Error: The date range is empty: since 1 Mar 2024 is after until 1 Feb 2024.\n")


def test_human_output_groups_by_article_and_lists_the_corroborating_outlet(capsys, seed_paths):
    code, out, _ = qa("ask", DENIAL, "-k", "5", *seed_paths, capsys=capsys)
    assert code == 0
    headings = [line for line in out.splitlines() if line[:1].isdigit() and ". " in line[:4]]
    assert len(headings) == 2  # two articles, each one card
    assert "also reported by" in out
    summary = " ".join(out.split("\n\n")[0].split())  # the first paragraph, unwrapped
    assert "Musk (The Kyiv Independent, 11 Feb 2024)" in summary and "SpaceX (Forbes, 11 Feb 2024)" in summary


def test_nearest_passages_of_an_abstention_on_request(capsys, seed_paths):
    code, out, _ = qa("ask", "Who won the 1998 World Cup?", "--nearest", "-k", "2", *seed_paths, capsys=capsys)
    assert code == 0
    assert out.startswith("Nothing in the corpus answers this question.")
    assert "Closest passages (they do not answer the question):" in out
    code, out, _ = qa("ask", "Who won the 1998 World Cup?", "--json", "--nearest", *seed_paths, capsys=capsys)
    answer = Answer.model_validate_json(out)
    assert answer.abstained and answer.passages == [] and answer.nearest


def test_batch_writes_one_json_result_per_question(tmp_path, capsys, seed_paths):
    questions = tmp_path / "questions.txt"
    questions.write_text(f"{DENIAL}\n\n   \nWho won the 1998 World Cup?\nWhich brigade was using Starlink?\n")
    code, out, _ = qa("ask", "--json", "--batch", questions, *seed_paths, capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 3
    answers = [Answer.model_validate(json.loads(line)) for line in lines]
    assert [a.question for a in answers] == [DENIAL, "Who won the 1998 World Cup?", "Which brigade was using Starlink?"]
    assert [a.abstained for a in answers] == [False, True, False]


def test_batch_reads_stdin_with_a_dash(monkeypatch, capsys, seed_paths):
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{DENIAL}\n"))
    code, out, _ = qa("ask", "--json", "--batch", "-", *seed_paths, capsys=capsys)
    assert code == 0 and Answer.model_validate_json(out.strip()).question == DENIAL


def test_a_question_and_a_batch_together_are_a_usage_error(tmp_path, capsys, seed_paths):
    code, _, err = qa("ask", DENIAL, "--batch", tmp_path / "q.txt", *seed_paths, capsys=capsys)
    assert code == 2 and "not both" in err


def test_a_missing_batch_file_is_a_usage_error(tmp_path, capsys, seed_paths):
    code, _, err = qa("ask", "--json", "--batch", tmp_path / "missing.txt", *seed_paths, capsys=capsys)
    assert code == 2 and "Cannot read the batch file" in err
