"""Web archives (.warc, .warc.gz), written by the tests with warcio: each saved HTML page is an article."""

from __future__ import annotations

import datetime as dt
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.warcwriter import WARCWriter

from qa.errors import QAError
from qa.ingest import corpus_files, read_corpus_file, stage_files
from qa.ingest.bounds import MAX_PAGE_BYTES
from tests.support.warcs import (
    CRAWLED,
    FERRY,
    FERRY_PAGE,
    FERRY_URL,
    HARBOUR,
    HARBOUR_PAGE,
    HARBOUR_URL,
    SITE,
    archive,
    page,
    response,
)


def write(corpus: Path, name: str, data: bytes) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    path = corpus / name
    path.write_bytes(data)
    return path


def read(path: Path):
    return read_corpus_file(path, corpus_dir=path.parent)


@pytest.mark.parametrize("compressed", [False, True], ids=["warc", "warc.gz"])
def test_each_html_response_is_an_article_with_the_records_url_and_never_the_crawl_date(tmp_path, compressed):
    name = "site.warc.gz" if compressed else "site.warc"
    reading = read(write(tmp_path, name, archive(SITE, compressed=compressed)))
    harbour, ferry = reading.articles
    assert reading.problems == []
    assert harbour.text.endswith(HARBOUR) and "Home | World" not in harbour.text
    assert (harbour.outlet, harbour.url) == ("Example Times", HARBOUR_URL)
    assert harbour.published_at == dt.datetime(2024, 3, 2, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert ferry.url == FERRY_URL and ferry.provenance["url"].detail.endswith("WARC-Target-URI")
    assert ferry.published is None  # the page gives no date; the crawl's 10 March is not one
    assert ferry.outlet == "example-times.co.uk"  # only the domain is known
    assert reading.places == {harbour.doc_id: f"record 3 ({HARBOUR_URL})", ferry.doc_id: f"record 7 ({FERRY_URL})"}


def test_the_pages_canonical_link_is_preferred_to_the_fetched_address(tmp_path):
    canonical = page("Ferry strike", FERRY, f'<link rel="canonical" href="{FERRY_URL}">')
    [ferry] = read(
        write(tmp_path, "a.warc", archive([(FERRY_URL + "?utm_source=rss", canonical, "text/html")]))
    ).articles
    assert ferry.url == FERRY_URL


def test_a_date_after_the_crawl_is_left_out(tmp_path):
    future = page("Ferry strike", FERRY, '<meta property="article:published_time" content="2031-01-01">')
    reading = read(write(tmp_path, "a.warc", archive([(FERRY_URL, future, "text/html")])))
    assert reading.articles[0].published is None
    assert reading.problems == [
        f"record 3 ({FERRY_URL}): date 2031-01-01 is after the page was archived (2024-03-10); left out"
    ]


def test_errors_redirects_revisits_and_pages_without_a_body_are_not_articles(tmp_path):
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(response(writer, HARBOUR_URL, HARBOUR_PAGE, "text/html"))
    writer.write_record(
        response(writer, "https://www.example-times.co.uk/gone", FERRY_PAGE, "text/html", "404 Not Found")
    )
    writer.write_record(writer.create_revisit_record(HARBOUR_URL, "sha1:AAAA", HARBOUR_URL, CRAWLED))
    menu_only = b"<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"
    writer.write_record(response(writer, "https://www.example-times.co.uk/menu", menu_only, "text/html"))
    reading = read(write(tmp_path, "mixed.warc", buffer.getvalue()))
    assert [article.url for article in reading.articles] == [HARBOUR_URL]
    [problem] = reading.problems
    assert problem.startswith("record 4 (https://www.example-times.co.uk/menu): no article body found in the HTML")


def test_a_page_in_another_charset_is_decoded_by_its_header(tmp_path):
    body = page("Été", "Les équipes du ferry ont cessé le travail vendredi pour les salaires, à Genève et à Lausanne.")
    data = archive([(FERRY_URL, body.decode().encode("latin-1"), "text/html; charset=iso-8859-1")])
    [article] = read(write(tmp_path, "latin.warc", data)).articles
    assert "Les équipes du ferry" in article.text


def test_a_truncated_warc_keeps_the_pages_before_the_cut_and_names_the_record(tmp_path):
    data = archive(SITE)
    cut = data[: data.index(FERRY.encode()) + 10]
    reading = read(write(tmp_path, "cut.warc", cut))
    assert [article.url for article in reading.articles] == [HARBOUR_URL]
    assert reading.problems == [f"record 7 ({FERRY_URL}): the archive ends inside this record (truncated?): left out"]


def test_a_warc_cut_inside_a_record_header_names_it(tmp_path):
    data = archive(SITE)
    cut = data[: data.rindex(b"WARC-Date") + 4]
    reading = read(write(tmp_path, "cut.warc", cut))
    assert [article.url for article in reading.articles] == [HARBOUR_URL]
    assert reading.problems == [
        "record 7: the archive ends inside this record's header, or it has no Content-Length "
        "(truncated?): reading stopped here"
    ]


def test_a_truncated_warc_gz_keeps_the_pages_before_the_cut(tmp_path):
    data = archive(SITE, compressed=True)
    reading = read(write(tmp_path, "cut.warc.gz", data[:-40]))
    assert [article.url for article in reading.articles] == [HARBOUR_URL]
    [problem] = reading.problems
    assert problem.startswith(f"record 7 ({FERRY_URL}): the gzip file ends early (Compressed file ended")
    assert problem.endswith("(reading stopped here)")


def test_an_oversized_page_is_skipped_and_the_others_read(tmp_path):
    huge = page("Huge", "word " * (MAX_PAGE_BYTES // 5 + 10))
    reading = read(write(tmp_path, "big.warc", archive([(FERRY_URL, huge, "text/html"), *SITE[:1]])))
    assert [article.url for article in reading.articles] == [HARBOUR_URL]
    assert reading.problems == [f"record 3 ({FERRY_URL}): the page is over 5 MB, more than an article; skipped"]


def test_a_gzip_bomb_stops_reading_with_one_line(tmp_path):
    zeros = ("https://www.example-times.co.uk/zeros.bin", b"\0" * (64 * 1024 * 1024), "application/octet-stream")
    bomb = gzip.compress(archive([SITE[0], zeros, SITE[2]]))
    reading = read(write(tmp_path, "bomb.warc.gz", bomb))
    assert [article.url for article in reading.articles] == [HARBOUR_URL]
    [problem] = reading.problems
    assert problem.startswith("record 5 (https://www.example-times.co.uk/zeros.bin): expands more than 100 times")


def test_garbage_without_line_ends_is_one_bad_record_not_minutes_of_reading(tmp_path):
    reading = read(write(tmp_path, "tail.warc.gz", gzip.compress(archive(SITE) + b"\0" * (64 * 1024 * 1024))))
    assert [article.url for article in reading.articles] == [HARBOUR_URL, FERRY_URL]
    [problem] = reading.problems
    assert problem.startswith("record 8: not a readable WARC record (Invalid WARC record, first line: ")


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "the file is empty"),
        (b"hello, this is not a web archive\n" * 5, "record 1: not a WARC record (an ARC file, or not a web archive?)"),
        (archive([SITE[1]]), "holds 3 records, none a saved HTML page"),
    ],
    ids=["empty", "not-warc", "no-page"],  # the archive's record ids are random: test ids must not be (xdist)
)
def test_an_archive_without_a_readable_page_is_one_line_naming_it(tmp_path, data, reason):
    with pytest.raises(QAError) as error:
        read(write(tmp_path, "x.warc", data))
    assert str(error.value).startswith("x.warc: ") and reason in str(error.value) and "\n" not in str(error.value)


def test_warcs_are_walked_and_staged_like_other_record_files(tmp_path):
    source = tmp_path / "saved"
    write(source, "site.warc.gz", archive(SITE, compressed=True))
    write(source, "plain.warc", archive(SITE[2:]))
    assert [path.name for path in corpus_files(source)] == ["plain.warc", "site.warc.gz"]
    corpus = tmp_path / "corpus"
    staged = stage_files([source], corpus)
    assert sorted(path.name for path in staged.copied) == ["plain.warc", "site.warc.gz"] and staged.refused == []
    again = read(corpus / "saved" / "site.warc.gz")
    assert [article.doc_id for article in again.articles] == [a.doc_id for a in read(source / "site.warc.gz").articles]


ARCHIVES = {compressed: archive(SITE, compressed=compressed) for compressed in (False, True)}
"""Written once: each archive has fresh record ids, and hypothesis needs the same bytes on every run."""


@settings(max_examples=100, deadline=dt.timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_cut_or_damage_gives_articles_or_one_problem_line(tmp_path_factory, data):
    compressed = data.draw(st.booleans())
    blob = bytearray(ARCHIVES[compressed])
    end = data.draw(st.integers(0, len(blob)))
    for position in data.draw(st.lists(st.integers(0, max(end - 1, 0)), max_size=3)):
        if position < end:
            blob[position] = data.draw(st.integers(0, 255))
    name = "f.warc.gz" if compressed else "f.warc"
    try:
        reading = read(write(tmp_path_factory.mktemp("warc"), name, bytes(blob[:end])))
    except QAError as error:
        assert str(error).startswith(f"{name}: ") and "\n" not in str(error)
        return
    assert reading.articles and all(article.text.strip() for article in reading.articles)
    assert all("\n" not in problem for problem in reading.problems)


def test_the_records_address_gives_its_date_and_known_outlet_to_a_page_naming_neither(tmp_path):
    """A page without canonical link or og:url is read with the WARC-Target-URI: the URL's day votes, and the
    known outlet there beats a `<title>` part the page repeats."""
    url = "https://www.nytimes.com/2024/03/05/nyregion/ferry-strike.html"
    body = f"{FERRY}</p><p>Ferry strike - Harbour Blog. Published March 5, 2024"
    html = page("Ferry strike - Harbour Blog", body)
    [ferry] = read(write(tmp_path, "a.warc", archive([(url, html, "text/html")]))).articles
    assert ferry.published == dt.date(2024, 3, 5)
    assert f"the date in {url}" in ferry.provenance["published"].detail
    assert ferry.outlet == "The New York Times"
