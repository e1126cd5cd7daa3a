"""The same story from two outlets is kept once, with every outlet and date listed."""

from __future__ import annotations

import datetime as dt
import json

from qa.ingest import read_corpus_file
from qa.ingest.syndication import SYNDICATION_THRESHOLD, band_keys, jaccard, shingles
from qa.models import Article, FieldProvenance, MetadataSource

STORY = (
    "The city council voted on Monday to expand the tram network by three new lines, officials said, "
    "after two years of consultation with residents and businesses. The first line will open in 2026 "
    "and connect the airport with the central station, the council said in a statement. Critics said "
    "the plan was too expensive and would take money from bus services in the outer districts, which "
    "they said were already underfunded."
)


def article(doc_id: str, text: str, outlet: str, day: int) -> Article:
    provenance = {name: FieldProvenance(source=MetadataSource.RECORD) for name in ("outlet", "published")}
    return Article(
        doc_id=doc_id,
        text=text,
        source_path=f"{doc_id}.txt",
        outlet=outlet,
        published=dt.date(2024, 2, day),
        provenance=provenance,
    )


WIRE = article("wire", STORY, "Reuters", 11)
RERUN = article("rerun", "UPDATED: " + STORY.replace("officials said", "city officials said"), "Daily Courier", 12)
OTHER = article("other", STORY.replace("tram", "bus").replace("council", "mayor").replace("lines", "routes"), "X", 12)


def test_a_lightly_edited_copy_is_the_same_story_and_a_rewrite_is_not():
    assert jaccard(shingles(WIRE.text), shingles(RERUN.text)) >= SYNDICATION_THRESHOLD
    assert jaccard(shingles(WIRE.text), shingles(OTHER.text)) < SYNDICATION_THRESHOLD


def test_a_copy_shares_a_band_key_with_its_original_so_the_index_finds_it():
    assert set(band_keys(WIRE.text)) & set(band_keys(RERUN.text))


def test_short_templated_texts_are_never_matched():
    notice = "Qtly div 10 cts vs 10 cts prior. Pay April 1. Record March 15."
    assert band_keys(notice) == []


def test_the_same_text_from_two_outlets_in_one_file_is_stored_once_with_both(tmp_path):
    records = [
        {"text": STORY, "outlet": "Reuters", "date": "2024-02-11"},
        {"text": STORY, "outlet": "Daily Courier", "date": "2024-02-12", "url": "https://courier.example.org/t"},
        {"text": STORY, "outlet": "Reuters", "date": "2024-02-11"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("\n".join(map(json.dumps, records)))
    reading = read_corpus_file(path, corpus_dir=tmp_path)
    [kept] = reading.articles
    assert kept.outlet == "Reuters"
    assert [(s.outlet, s.published, s.url) for s in kept.also_published_by] == [
        ("Daily Courier", dt.date(2024, 2, 12), "https://courier.example.org/t")
    ]
    assert reading.problems == ["line 3: same text and metadata as line 1; kept once"]


def test_the_signature_and_banding_are_datasketchs_so_stored_band_keys_stay_valid():
    from datasketch import MinHash, MinHashLSH

    from qa.ingest.syndication import BANDS, NUM_PERM, ROWS, candidate_threshold, signature

    for text in (STORY, RERUN.text, "a b c", ""):
        reference = MinHash(num_perm=NUM_PERM)
        reference.update_batch([s.encode("utf-8") for s in shingles(text)])
        assert signature(shingles(text)).tolist() == reference.hashvalues.tolist()
    lsh = MinHashLSH(threshold=candidate_threshold(), num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (BANDS, ROWS)
