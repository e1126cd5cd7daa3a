"""Typed records shared by every layer: what an article is, where each value came from, what a hit is."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

UNKNOWN_OUTLET = "unknown outlet"
UNDATED = "undated"


class MetadataSource(StrEnum):
    """Where a metadata value came from, strongest first; a stronger source always wins."""

    FLAG = "flag"
    """Given on the command line (`qa add --outlet ...`)."""
    SIDECAR = "sidecar"
    """A `NAME.meta.json` / `.yaml` file next to the article."""
    FRONT_MATTER = "front_matter"
    """YAML front matter at the top of a Markdown or text file."""
    RECORD = "record"
    """A field of a JSON, JSONL or CSV record."""
    PAGE = "page"
    """Metadata embedded in the page itself (meta tags, JSON-LD)."""
    URL = "url"
    """Derived from the article's URL."""
    TEXT = "text"
    """A heuristic reading of the article text (dateline, byline, sign-off)."""


SOURCE_RANK = {source: rank for rank, source in enumerate(MetadataSource)}


class FieldProvenance(BaseModel):
    """Where one metadata value came from, so a reader can judge how far to trust it."""

    source: MetadataSource
    """The kind of source that supplied the value."""
    detail: str | None = None
    """Which file, field or rule supplied it."""
    note: str | None = None
    """An editor's note on how the value was established (from a sidecar's `notes`)."""
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    """1.0 for explicit metadata; lower for values inferred from the URL or text."""


class Republication(BaseModel):
    """The page an article was collected from when that page re-published another outlet's story."""

    model_config = ConfigDict(extra="forbid")

    outlet: str
    """The republisher, shown as "via OUTLET"."""
    published: dt.date | None = None
    """When the republisher put it out."""
    url: str | None = None
    """The republished page's address."""


class ArticleMetadata(BaseModel):
    """The citable facts about an article; every one may be unknown, none may be guessed."""

    title: str | None = None
    outlet: str | None = None
    """The outlet to cite: the original publisher, never an aggregator that copied the story."""
    published: dt.date | None = None
    """The original publication date."""
    published_at: dt.datetime | None = None
    """The original publication time, with its zone when the source gave one; agrees with `published`."""
    url: str | None = None
    author: str | None = None
    republished_by: Republication | None = None
    updated: dt.date | dt.datetime | None = None
    """When the source says the article was last changed (`lastmod`, `updated`): never its publication date."""
    extra: dict[str, str] | None = None
    """Other fields a person wrote in front matter or a sidecar (`tags`, `slug`, ...), as text, for `qa show`."""


METADATA_FIELDS = tuple(ArticleMetadata.model_fields)


class Syndication(BaseModel):
    """Another outlet carrying the same story text, shown as "also published by OUTLET · DATE"."""

    outlet: str | None
    published: dt.date | None = None
    url: str | None = None
    doc_id: str | None = None
    """The other copy's id, when it was read as an article of its own."""
    source_path: str | None = None
    """The corpus file the other copy came from."""


class Article(ArticleMetadata):
    """One clean article, ready to cut into passages."""

    doc_id: str
    """Stable id: a hash of the clean text, so the same article gets the same id wherever it is."""
    text: str
    """The article body with page noise removed; passage offsets point into it."""
    source_path: str
    """The corpus file it was read from, relative to the corpus directory."""
    provenance: dict[str, FieldProvenance] = Field(default_factory=dict)
    """For each known metadata field, where its value came from."""
    also_published_by: list[Syndication] = Field(default_factory=list)
    """Other outlets whose copy of this story was folded into this article (see qa.ingest.syndication)."""

    @model_validator(mode="after")
    def _known_fields_have_provenance(self) -> Article:
        for name in METADATA_FIELDS:
            if getattr(self, name) is not None and name not in self.provenance:
                raise ValueError(f"metadata field {name!r} has a value but no provenance")
        return self


class Passage(BaseModel):
    """A sentence-aligned slice of an article; `article.text[start:end] == text`."""

    doc_id: str
    ordinal: int = Field(ge=0)
    """Position of the passage within its article, from 0."""
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class Citation(BaseModel):
    """Who said it and when: the part of a hit that must never be lost or wrong."""

    outlet: str | None
    published: dt.date | None
    title: str | None
    url: str | None
    republished_by: Republication | None = None
    also_published_by: list[Syndication] = Field(default_factory=list)
    """Other outlets that carried the same story, folded into this article when indexing."""

    @property
    def label(self) -> str:
        """`The Kyiv Independent · 11 Feb 2024`; unknown parts are spelled out, never dropped."""
        return f"{self.outlet or UNKNOWN_OUTLET} · {format_date(self.published)}"

    @property
    def via(self) -> str | None:
        """`via The America One News · 31 May 2025` for a republished article."""
        if self.republished_by is None:
            return None
        return f"via {self.republished_by.outlet} · {format_date(self.republished_by.published)}"

    @property
    def also_published(self) -> str | None:
        """`also published by Daily Courier (5 Mar 2024), Reuters (undated)` when other outlets carried it."""
        if not self.also_published_by:
            return None
        copies = ", ".join(f"{c.outlet or UNKNOWN_OUTLET} ({format_date(c.published)})" for c in self.also_published_by)
        return f"also published by {copies}"


def format_date(value: dt.date | None) -> str:
    """Dates as newsrooms write them (`11 Feb 2024`), or `undated`."""
    return f"{value.day} {value:%b %Y}" if value else UNDATED


class PassageSpan(BaseModel):
    """The passage search found, inside the context a hit shows."""

    start: int
    """Offset of the passage in the article's clean text."""
    end: int
    text: str
    """`article.text[start:end]`."""


class Hit(BaseModel):
    """One answer in context with its citation, as `qa ask --json` prints it: what a card shows."""

    rank: int
    """1 for the best passage."""
    score: float
    """Fused rank score (reciprocal-rank fusion of dense and lexical search); higher is better."""
    similarity: float
    """Cosine similarity to the question of the passage or its best sentence, whichever is higher."""
    doc_id: str
    title: str | None
    outlet: str | None
    published: dt.date | None
    url: str | None
    text: str
    """What the card shows: the passage widened to whole sentences of its article (qa.context), merged
    with any other hit's context it overlapped."""
    start: int
    """Offset of `text` in the article's clean text."""
    end: int
    highlight: tuple[int, int] | None
    """Span of the sentence that best answers the question, relative to `text`."""
    passage: PassageSpan
    """The passage search found (the best one, when contexts merged), inside `text`."""
    republished_by: Republication | None = None
    also_published_by: list[Syndication] = Field(default_factory=list)
    """Other outlets that carried the same story (see `Citation.also_published_by`)."""

    @property
    def citation(self) -> Citation:
        return Citation(
            outlet=self.outlet,
            published=self.published,
            title=self.title,
            url=self.url,
            republished_by=self.republished_by,
            also_published_by=self.also_published_by,
        )

    @property
    def highlighted_sentence(self) -> str | None:
        if self.highlight is None:
            return None
        start, end = self.highlight
        return self.text[start:end]


class SearchFilters(BaseModel):
    """Which articles a question may be answered from; empty means all of them."""

    outlets: list[str] = Field(default_factory=list)
    """Keep only these outlets (case-insensitive); empty keeps all."""
    since: dt.date | None = None
    """Keep only articles published on or after this date; undated articles are then excluded."""
    until: dt.date | None = None
    """Keep only articles published on or before this date; undated articles are then excluded."""

    @property
    def active(self) -> bool:
        return bool(self.outlets or self.since or self.until)

    @property
    def by_date(self) -> bool:
        return self.since is not None or self.until is not None


class Corroboration(BaseModel):
    """Another outlet's passage that supports the top answer: "also reported by OUTLET (DATE)"."""

    doc_id: str
    outlet: str | None
    published: dt.date | None
    sentence: str
    """The other outlet's answering sentence, verbatim from the corpus."""
    similarity: float
    """Cosine similarity between this sentence and the top answer's sentence."""


class ArticleCard(BaseModel):
    """The hits of one article grouped together, its best passage first."""

    doc_id: str
    citation: Citation
    hits: list[Hit]


class Answer(BaseModel):
    """The result of one question: ranked, attributed passages, or an honest abstention."""

    question: str
    abstained: bool
    """True when nothing in the corpus answers the question well enough to show."""
    message: str | None = None
    """A sentence for the reader when the answer needs one (why it abstained, what a filter excluded)."""
    passages: list[Hit]
    """The answering passages, best first (empty when abstained)."""
    cards: list[ArticleCard] = Field(default_factory=list)
    """`passages` grouped by article, in the order of each article's best passage."""
    corroboration: list[Corroboration] = Field(default_factory=list)
    """Other outlets whose passages support the top answer."""
    summary: str | None = None
    """One extractive line naming who said what and when, built only from corpus sentences."""
    filters: SearchFilters = Field(default_factory=SearchFilters)
    """The filters the question was answered under."""
    excluded_undated: int = 0
    """Articles left out by a date filter because their date is unknown."""
    nearest: list[Hit] = Field(default_factory=list)
    """When abstained and asked for: the closest passages anyway, clearly not answers."""
