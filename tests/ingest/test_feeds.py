"""RSS and Atom feeds, written by the tests: one article per item, attributed to the channel, dated by the item."""

from __future__ import annotations

import datetime as dt
import gzip
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.errors import IngestError, QAError
from qa.ingest import corpus_files, read_corpus_file, stage_files
from qa.ingest.feeds import SUMMARY_NOTE
from qa.models import MetadataSource
from tests.support.feeds import ATOM, FERRY, HARBOUR, RSS


def write(corpus: Path, name: str, data: str | bytes) -> Path:
    corpus.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    path = corpus / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    return path


def read(path: Path):
    return read_corpus_file(path, corpus_dir=path.parent)


def test_each_rss_item_is_an_article_cited_to_the_channel_with_its_own_date_link_and_title(tmp_path):
    reading = read(write(tmp_path, "gazette.rss", RSS))
    wall, ferry = reading.articles
    assert wall.outlet == ferry.outlet == "Harbour Gazette"
    assert wall.provenance["outlet"].source == MetadataSource.RECORD
    assert wall.title == "Council votes to rebuild the harbour wall"
    assert wall.url == "https://harbourgazette.example/2024/03/05/harbour-wall"  # relative to the channel link
    assert wall.published == dt.date(2024, 3, 5)  # the item's own day, not UTC's 6 March
    assert wall.published_at == dt.datetime(2024, 3, 5, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert wall.author == "Ann Lee"
    assert ferry.published == dt.date(2024, 3, 6) and ferry.published_at is None
    assert ferry.url == "https://harbourgazette.example/2024/03/06/ferry"
    assert reading.places == {wall.doc_id: "item 1", ferry.doc_id: "item 2"}


def test_item_html_becomes_clean_text_and_the_full_content_wins_over_the_description(tmp_path):
    wall, _ = read(write(tmp_path, "gazette.rss", RSS)).articles
    assert wall.text == f"{HARBOUR}\n\nEngineers said AT&T cables run under it."
    assert "track()" not in wall.text and "<p>" not in wall.text and "wall will be rebuilt" not in wall.text


def test_a_summary_only_item_is_indexed_as_its_summary_and_says_so(tmp_path):
    reading = read(write(tmp_path, "gazette.rss", RSS))
    wall, ferry = reading.articles
    assert ferry.text == FERRY
    assert ferry.provenance["title"].note == SUMMARY_NOTE
    assert all(provenance.note is None for provenance in wall.provenance.values())
    assert reading.problems == [
        "item 2: the feed gives only a summary: the text indexed is that summary, not the article (see `qa show`)"
    ]


def test_atom_entries_keep_published_time_and_zone_and_never_take_updated_as_published(tmp_path):
    reading = read(write(tmp_path, "courier.atom", ATOM))
    wall, ferry = reading.articles
    assert (wall.outlet, wall.author, wall.url) == (
        "Valley Courier",
        "Bo Chan",
        "https://valleycourier.example/harbour",
    )
    assert wall.published_at == dt.datetime(2024, 3, 4, 9, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert wall.text == HARBOUR
    assert ferry.published is None and ferry.text == FERRY
    assert reading.problems == [
        "item 2: gives only when it was updated, never taken as the publication date; left undated"
    ]


def test_an_rss_1_item_is_dated_by_its_dc_date(tmp_path):
    rdf = f"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://rdf.example/"><title>RDF Times</title><link>https://rdf.example/</link></channel>
  <item rdf:about="https://rdf.example/a"><title>A</title><link>https://rdf.example/a</link>
    <dc:date>2024-03-02T08:00:00+09:00</dc:date><description>{FERRY}</description></item>
</rdf:RDF>"""
    [item] = read(write(tmp_path, "rdf.rss", rdf)).articles
    assert (item.outlet, item.published, item.url) == ("RDF Times", dt.date(2024, 3, 2), "https://rdf.example/a")


def test_an_items_own_source_is_its_outlet_and_an_aggregators_channel_never_is(tmp_path):
    aggregated = f"""<rss version="2.0"><channel><title>Yahoo News</title><link>https://news.yahoo.com/</link>
  <item><title>Ferry strike</title><link>https://www.reuters.com/world/ferry</link>
    <description>{FERRY}</description><source url="https://www.reuters.com">Reuters</source></item>
  <item><title>Harbour</title><link>https://harbourgazette.co.uk/harbour</link><description>{HARBOUR}</description></item>
</channel></rss>"""
    ferry, wall = read(write(tmp_path, "aggregated.xml", aggregated)).articles
    assert ferry.outlet == "Reuters" and ferry.provenance["outlet"].detail.endswith("<source>")
    assert wall.outlet == "harbourgazette.co.uk"  # its own link says more than the aggregator


def test_xml_is_read_when_it_is_a_feed_and_other_xml_is_left_alone(tmp_path):
    write(tmp_path, "gazette.xml", RSS)
    write(tmp_path, "courier.atom.gz", ATOM)
    write(tmp_path, "sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>')
    names = [path.name for path in corpus_files(tmp_path)]
    assert names == ["courier.atom.gz", "gazette.xml"]
    assert len(read(tmp_path / "gazette.xml").articles) == 2
    assert len(read(tmp_path / "courier.atom.gz").articles) == 2


def test_qa_add_stages_feeds_and_refuses_xml_that_is_no_feed(tmp_path):
    source = tmp_path / "saved"
    write(source, "gazette.rss", RSS)
    write(source, "sitemap.xml", "<urlset><url><loc>https://a.example/</loc></url></urlset>")
    corpus = tmp_path / "corpus"
    staged = stage_files([source], corpus)
    assert [path.relative_to(corpus).as_posix() for path in staged.copied] == ["saved/gazette.rss"]
    refused = stage_files([source / "sitemap.xml"], corpus).refused
    assert [item.reason for item in refused] == [
        "not an RSS or Atom feed; qa reads .rss, .atom and .xml files that are feeds"
    ]


def test_ids_are_stable_across_reads(tmp_path):
    first = [article.doc_id for article in read(write(tmp_path, "gazette.rss", RSS)).articles]
    again = [article.doc_id for article in read(write(tmp_path / "again", "renamed.xml", RSS)).articles]
    assert first == again and len(set(first)) == 2


def test_a_feed_in_another_declared_encoding_is_decoded_as_declared(tmp_path):
    latin = RSS.replace('encoding="utf-8"', 'encoding="iso-8859-1"').replace("Ferry crews", "Les équipes du ferry")
    _, ferry = read(write(tmp_path, "latin.rss", latin.encode("latin-1"))).articles
    assert ferry.text.startswith("Les équipes du ferry")
    utf16 = read(write(tmp_path, "wide.rss", RSS.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")))
    assert [article.title for article in utf16.articles] == [
        "Council votes to rebuild the harbour wall",
        "Ferry crews strike",
    ]


def test_a_truncated_feed_keeps_its_whole_items_and_names_the_cut_one(tmp_path):
    cut = RSS[: RSS.index(FERRY) + 20]
    reading = read(write(tmp_path, "cut.rss", cut))
    assert [article.title for article in reading.articles] == ["Council votes to rebuild the harbour wall"]
    assert reading.problems == ["item 2: the feed ends inside this item (no element found; truncated?): left out"]


def test_a_malformed_feed_names_the_item_and_still_reads_every_item(tmp_path):
    broken = RSS.replace(f"&lt;p&gt;{FERRY}&lt;/p&gt;", f"{FERRY} Fares & <b>delays</i> rise.")
    reading = read(write(tmp_path, "broken.rss", broken))
    assert [article.title for article in reading.articles] == [
        "Council votes to rebuild the harbour wall",
        "Ferry crews strike",
    ]
    assert reading.articles[1].text.startswith(FERRY)
    assert reading.problems[0].startswith("item 2: not well-formed XML at line ")
    assert reading.problems[0].endswith("read leniently, check it")


def test_a_large_malformed_feed_is_refused_rather_than_read_leniently_for_minutes(tmp_path):
    paragraph = f"<p>{HARBOUR}</p>" * 16
    items = "".join(
        f"<item><title>Story {n}</title><description><![CDATA[<p>Story {n}.</p>{paragraph}]]></description></item>"
        for n in range(2_000)
    )
    big = f'<rss version="2.0"><channel><title>T</title>{items}<item><title>AT&T</title></item></channel></rss>'
    assert len(big) > 4 * 1024 * 1024
    with pytest.raises(IngestError) as error:
        read(write(tmp_path, "big.rss", big))
    assert str(error.value).startswith("big.rss: not well-formed XML (line 1, column ")
    assert "more than qa reads leniently" in str(error.value)
    good = read(write(tmp_path, "good.rss", big.replace("AT&T", "AT&amp;T")))
    assert len(good.articles) == 2_001 and good.articles[-1].text == "AT&T"


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("page.rss", "<html><body><p>Hello</p></body></html>", "not an RSS or Atom feed"),
        ("empty.atom", "  \n", "the file is empty"),
        ("none.rss", '<rss version="2.0"><channel><title>T</title></channel></rss>', "the feed has no items"),
        ("nothing.rss", '<rss version="2.0"><channel><title>T</title><item></item></channel></rss>', "has no text"),
    ],
)
def test_a_file_with_no_usable_item_is_one_line_naming_it(tmp_path, name, data, reason):
    with pytest.raises(QAError) as error:
        read(write(tmp_path, name, data))
    assert str(error.value).startswith(f"{name}: ") and reason in str(error.value) and "\n" not in str(error.value)


LAUGHS = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10))
BOMBS = {
    "billion laughs": f'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol0 "lol">\n{LAUGHS}]>\n'
    '<rss version="2.0"><channel><title>T</title><item><title>&lol9;</title></item></channel></rss>',
    "laughs on one line": f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol0 "lol">{LAUGHS.replace(chr(10), "")}]>'
    '<rss version="2.0"><channel><title>T</title><item><title>&lol9;</title></item></channel></rss>',
    "one long entity many times": f'<!DOCTYPE rss [\n<!ENTITY a "{"A" * 100_000}">\n]>\n<rss version="2.0"><channel>'
    f"<title>T</title><item><title>t</title><description>{'&a;' * 20_000}</description></item></channel></rss>",
    "external entity": '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n'
    '<rss version="2.0"><channel><title>T</title><item><title>&x;</title></item></channel></rss>',
    "parameter entity": '<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "file:///etc/passwd">\n%p;\n]>\n'
    '<rss version="2.0"><channel><title>T</title><item><title>t</title></item></channel></rss>',
}


@pytest.mark.parametrize("kind", BOMBS)
def test_an_xml_entity_bomb_is_refused_before_it_expands(tmp_path, kind):
    started = time.monotonic()
    with pytest.raises(IngestError) as error:
        read(write(tmp_path, "bomb.rss", BOMBS[kind]))
    assert "declares an XML entity that expands or loads a file" in str(error.value)
    assert time.monotonic() - started < 30  # a bound on a blow-up (minutes, gigabytes), not a timing


def test_harmless_entities_and_external_dtds_are_read_without_fetching_anything(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    feed = RSS.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss SYSTEM "{secret}" [\n<!ENTITY nbsp "&#160;">\n]>',
    ).replace("Ferry crews strike", "Ferry&nbsp;crews strike")
    reading = read(write(tmp_path, "dtd.rss", feed))
    assert [article.title for article in reading.articles][1] == "Ferry crews strike"  # &nbsp; read
    assert not any("SECRET" in article.text or "SECRET" in (article.title or "") for article in reading.articles)


FEED_PIECES = [
    "<rss version='2.0'>", "<channel>", "<title>", "</title>", "<item>", "</item>", "<description>", "</description>",
    "<pubDate>", "</pubDate>", "Tue, 05 Mar 2024 23:30:00 -0500", "2024-02-30", "03/04/2024", "<link>", "</link>",
    "javascript:alert(1)", "/relative", "<![CDATA[", "]]>", "&amp;", "&", "<", "<!DOCTYPE rss [", "]>",
    '<!ENTITY a "b">', "&a;", "<feed xmlns='http://www.w3.org/2005/Atom'>", "<entry>", "</entry>", "<updated>",
    "</updated>", "<content type='html'>", "</content>", FERRY, "\x00", "\x1b[2J", "é", "\ufeff", "</channel></rss>",
]  # fmt: skip


@settings(max_examples=150, deadline=dt.timedelta(seconds=10), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(FEED_PIECES), max_size=50).map("".join), st.sampled_from(["f.rss", "f.xml.gz"]))
def test_any_feed_text_gives_articles_or_one_problem_line(tmp_path_factory, text, name):
    folder = tmp_path_factory.mktemp("feed")
    try:
        reading = read(write(folder, name, text))
    except QAError as error:
        assert str(error).startswith(f"{name}: ") and "\n" not in str(error)
        return
    assert reading.articles and all(article.text.strip() for article in reading.articles)
    assert all("\n" not in problem for problem in reading.problems)
    assert all(article.url is None or article.url.startswith("http") for article in reading.articles)


LINK_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Hacker News</title><link>https://news.ycombinator.com/</link>
<item><title>Ferry strike ends</title><link>https://www.nytimes.com/2024/03/06/ferry.html</link>
<description>The ferry workers' union ended its strike on Saturday after a new pay deal.</description>
<pubDate>Wed, 06 Mar 2024 10:00:00 GMT</pubDate></item>
<item><title>Harbour wall</title><link>https://harbourwatch.org/wall</link>
<description>The council voted to rebuild the harbour wall after the winter storms.</description></item>
<item><title>Ask: ferries</title><link>https://news.ycombinator.com/item?id=1</link>
<description>Which ferry lines still run in winter along the northern coast?</description></item>
</channel></rss>"""


def test_a_channel_is_the_outlet_only_of_items_on_its_own_site(tmp_path):
    """A link aggregator's channel title is no outlet of the stories it links to: the link's outlet is."""
    times, elsewhere, own = read(write(tmp_path, "hn.rss", LINK_FEED)).articles
    assert times.outlet == "The New York Times"
    assert times.provenance["outlet"].source == MetadataSource.URL
    assert elsewhere.outlet == "harbourwatch.org" and elsewhere.provenance["outlet"].source == MetadataSource.URL
    assert own.outlet == "Hacker News" and own.provenance["outlet"].source == MetadataSource.RECORD


def test_a_channel_title_is_cleaned_like_a_page_outlet(tmp_path):
    feed = LINK_FEED.replace("<title>Hacker News</title>", "<title>Harbour Gazette Ltd</title>")
    *_, own = read(write(tmp_path, "hn.rss", feed)).articles
    assert own.outlet == "Harbour Gazette"


ATOM_IN_RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:a10="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Harbour Gazette</title><link>https://harbourgazette.example/</link>
<item><title>Ferry</title><link>https://harbourgazette.example/ferry</link>
<description>The ferry workers' union ended its strike on Saturday after a new pay deal.</description>
<a10:updated>2024-03-09T08:00:00Z</a10:updated></item>
<item><title>Wall</title><link>https://harbourgazette.example/wall</link>
<description>The council voted to rebuild the harbour wall after the winter storms.</description>
<dc:date>2024-03-05T08:00:00Z</dc:date></item>
</channel></rss>"""


def test_an_atom_updated_inside_rss_is_no_publication_date_but_a_dc_date_is(tmp_path):
    reading = read(write(tmp_path, "gazette.rss", ATOM_IN_RSS))
    ferry, wall = reading.articles
    assert ferry.published is None and ferry.published_at is None
    assert wall.published == dt.date(2024, 3, 5)
    assert "item 1: gives only when it was updated, never taken as the publication date; left undated" in (
        reading.problems
    )
