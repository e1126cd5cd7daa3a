"""Which copy of a story a build keeps: the same text, or the same story from another outlet, is stored once.

Every article read by a build is compared with the articles kept so far in this build and with the
published articles that stay (found through their stored LSH band keys, then checked with the exact
Jaccard similarity of qa.ingest.syndication). Of the copies of one story, the one published first
is kept (then the first by file path and position in its file), whichever run read it; the others
are folded into it and listed as "also published by" unless they add no new outlet, date or URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qa.ingest.syndication import (
    SYNDICATION_THRESHOLD,
    adds_a_source,
    band_keys,
    jaccard,
    long_enough,
    shingles,
    shown_as,
    syndication_of,
)
from qa.models import Article, Syndication

if TYPE_CHECKING:
    from qa.store.writing import IndexWriter

Priority = tuple[bool, dt.date, str, int]


def priority(published: dt.date | None, path: str, position: int) -> Priority:
    """Sorts the copy to keep first: dated before undated, earliest date, then file path and position."""
    return (published is None, published or dt.date.min, path, position)


@dataclass
class ReadArticle:
    """An article read by this build, and where: its file and its position in that file."""

    path: str
    position: int
    article: Article
    place: str | None = None
    """The record or line of a file of many articles (`line 12`)."""
    _keys: list[int] | None = None

    @property
    def location(self) -> str:
        """`exports.jsonl, line 12`, or the path alone for a file of one article."""
        return f"{self.path}, {self.place}" if self.place else self.path

    @property
    def keys(self) -> list[int]:
        if self._keys is None:
            self._keys = band_keys(self.article.text)
        return self._keys

    @property
    def priority(self) -> Priority:
        return priority(self.article.published, self.path, self.position)


@dataclass
class Fold:
    """A copy not stored as an article of its own, but under the original's `also_published_by`."""

    copy: ReadArticle
    original: str
    """The doc_id it was folded into."""
    original_location: str
    """Its file, and its line when read by this build from a file of many articles."""
    same_text: bool
    """The exact same text (same doc_id), rather than a near-duplicate."""
    listings: list[Syndication]
    """What it adds under the original: empty when it is the same article again (same outlet, date, URL)."""
    unlisted: Syndication
    """The copy itself, recorded even when not shown, so it comes back if the original goes."""


@dataclass
class _Original:
    doc_id: str
    path: str
    location: str
    priority: Priority
    shown: set[tuple[object, ...]]
    """(outlet, published, url) of the original and of every copy listed under it."""


class Folder:
    """Decides, for one build, which articles are kept and which are folded as copies.

    `leaving` names the published files this build replaces or removes: their articles are no
    longer candidates to fold into.
    """

    def __init__(self, db: IndexWriter, leaving: set[str], *, threshold: float = SYNDICATION_THRESHOLD) -> None:
        self.db = db
        self.leaving = leaving
        self.threshold = threshold
        self._shingles: dict[str, set[str]] = {}
        self._originals: dict[str, _Original] = {}
        """Articles copies can fold into: published ones met so far, and those kept by this build."""

    def _similarity(self, item: ReadArticle, doc_id: str, text: str) -> float:
        if doc_id == item.article.doc_id:
            return 1.0
        own = self._shingles_of(item.article.doc_id, item.article.text)
        return jaccard(own, self._shingles_of(doc_id, text))

    def _shingles_of(self, doc_id: str, text: str) -> set[str]:
        if doc_id not in self._shingles:
            self._shingles[doc_id] = shingles(text)
        return self._shingles[doc_id]

    def published_matches(self, item: ReadArticle) -> list[tuple[_Original, float]]:
        """Published articles in files that stay carrying the same story as `item`, with their similarity."""
        rows = self.db.articles_sharing_bands(item.keys) if long_enough(item.article.text) else []
        same_text = self.db.published_article(item.article.doc_id)
        if same_text is not None:
            rows = [same_text, *rows]
        found: dict[str, tuple[_Original, float]] = {}
        for row in rows:
            if row.path in self.leaving or row.doc_id in found:
                continue
            similarity = self._similarity(item, row.doc_id, row.text)
            if similarity >= self.threshold:
                found[row.doc_id] = (self._published_original(row.doc_id, row.path, row.published), similarity)
        return list(found.values())

    def _published_original(self, doc_id: str, path: str, published: dt.date | None) -> _Original:
        """A published article as an original, with what it and its copies in staying files already show."""
        if doc_id not in self._originals:
            stored = self.db.article(doc_id)
            shown = {shown_as(stored)} if stored is not None else set()
            shown |= {
                shown_as(copy.listing)
                for copy in self.db.copies_of(doc_id)
                if copy.listed and copy.path not in self.leaving
            }
            self._originals[doc_id] = _Original(doc_id, path, path, priority(published, path, 0), shown)
        return self._originals[doc_id]

    def outranked_files(self, items: list[ReadArticle]) -> set[str]:
        """Files of published articles that one of `items` should replace as the kept copy of a story."""
        return {
            original.path
            for item in items
            for original, _ in self.published_matches(item)
            if item.priority < original.priority
        }

    def fold(self, items: list[ReadArticle]) -> tuple[list[ReadArticle], list[Fold]]:
        """(kept, folded) over everything this build read, each story's first copy kept."""
        kept: list[ReadArticle] = []
        folds: list[Fold] = []
        kept_texts: dict[str, str] = {}
        by_key: dict[int, set[str]] = {}
        for item in sorted(items, key=lambda each: each.priority):
            near = {doc_id for key in item.keys for doc_id in by_key.get(key, ())}
            if item.article.doc_id in kept_texts:
                near.add(item.article.doc_id)
            candidates = [
                (self._originals[doc_id], self._similarity(item, doc_id, kept_texts[doc_id])) for doc_id in near
            ]
            candidates += self.published_matches(item)
            candidates = [(original, similarity) for original, similarity in candidates if similarity >= self.threshold]
            if candidates:
                best, _ = min(candidates, key=lambda pair: (-pair[1], pair[0].priority))
                folds.append(self._fold_into(best, item))
                continue
            shown = {shown_as(item.article)} | {shown_as(listing) for listing in item.article.also_published_by}
            self._originals[item.article.doc_id] = _Original(
                item.article.doc_id, item.path, item.location, item.priority, shown
            )
            kept.append(item)
            kept_texts[item.article.doc_id] = item.article.text
            for key in item.keys:
                by_key.setdefault(key, set()).add(item.article.doc_id)
        return kept, folds

    def _fold_into(self, original: _Original, item: ReadArticle) -> Fold:
        listings = []
        for listing in [syndication_of(item.article), *item.article.also_published_by]:
            if adds_a_source(listing, original.shown):
                original.shown.add(shown_as(listing))
                listings.append(listing)
        return Fold(
            copy=item,
            original=original.doc_id,
            original_location=original.location,
            same_text=item.article.doc_id == original.doc_id,
            listings=listings,
            unlisted=syndication_of(item.article),
        )
