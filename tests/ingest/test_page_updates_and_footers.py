"""Saved pages, written by the tests: the update time kept apart from the publication day, htmldate's fast pass
before its text search, and outlet names found in footers a long tail follows or a company author tag.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qa.ingest import read_corpus_file
from qa.ingest.page_dates import DateVotes, htmldate_day, meta_dates, visible_dates
from qa.ingest.page_outlets import copyright_holder
from qa.ingest.visible_dates import shown_dates
from tests.support.processes import qa

STORY = (
    "The river authority opened the new flood gates on Monday after three years of work, and engineers said "
    "the gates held back the spring melt without trouble. Farmers downstream said their fields stayed dry."
)


def page(head: str = "", *, body: str = "", title: str = "Flood gates hold") -> str:
    body = body or f"<article><h1>Flood gates hold</h1><p>{STORY}</p></article>"
    return f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


def read(tmp_path: Path, html: str, name: str = "page.html"):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / name).write_text(html, encoding="utf-8")
    [article] = read_corpus_file(corpus / name, corpus_dir=corpus).articles
    return article


def test_a_modified_time_is_kept_as_the_update_never_as_the_publication(tmp_path):
    head = (
        '<meta property="article:published_time" content="2024-03-02T08:15:00+01:00">'
        '<meta property="article:modified_time" content="2024-03-04T10:00:00+01:00">'
    )
    article = read(tmp_path, page(head))
    assert article.published == dt.date(2024, 3, 2)
    assert article.published_at == dt.datetime(2024, 3, 2, 8, 15, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert article.updated == dt.datetime(2024, 3, 4, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert "article:modified_time" in article.provenance["updated"].detail


def test_json_ld_date_modified_outranks_an_updated_label_shown_on_the_page(tmp_path):
    ld = '{"@type": "NewsArticle", "datePublished": "2021-11-29", "dateModified": "2022-01-12T09:30:00Z"}'
    body = f"<article><h1>Flood gates hold</h1><p>Updated: 5 January 2022</p><p>{STORY}</p></article>"
    article = read(tmp_path, page(f'<script type="application/ld+json">{ld}</script>', body=body))
    assert article.published == dt.date(2021, 11, 29)
    assert article.updated == dt.datetime(2022, 1, 12, 9, 30, tzinfo=dt.UTC)


def test_the_metadata_publication_day_stays_when_the_page_shows_only_its_update(tmp_path):
    """hellogiggles.com, realsimple.com: JSON-LD says when the story was first published, the page shows only
    "Updated March 12, 2020". The citation keeps the first publication and says when the page last changed."""
    ld = '{"@type": "Article", "datePublished": "2019-10-15T12:00:00-04:00"}'
    body = f"<article><h1>Flood gates hold</h1><p>Updated March 12, 2020</p><p>{STORY}</p></article>"
    article = read(tmp_path, page(f'<script type="application/ld+json">{ld}</script>', body=body))
    assert article.published == dt.date(2019, 10, 15)
    assert article.updated == dt.date(2020, 3, 12)


def test_an_update_before_the_publication_day_is_not_kept():
    """A template's stamp (a site-wide `last-modified` older than the story) says nothing about this story."""
    votes = DateVotes()
    meta_dates({"article:published_time": "2024-03-02", "last-modified": "2019-01-01"}, votes)
    decided = votes.decide()
    assert decided is not None and decided.day == dt.date(2024, 3, 2)
    assert votes.last_update(decided.day) is None
    assert votes.last_update(None) == (dt.date(2019, 1, 1), "<meta last-modified>")


def test_an_update_label_date_is_an_update_even_beside_a_dateline():
    votes = DateVotes()
    visible_dates("Flood gates hold 12.01.2022 Stand: 14.01.2022", ["Flood gates hold"], votes)
    assert [date.day for _, date, _ in votes.readings] == [dt.date(2022, 1, 12)]
    assert votes.last_update(dt.date(2022, 1, 12)) == (dt.date(2022, 1, 14), "the date shown after an update label")


def test_htmldate_reads_the_markup_first_and_searches_the_text_only_when_the_markup_has_no_date():
    marked = page('<meta name="date" content="2021-10-16">', body=f"<p>{STORY} Founded 16 June 2016.</p>")
    votes = DateVotes()
    htmldate_day(marked, votes)
    assert [(date.day, where) for _, date, where in votes.readings] == [(dt.date(2021, 10, 16), "htmldate")]
    text_only = page(body=f"<p>{STORY}</p><p>Posted by the editors, 16 June 2016</p>")
    votes = DateVotes()
    htmldate_day(text_only, votes)
    assert [(date.day, where) for _, date, where in votes.readings] == [
        (dt.date(2016, 6, 16), "htmldate (extensive search)")
    ]


def test_a_noscript_left_open_does_not_hide_the_page(tmp_path):
    """parcoabruzzo.it: a `<noscript>` never closed swallows the page; browsers show it, so its dateline and
    footer are read."""
    html = (
        "<!doctype html><html><head><title>Flood gates hold</title></head><body><noscript><p>Enable scripts"
        f"<article><h1>Flood gates hold</h1><p>Published 14 January 2020</p><p>{STORY}</p></article>"
        "<footer>© 2020 Valley Courier. All rights reserved.</footer></body></html>"
    )
    article = read(tmp_path, html)
    assert article.published == dt.date(2020, 1, 14)
    assert article.outlet == "Valley Courier"


def test_a_copyright_line_followed_by_a_long_link_list_still_names_the_holder():
    links = " ".join(f"Link {n}" for n in range(600))  # about 4,500 characters of menus after the footer
    assert copyright_holder(f"{STORY} © 1995-2023 Valley Courier e. V. - Impressum {links}") == "Valley Courier"


def test_a_copyright_line_that_only_reserves_rights_names_no_holder():
    assert copyright_holder("Impressum © 2019 Alle Rechte vorbehalten") is None
    assert copyright_holder("About © 2019 All rights reserved. Valley Courier") is None


def test_a_company_in_the_author_tag_names_the_outlet_and_a_person_does_not(tmp_path):
    company = read(tmp_path, page('<meta name="author" content="Valley Wine Institute GmbH">'))
    assert company.outlet == "Valley Wine Institute"
    person = read(tmp_path, page('<meta name="author" content="Ann Lee">'), "b.html")
    assert person.outlet is None
    assert person.author == "Ann Lee"


@pytest.mark.parametrize(
    ("shown", "day"),
    [
        ("Publicado em 3 de março de 2021", dt.date(2021, 3, 3)),
        ("Publicerad 14 augusti 2020", dt.date(2020, 8, 14)),
        ("Udgivet 3. marts 2022", dt.date(2022, 3, 3)),
        ("Opublikowano: 12 października 2023", dt.date(2023, 10, 12)),
        ("Опубликовано 24 июня 2019", dt.date(2019, 6, 24)),
        ("Yayınlanma: 5 Kasım 2023", dt.date(2023, 11, 5)),
        ("发布时间：2019年6月24日 10:00", dt.date(2019, 6, 24)),
        ("입력 2023년 11월 7일", dt.date(2023, 11, 7)),
    ],
)
def test_labelled_datelines_in_more_languages(shown, day):
    votes = DateVotes()
    visible_dates(f"Flood gates hold {shown}", ["Flood gates hold"], votes)
    assert [(kind, date.day) for kind, date, _ in votes.readings] == [("labelled dateline", day)]


@pytest.mark.parametrize("shown", ["Atualizado em 4 de março de 2021", "Uppdaterad 4 mars 2021", "更新：2021年3月4日"])
def test_update_labels_in_more_languages_mark_an_update(shown):
    votes = DateVotes()
    visible_dates(f"Flood gates hold {shown}", ["Flood gates hold"], votes)
    assert votes.decide() is None
    assert votes.last_update(None) == (dt.date(2021, 3, 4), "the date shown after an update label")


def test_a_month_prefix_two_months_share_is_no_abbreviation():
    """Czech června is June and července July: "čer" names neither."""
    votes = DateVotes()
    visible_dates("Flood gates hold 3 čer 2021", ["Flood gates hold"], votes)
    assert votes.readings == []


def test_an_unlabelled_cjk_date_is_no_dateline():
    """An encyclopedia prints a birth date under its headline: without "发布时间" it is the story's date."""
    votes = DateVotes()
    visible_dates("李明 1975年1月28日出生于北京", ["李明"], votes)
    assert votes.readings == []


def test_a_pages_update_time_survives_the_index_and_show(tmp_path, capsys, embedder):
    from qa.config import Settings
    from qa.engine import Engine

    head = (
        '<meta property="article:published_time" content="2024-03-02T08:15:00+01:00">'
        '<meta property="article:modified_time" content="2024-03-04T10:00:00+01:00">'
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "storm.html").write_text(page(head), encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = Engine(settings, embedder=embedder).build_index()
    assert report.added == ["storm.html"] and report.skipped == []
    [article] = read_corpus_file(corpus / "storm.html", corpus_dir=corpus).articles
    code, out, _ = qa("show", article.doc_id, "--json", "--index", str(tmp_path / "index"), capsys=capsys)
    data = json.loads(out)
    assert code == 0
    assert (data["published"], data["updated"]) == ("2024-03-02", "2024-03-04T10:00:00+01:00")


def test_a_json_ld_publisher_given_by_id_is_named_when_the_page_names_itself_nowhere_else(tmp_path):
    graph = (
        '{"@graph": [{"@type": "NewsArticle", "headline": "Flood gates hold", '
        '"publisher": {"@id": "https://valleycourier.org/#organization"}}, '
        '{"@type": "Organization", "@id": "https://valleycourier.org/#organization", "name": "Valley Courier"}]}'
    )
    script = f'<script type="application/ld+json">{graph}</script>'
    article = read(tmp_path, page(script))
    assert article.outlet == "Valley Courier"
    assert "JSON-LD publisher by @id" in article.provenance["outlet"].detail
    site_name = '<meta property="og:site_name" content="The Courier">'
    article = read(tmp_path, page(script + site_name), "b.html")
    assert article.outlet == "The Courier"  # the page's own name for itself comes first


def test_a_person_given_by_id_as_publisher_is_no_outlet(tmp_path):
    graph = (
        '{"@graph": [{"@type": "BlogPosting", "headline": "Flood gates hold", "publisher": {"@id": "#ann"}}, '
        '{"@type": ["Person", "Organization"], "@id": "#ann", "name": "Ann Lee"}]}'
    )
    article = read(tmp_path, page(f'<script type="application/ld+json">{graph}</script>'))
    assert article.outlet is None


@pytest.mark.parametrize(
    "text",
    [
        "MacBook Pro 16 2019 review",  # "pro" begins the Czech December (prosince)
        "Sie 12 2020 neue Regeln",  # "sie" begins the Polish August (sierpnia)
        "The lamp led 24 2021 visitors",  # "led" begins the Czech January (ledna)
        "prices fell two years ago 16 2019",
        "sold out 16 2019",
        "Nis 5 2020",
    ],
)
def test_everyday_words_are_never_read_as_month_abbreviations(text: str) -> None:
    assert list(shown_dates(text)) == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("12 sierpnia 2020", dt.date(2020, 8, 12)),
        ("3 prosince 2019", dt.date(2019, 12, 3)),
        ("5 Nisan 2020", dt.date(2020, 4, 5)),
        ("Feb. 3, 2021", dt.date(2021, 2, 3)),
        ("3 ott 2019", dt.date(2019, 10, 3)),
    ],
)
def test_months_are_read_in_full_in_every_language_and_abbreviated_where_pages_abbreviate(
    text: str, day: dt.date
) -> None:
    assert [shown.day for shown in shown_dates(text)] == [day]
