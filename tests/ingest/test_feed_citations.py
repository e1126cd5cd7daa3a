"""End to end with the real model: feed items and archived pages are indexed and answer with outlet, date and URL."""

from __future__ import annotations

import datetime as dt
import gzip

from qa.cli import main
from qa.config import BUNDLED_MODEL, Settings
from qa.engine import Engine
from qa.ingest.feeds import SUMMARY_NOTE
from tests.support.feeds import FERRY, RSS
from tests.support.warcs import HARBOUR_URL, SITE, archive


def test_feed_items_and_archived_pages_are_cited_with_outlet_date_and_url(tmp_path, embedder, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "gazette.rss").write_text(RSS)
    (corpus / "site.warc.gz").write_bytes(archive(SITE, compressed=True))
    (corpus / "cut.xml.gz").write_bytes(gzip.compress(RSS[: RSS.index(FERRY) + 20].replace("harbour", "quay").encode()))
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=BUNDLED_MODEL)
    engine = Engine(settings, embedder=embedder)
    try:
        report = engine.build_index()
        assert sorted(report.added) == ["cut.xml.gz", "gazette.rss", "site.warc.gz"] and report.skipped == []
        assert [(p.path, p.reason) for p in report.problems if p.path == "cut.xml.gz"] == [
            ("cut.xml.gz", "item 2: the feed ends inside this item (no element found; truncated?): left out")
        ]
        ferry = engine.ask("Why did the ferry crews walk out?", k=3).passages[0]
        assert (ferry.outlet, ferry.published, ferry.url) == (
            "Harbour Gazette",
            dt.date(2024, 3, 6),
            "https://harbourgazette.example/2024/03/06/ferry",
        )
        dredging = engine.ask("When will dredging of the main channel begin?", k=3).passages[0]
        assert (dredging.outlet, dredging.published, dredging.url) == (
            "Example Times",
            dt.date(2024, 3, 2),
            HARBOUR_URL,
        )
        [cut] = [file for file in engine.index.exported_files("", 10) if file.path == "cut.xml.gz"]
        [kept] = cut.articles  # the whole item only, never the cut one
        assert kept.article.title == "Council votes to rebuild the quay wall"
    finally:
        engine.close()
    try:
        main(["show", ferry.doc_id, "--corpus", str(corpus), "--index", str(settings.index_dir)])
    except SystemExit as exit_:
        assert not exit_.code
    shown = capsys.readouterr().out
    assert "outlet     Harbour Gazette" in shown and "published  2024-03-06 (6 Mar 2024)" in shown
    assert f"note: {SUMMARY_NOTE}" in shown
