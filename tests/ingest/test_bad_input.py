"""Bad input: one line naming the record, what is wrong and what to do; every good article still read."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import IngestError, MetadataError, QAError
from qa.ingest import read_corpus_file
from qa.ingest.html import read_html
from qa.ingest.records import read_csv, read_json, read_jsonl

BODY = "The river authority opened the new flood gates on Monday after three years of work."


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    path = corpus / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def error_for(path: Path) -> str:
    with pytest.raises(QAError) as caught:
        read_corpus_file(path, corpus_dir=path.parent)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(path.name + ": ")
    return message


def test_a_binary_file_is_named_as_binary(tmp_path):
    message = error_for(write(tmp_path, "scan.txt", b"%PDF-1.7\n\x00\x01\x02\xff" * 100))
    assert "binary" in message and "convert" in message


@pytest.mark.parametrize("data", [b"", b"  \n\n\t "])
def test_an_empty_file_is_named_as_empty(tmp_path, data):
    message = error_for(write(tmp_path, "empty.txt", data))
    assert "empty" in message or "white space" in message


def test_non_utf8_text_is_decoded(tmp_path):
    text = f"{BODY} The café owner said the naïve plan cost €40,000 — “too much”, she said."
    path = write(tmp_path, "latin.txt", text.encode("cp1252"))
    [article] = read_corpus_file(path, corpus_dir=path.parent).articles
    assert "café" in article.text and "€40,000" in article.text and "“too much”" in article.text


def test_utf8_with_a_stray_byte_keeps_its_accents_and_says_which_byte(tmp_path):
    """One bad byte used to send a UTF-8 file to charset-normalizer, which read "Zürich" as "ZÃ¼rich"."""
    text = f"{BODY} The mayor of Zürich said the café in Genève would reopen."
    path = write(tmp_path, "stray.txt", text.encode("utf-8").replace(b"Monday", b"Mon\xffday"))
    reading = read_corpus_file(path, corpus_dir=path.parent)
    [article] = reading.articles
    assert "Zürich" in article.text and "Genève" in article.text and "Mon\ufffdday" in article.text
    [problem] = reading.problems
    assert "1 byte(s) are not valid UTF-8" in problem and f"byte {BODY.index('Monday') + 3}" in problem


def test_a_50_mb_page_is_refused_with_what_to_do(tmp_path):
    path = write(tmp_path, "huge.txt", (BODY + "\n") * (50 * 1024 * 1024 // len(BODY)))
    message = error_for(path)
    assert "MB" in message and "split" in message


def test_malformed_front_matter_is_one_line(tmp_path):
    with pytest.raises(MetadataError) as caught:
        path = write(tmp_path, "note.md", f"---\ntitle: [unclosed\n---\n{BODY}")
        read_corpus_file(path, corpus_dir=path.parent)
    assert str(caught.value).startswith("note.md: front matter") and "\n" not in str(caught.value)


def test_broken_json_lines_are_reported_and_the_good_ones_kept(tmp_path):
    lines = [
        json.dumps({"text": BODY}),
        '{"text": "broken',
        "[1, 2]",
        json.dumps({"title": None}),
        json.dumps({"text": BODY + " Again."}),
    ]
    reading = read_corpus_file(write(tmp_path, "feed.jsonl", "\n".join(lines)), corpus_dir=tmp_path / "corpus")
    assert [a.text for a in reading.articles] == [BODY, BODY + " Again."]
    assert reading.problems == [
        "line 2: broken JSON (Unterminated string starting at): fix or remove the line",
        "line 3: is a JSON list, not an article object; remove it",
        "line 4: has no article text (fields: title); map one with --map text=FIELD",
    ]


def test_csv_rows_with_missing_columns_are_reported_and_the_good_ones_kept(tmp_path):
    raw = (
        f"title,text,outlet,date\nGood,{BODY},Valley Courier,2024-02-11\n"
        f"Short,{BODY}\nAlso good,{BODY} More.,Courier,2024-02-12\n"
    )
    reading = read_corpus_file(write(tmp_path, "feed.csv", raw), corpus_dir=tmp_path / "corpus")
    assert [a.title for a in reading.articles] == ["Good", "Also good"]
    assert reading.problems == ["line 3: has 2 of the header's 4 columns (missing outlet, date); fix the row"]


def test_an_unreadable_date_leaves_the_record_undated_with_a_problem(tmp_path):
    reading = read_corpus_file(
        write(tmp_path, "f.jsonl", json.dumps({"text": BODY, "date": "soon"})), corpus_dir=tmp_path / "corpus"
    )
    [article] = reading.articles
    assert article.published is None
    assert reading.problems == ["line 1: date 'soon' is not a full date; left undated (fix it, or --map date=FIELD)"]


def test_html_without_an_article_body_says_so(tmp_path):
    page = "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    message = error_for(write(tmp_path, "nav.html", page))
    assert "no article body" in message


def test_broken_json_is_one_line(tmp_path):
    assert "not valid JSON (line 1" in error_for(write(tmp_path, "a.json", '{"text": '))


@pytest.mark.parametrize("name", ["cut.jsonl.gz", "cut.csv.gz"])
def test_a_truncated_gzip_export_keeps_the_records_before_the_cut(tmp_path, name):
    """A download cut short used to lose the whole export: "not a valid gzip file", nothing read."""
    rows = [f"{BODY} Gate {number} opened at {number} o'clock, the engineers said." for number in range(200)]
    if name.endswith(".csv.gz"):
        raw = "title,text\n" + "".join(f'Gates,"{row}"\n' for row in rows)
    else:
        raw = "".join(json.dumps({"text": row}) + "\n" for row in rows)
    whole = gzip.compress(raw.encode(), mtime=0)
    reading = read_corpus_file(write(tmp_path, name, whole[: len(whole) * 2 // 3]), corpus_dir=tmp_path / "corpus")
    assert 0 < len(reading.articles) < len(rows)
    assert all(article.text in rows for article in reading.articles)
    assert any(problem.startswith("the gzip file ends early (") for problem in reading.problems)


def test_a_broken_gzip_file_is_one_line(tmp_path):
    assert "gzip" in error_for(write(tmp_path, "a.jsonl.gz", b"\x1f\x8bnot really"))


def test_a_file_deleted_before_reading_is_one_line(tmp_path):
    path = write(tmp_path, "gone.txt", BODY)
    path.unlink()
    with pytest.raises(IngestError, match="^gone.txt: the file disappeared"):
        read_corpus_file(path, corpus_dir=path.parent)


def test_a_file_whose_every_record_is_bad_is_unusable(tmp_path):
    message = error_for(write(tmp_path, "bad.jsonl", "{\n{\n"))
    assert "no usable article; 2 problems" in message


# -- properties: readers never crash on arbitrary input -----------------------------------

READERS = [read_json, read_jsonl, read_csv, read_html]


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.sampled_from(READERS), st.one_of(st.text(), st.lists(st.text(max_size=40)).map("\n".join)))
def test_record_and_html_readers_never_crash(reader, raw):
    try:
        reading = reader(raw, origin="f")
    except QAError as error:
        assert str(error).startswith("f: ") and "\n" not in str(error)
        return
    assert all(document.text.strip() for document in reading.documents)
    assert all("\n" not in problem for problem in reading.problems)


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.binary(max_size=2000), st.sampled_from(["a.txt", "a.jsonl", "a.csv", "a.md", "a.json", "a.html"]))
def test_reading_any_bytes_never_crashes(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        reading = read_corpus_file(path, corpus_dir=tmp_path)
    except QAError as error:
        assert "\n" not in str(error)
        return
    assert reading.articles
