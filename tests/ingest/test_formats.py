"""Every format qa reads, written by the tests: text, HTML, JSON, JSONL, CSV and their gzip versions."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest

from qa.errors import UsageError
from qa.ingest import corpus_files, read_corpus_file
from qa.ingest.dates import parse_news_date
from qa.ingest.records import parse_field_map
from qa.models import MetadataSource

BODY = (
    "The river authority opened the new flood gates on Monday after three years of work, "
    "and engineers said the gates held back the spring melt without trouble."
)
RECORDS = [
    {
        "headline": "Flood gates hold",
        "content": BODY,
        "publisher": "Valley Courier",
        "pubDate": "2024-02-11T09:00:00Z",
        "link": "https://valleycourier.example.org/flood-gates",
        "authors": ["Ann Lee", "Bo Chan"],
    },
    {
        "title": "Bridge reopens",
        "body": "The old bridge reopened to traffic on Tuesday after repairs to its deck and railings.",
        "source": "https://www.reuters.com/world/bridge",
        "date": "Feb. 12, 2024",
        "url": "https://www.reuters.com/world/bridge",
    },
]


def write(corpus: Path, name: str, data: bytes | str) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    path = corpus / name
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return path


def read(path: Path):
    return read_corpus_file(path, corpus_dir=path.parent)


def as_csv(records: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["headline", "content", "publisher", "pubDate", "link"])
    writer.writeheader()
    for record in records:
        writer.writerow({key: record.get(key, "") for key in writer.fieldnames})
    return out.getvalue()


FORMATS = {
    "news.jsonl": "\n".join(json.dumps(r) for r in RECORDS),
    "news.json": json.dumps(RECORDS),
    "wrapped.json": json.dumps({"status": "ok", "articles": RECORDS}),
}


@pytest.mark.parametrize("compressed", [False, True])
@pytest.mark.parametrize("name", sorted(FORMATS))
def test_json_formats_read_common_field_names(tmp_path, name, compressed):
    path = write(tmp_path / "corpus", name + (".gz" if compressed else ""), FORMATS[name])
    reading = read(path)
    assert reading.problems == []
    first, second = reading.articles
    assert (first.title, first.text, first.outlet, first.published) == (
        "Flood gates hold",
        BODY,
        "Valley Courier",
        dt.date(2024, 2, 11),
    )
    assert first.published_at == dt.datetime(2024, 2, 11, 9, tzinfo=dt.UTC)
    assert first.author == "Ann Lee, Bo Chan"
    assert first.provenance["outlet"].source == MetadataSource.RECORD
    assert "'publisher'" in first.provenance["outlet"].detail
    assert (second.outlet, second.published, second.published_at) == ("Reuters", dt.date(2024, 2, 12), None)


@pytest.mark.parametrize("name", ["news.csv", "news.csv.gz"])
def test_csv_with_a_header(tmp_path, name):
    path = write(tmp_path / "corpus", name, as_csv(RECORDS[:1]))
    [article] = read(path).articles
    assert (article.title, article.outlet, article.published) == (
        "Flood gates hold",
        "Valley Courier",
        dt.date(2024, 2, 11),
    )
    assert article.url == "https://valleycourier.example.org/flood-gates"


def test_a_field_map_reads_nested_records(tmp_path):
    record = {"id": 7, "story": {"words": BODY}, "meta": {"site": {"name": "Harbour Gazette"}, "when": "11 Feb 2024"}}
    corpus = tmp_path / "corpus"
    path = write(corpus, "api.jsonl", json.dumps(record))
    (corpus / "api.jsonl.qa-add.json").write_text(
        json.dumps({"field_map": parse_field_map("text=story.words,outlet=meta.site.name,date=meta.when")})
    )
    [article] = read(path).articles
    assert (article.text, article.outlet, article.published) == (BODY, "Harbour Gazette", dt.date(2024, 2, 11))
    assert "meta.site.name" in article.provenance["outlet"].detail


def test_a_field_map_naming_an_unknown_field_is_a_usage_error():
    with pytest.raises(UsageError, match="outlett"):
        parse_field_map("outlett=source.name")
    with pytest.raises(UsageError, match="FIELD=PATH"):
        parse_field_map("text")


def test_a_sidecar_applies_to_every_record_of_a_jsonl_file(tmp_path):
    corpus = tmp_path / "corpus"
    path = write(corpus, "feed.jsonl.gz", json.dumps({"text": BODY}))
    (corpus / "feed.meta.yaml").write_text("outlet: Valley Courier\n")
    assert corpus_files(corpus) == [path]
    [article] = read(path).articles
    assert article.outlet == "Valley Courier"
    assert article.provenance["outlet"].source == MetadataSource.SIDECAR


def test_headline_only_records_use_the_summary_or_headline_as_text(tmp_path):
    records = [
        {"headline": "Dam opens", "short_description": "The dam opened.", "link": "https://www.huffpost.com/entry/x"},
        {"TITLE": "Fed holds rates", "PUBLISHER": "Los Angeles Times", "TIMESTAMP": "1394470370698"},
    ]
    [huffpost, uci] = read(write(tmp_path / "corpus", "h.jsonl", "\n".join(map(json.dumps, records)))).articles
    assert (huffpost.text, huffpost.outlet) == ("The dam opened.", "HuffPost")
    assert huffpost.provenance["outlet"].source == MetadataSource.URL
    assert (uci.text, uci.outlet, uci.published) == ("Fed holds rates", "Los Angeles Times", dt.date(2014, 3, 10))
    assert uci.published_at.tzinfo is not None


HTML = """<!doctype html><html><head>
<title>Flood gates hold | Valley Courier</title>
<meta property="og:site_name" content="Valley Courier">
<meta property="og:title" content="Flood gates hold">
<meta property="article:published_time" content="2024-02-11T09:00:00+01:00">
<link rel="canonical" href="https://valleycourier.example.org/flood-gates">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Flood gates hold firm", "datePublished": "2024-02-11T09:00:00+01:00",
 "publisher": {"@type": "Organization", "name": "The Valley Courier"}, "author": {"name": "Ann Lee"}}</script>
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<article><h1>Flood gates hold firm</h1>
<p>BODY</p>
<p>Farmers downstream said their fields stayed dry for the first spring in a decade, and the authority
said it would publish its measurements at the end of the month.</p></article>
<footer>Copyright Valley Courier. All rights reserved.</footer>
</body></html>""".replace("BODY", BODY)


@pytest.mark.parametrize("name", ["page.html", "page.htm", "page.html.gz"])
def test_html_main_text_and_page_metadata(tmp_path, name):
    [article] = read(write(tmp_path / "corpus", name, HTML)).articles
    assert BODY in article.text and "Farmers downstream" in article.text
    assert "Home" not in article.text and "All rights reserved" not in article.text
    assert (article.outlet, article.title, article.author) == ("The Valley Courier", "Flood gates hold firm", "Ann Lee")
    assert article.provenance["outlet"].source == MetadataSource.PAGE
    assert "JSON-LD" in article.provenance["outlet"].detail
    assert article.published_at == dt.datetime(2024, 2, 11, 9, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert article.url == "https://valleycourier.example.org/flood-gates"


def test_html_without_json_ld_uses_og_site_name_then_the_url(tmp_path):
    page = HTML.split('<script type="application/ld+json">')[0] + "</head>" + HTML.split("</head>", 1)[1]
    [article] = read(write(tmp_path / "corpus", "a.html", page)).articles
    assert article.outlet == "Valley Courier" and "og:site_name" in article.provenance["outlet"].detail
    bare = page.replace('<meta property="og:site_name" content="Valley Courier">', "")
    bare = bare.replace("valleycourier.example.org", "www.kyivindependent.com")
    [article] = read(write(tmp_path / "corpus", "b.html", bare)).articles
    assert article.outlet == "The Kyiv Independent"
    assert article.provenance["outlet"].source == MetadataSource.URL


def test_an_unknown_domain_is_cited_as_the_registered_domain_with_low_confidence(tmp_path):
    record = {"text": BODY, "url": "https://news.example.co.uk/story/1"}
    [article] = read(write(tmp_path / "corpus", "x.jsonl", json.dumps(record))).articles
    assert article.outlet == "example.co.uk"
    assert article.provenance["outlet"].confidence < 1


def test_front_matter_markdown_and_text_heuristics(tmp_path):
    text = f"---\ntitle: Gates\npublished: 2024-02-11\n---\nKYIV (Reuters) - {BODY}\n"
    [article] = read(write(tmp_path / "corpus", "note.md", text)).articles
    assert (article.title, article.published, article.outlet) == ("Gates", dt.date(2024, 2, 11), "Reuters")
    assert article.provenance["outlet"].source == MetadataSource.TEXT


@pytest.mark.parametrize(
    "value,day,moment",
    [
        ("11 Feb 2024", dt.date(2024, 2, 11), None),
        ("Feb. 11, 2024", dt.date(2024, 2, 11), None),
        ("2024-02-11T09:00:00Z", dt.date(2024, 2, 11), dt.datetime(2024, 2, 11, 9, tzinfo=dt.UTC)),
        (
            "2024-02-11T09:00:00+02:00",
            dt.date(2024, 2, 11),
            dt.datetime(2024, 2, 11, 9, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        (
            "Sun, 11 Feb 2024 09:00:00 -0500",
            dt.date(2024, 2, 11),
            dt.datetime(2024, 2, 11, 9, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        ),
        ("2024-02-11", dt.date(2024, 2, 11), None),
        (1707642000, dt.date(2024, 2, 11), dt.datetime(2024, 2, 11, 9, tzinfo=dt.UTC)),
    ],
)
def test_news_date_forms(value, day, moment):
    parsed = parse_news_date(value)
    assert parsed is not None and (parsed.day, parsed.moment) == (day, moment)


@pytest.mark.parametrize("value", ["Feb. 11", "yesterday", "0", "", "New York", "2024"])
def test_text_without_a_full_date_is_not_a_date(value):
    assert parse_news_date(value) is None


def test_corpus_files_lists_every_format_and_nothing_of_ours(tmp_path):
    corpus = tmp_path / "corpus"
    names = ["a.txt", "b.md", "c.html", "d.htm", "e.json", "f.jsonl", "g.csv", "h.jsonl.gz", "i.csv.gz", "j.txt.gz"]
    for name in names:
        write(corpus, name, "x")
    for name in ["a.meta.json", "f.jsonl.qa-add.json", "notes.pdf", ".hidden.txt"]:
        write(corpus, name, "{}")
    assert [p.name for p in corpus_files(corpus)] == names
