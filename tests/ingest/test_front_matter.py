"""Issue 14 line 1: notes and sidecars with the front matter Jekyll, Hugo, Obsidian, Zola and Pandoc write go in."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qa.cli.show import describe
from qa.ingest import read_corpus_file
from qa.models import MetadataSource
from tests.support.processes import qa

BODY = (
    "The ferry workers' union ended its strike on Saturday after the operator agreed to a new pay deal, "
    "the union said, and the first boats left the harbour on Sunday morning with every seat taken."
)


def read_note(tmp_path: Path, front: str, *, name: str = "note.md", body: str = BODY):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / name).write_text(f"---\n{front.strip()}\n---\n{body}\n", encoding="utf-8")
    return read_corpus_file(corpus / name, corpus_dir=corpus)


def test_a_jekyll_note_with_date_author_and_tags_is_read_not_skipped(tmp_path):
    """The issue's example: `date` as a YAML date and `tags` used to skip the whole file."""
    reading = read_note(tmp_path, "title: Ferry strike ends\ndate: 2024-03-02\nauthor: Ann Lee\ntags: [port, strikes]")
    assert reading.problems == []
    [article] = reading.articles
    assert (article.title, article.published, article.author) == ("Ferry strike ends", dt.date(2024, 3, 2), "Ann Lee")
    assert article.extra == {"tags": "port, strikes"}
    assert article.provenance["published"].source == MetadataSource.FRONT_MATTER
    assert "field 'date'" in article.provenance["published"].detail


def test_markdown_heading_marks_are_not_article_text(tmp_path):
    """An Obsidian note's `# Title` line was quoted in answers as "# Title"; a `#hashtag` is no heading and stays."""
    body = f"# Ferry strike ends\n\n{BODY} #ferries\n\n## What comes next ##\n\nTalks resume in May."
    [article] = read_note(tmp_path, "title: Ferry strike ends", body=body).articles
    assert article.text == f"Ferry strike ends\n\n{BODY} #ferries\n\nWhat comes next\n\nTalks resume in May."


def test_a_yaml_datetime_keeps_its_time_in_published_at(tmp_path):
    [article] = read_note(tmp_path, "date: 2024-03-02 14:30:00+01:00").articles
    assert article.published == dt.date(2024, 3, 2)
    assert article.published_at == dt.datetime(2024, 3, 2, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


@pytest.mark.parametrize("key", ["date", "published", "pubDate", "publish_date"])
def test_every_date_name_is_the_publication_date(tmp_path, key):
    [article] = read_note(tmp_path, f"{key}: '2024-03-02'").articles
    assert article.published == dt.date(2024, 3, 2)


@pytest.mark.parametrize("key", ["lastmod", "updated", "modified"])
def test_an_update_time_is_never_the_publication_date(tmp_path, key):
    reading = read_note(tmp_path, f"{key}: 2024-03-05T09:00:00Z\nsite: Harbour Times")
    [article] = reading.articles
    assert article.published is None and article.published_at is None
    assert article.updated == dt.datetime(2024, 3, 5, 9, 0, tzinfo=dt.UTC)
    assert article.outlet == "Harbour Times"


@pytest.mark.parametrize("key", ["outlet", "source", "publisher", "site", "site_name", "publication"])
def test_every_outlet_name_is_the_outlet(tmp_path, key):
    [article] = read_note(tmp_path, f"{key}: Harbour Times").articles
    assert article.outlet == "Harbour Times"


@pytest.mark.parametrize("key", ["url", "link", "canonical_url", "canonicalURL"])
def test_every_url_name_is_the_url(tmp_path, key):
    [article] = read_note(tmp_path, f"{key}: https://harbour.example/ferry").articles
    assert article.url == "https://harbour.example/ferry"


@pytest.mark.parametrize(
    "front,author",
    [
        ("author: Ann Lee", "Ann Lee"),
        ("authors: [Ann Lee, Bo Chan]", "Ann Lee and Bo Chan"),
        ("authors: [Ann Lee, Bo Chan, Cy Dee]", "Ann Lee, Bo Chan and Cy Dee"),
        ("byline: Ann Lee", "Ann Lee"),
        ("author:\n  - name: Ann Lee\n  - name: Bo Chan", "Ann Lee and Bo Chan"),
    ],
)
def test_authors_are_joined_readably(tmp_path, front, author):
    [article] = read_note(tmp_path, front).articles
    assert article.author == author


def test_a_hugo_page_keeps_every_other_key_as_extra_metadata(tmp_path):
    front = """
title: Ferry strike ends
date: 2024-03-02T08:00:00+01:00
lastmod: 2024-03-05
draft: false
layout: post
slug: ferry-strike-ends
categories: [news]
aliases: [/old/ferry]
description: The strike is over.
params: {featured: true, weight: 3}
"""
    reading = read_note(tmp_path, front)
    assert reading.problems == []
    [article] = reading.articles
    assert article.updated == dt.date(2024, 3, 5)
    assert article.extra == {
        "draft": "false",
        "layout": "post",
        "slug": "ferry-strike-ends",
        "categories": "news",
        "aliases": "/old/ferry",
        "description": "The strike is over.",
        "params": "featured: true; weight: 3",
    }
    lines = describe(article)
    assert "  updated    2024-03-05" in lines
    assert "  extra      slug: ferry-strike-ends" in lines
    assert "  extra      params: featured: true; weight: 3" in lines


def test_an_obsidian_source_link_is_the_url_not_the_outlet(tmp_path):
    [article] = read_note(tmp_path, "source: https://harbour.example/ferry\ndate: 2024-03-02").articles
    assert article.url == "https://harbour.example/ferry"
    assert article.outlet != "https://harbour.example/ferry"


@pytest.mark.parametrize(
    "front,field,shown",
    [
        ("date: next Tuesday", "date", "next Tuesday"),
        ("pubDate: 2024-13-45", "pubDate", "2024-13-45"),
        ("lastmod: soon", "lastmod", "soon"),
        ("title: [One, Two]", "title", "One"),
    ],
)
def test_a_value_that_cannot_be_used_is_one_warning_naming_file_and_field(tmp_path, front, field, shown):
    reading = read_note(tmp_path, f"outlet: Harbour Times\n{front}")
    [article] = reading.articles
    assert article.outlet == "Harbour Times"
    [line] = reading.problems
    assert line.startswith(f"front matter: {field}") and shown in line and "\n" not in line


def test_a_sidecar_takes_the_same_names_and_keeps_extras(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.txt").write_text(BODY, encoding="utf-8")
    sidecar = {"pubDate": "2024-03-02", "publisher": "Harbour Times", "byline": ["Ann Lee", "Bo Chan"],
               "modified": "2024-03-04", "tags": ["port"], "date": "not a date"}  # fmt: skip
    (corpus / "story.meta.json").write_text(json.dumps(sidecar), encoding="utf-8")
    reading = read_corpus_file(corpus / "story.txt", corpus_dir=corpus)
    [article] = reading.articles
    assert (article.outlet, article.author) == ("Harbour Times", "Ann Lee and Bo Chan")
    # `date` comes first but is no date: `pubDate` fills the field, `date` is kept as an extra
    assert (article.published, article.updated) == (dt.date(2024, 3, 2), dt.date(2024, 3, 4))
    assert article.extra == {"date": "not a date", "tags": "port"}
    assert reading.problems == []


def test_yaml_aliases_are_still_refused(tmp_path):
    from qa.errors import MetadataError

    with pytest.raises(MetadataError, match="front matter"):
        read_note(tmp_path, "tags: &t [a, b]\ncategories: *t")


def test_extras_and_update_time_survive_the_index_and_show(tmp_path, capsys, embedder):
    from qa.config import Settings
    from qa.engine import Engine

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    front = "title: Ferry strike ends\ndate: 2024-03-02\nlastmod: 2024-03-05\ntags: [port, strikes]\n"
    (corpus / "note.md").write_text(f"---\n{front}---\n{BODY}\n", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    report = Engine(settings, embedder=embedder).build_index()
    assert report.added == ["note.md"] and report.skipped == []
    [article] = read_corpus_file(corpus / "note.md", corpus_dir=corpus).articles
    code, out, _ = qa(
        "show", article.doc_id, "--corpus", str(corpus), "--index", str(tmp_path / "index"), capsys=capsys
    )
    assert code == 0
    assert "updated    2024-03-05" in out and "extra      tags: port, strikes" in out
    code, out, _ = qa("show", article.doc_id, "--json", "--index", str(tmp_path / "index"), capsys=capsys)
    data = json.loads(out)
    assert data["updated"] == "2024-03-05" and data["extra"] == {"tags": "port, strikes"}


def test_published_at_alone_gives_the_day_from_the_same_field(tmp_path):
    """`publishedAt` without `date` used to crash attribution (KeyError 'published')."""
    [article] = read_note(tmp_path, "publishedAt: 2024-02-11T10:00:00Z\nsite: Harbour Times").articles
    assert article.published == dt.date(2024, 2, 11)
    assert article.published_at == dt.datetime(2024, 2, 11, 10, 0, tzinfo=dt.UTC)
    assert "publishedAt" in article.provenance["published"].detail


def test_an_obsidian_clip_time_is_not_the_publication_date(tmp_path):
    """The clipper writes `created` (the clip day) and an empty `published:` when the page gave none."""
    reading = read_note(tmp_path, "source: https://www.nytimes.com/2019/ferry.html\ncreated: 2024-03-02\npublished:")
    [article] = reading.articles
    assert article.published is None and article.published_at is None
    assert article.extra["created"] == "2024-03-02"


def test_jekylls_published_switch_does_not_hide_the_date(tmp_path):
    [article] = read_note(tmp_path, "published: true\ndate: 2024-02-11").articles
    assert article.published == dt.date(2024, 2, 11)
    assert article.extra["published"] == "true"


def test_a_word_in_a_date_field_gives_way_to_a_real_date(tmp_path):
    [article] = read_note(tmp_path, "published: yes please\npubDate: 2024-02-11").articles
    assert article.published == dt.date(2024, 2, 11)


@pytest.mark.parametrize("key", ["publisher", "site"])
def test_a_source_link_does_not_hide_the_outlet(tmp_path, key):
    [article] = read_note(tmp_path, f"source: https://harbour.example/ferry\n{key}: Harbour Times").articles
    assert article.url == "https://harbour.example/ferry"
    assert article.outlet == "Harbour Times"
    assert article.provenance["outlet"].source == MetadataSource.FRONT_MATTER
