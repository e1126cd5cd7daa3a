"""The typed records both sides of the storage seam speak in, whichever backend holds the index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from qa.models import Syndication
from qa.store.outlets import outlet_key


class MetaKey(StrEnum):
    """The keys of an index's manifest (`meta`), one spelling for every backend and the build."""

    FORMAT_VERSION = "format_version"
    MODEL = "model"
    DIMENSION = "dimension"
    DOCUMENT_ENCODER = "document_encoder"
    """How the passages were embedded ("onnxruntime, float32"), ways joined by " + "."""
    BUILT_AT = "built_at"
    REBUILD_PENDING = "rebuild_pending"
    """The model a rebuild embeds with, until it publishes: a build cut short resumes the rebuild."""
    SYNDICATION_BANDS = "syndication_bands"
    """The recipe version of the stored LSH band keys."""
    MODEL_SHA256 = "model_sha256"
    """The checksum of the model files the vectors were made with (`qa.encoders.checksum`): a model that
    changed under its name is refused until `qa index --rebuild`. Also names the machine's ONNX export."""
    GENERATION = "generation"
    VECTORS = "vectors"
    """The embedded backend's FAISS file stamp of the published generation."""
    VECTOR_SEARCH = "vector_search"
    """How the embedded backend's FAISS file searches: "ivf" or "exact"."""
    STATE = "state"
    """Milvus's committed generation, floor and cleanup list."""
    NEXT_PASSAGE_ID = "next_passage_id"
    MIGRATION = "migration"
    """A `qa migrate` under way: its source and the last file copied, so it can resume."""


@dataclass
class SentenceVectors:
    """A passage's sentences as (start, end) offsets into its text, with one vector per sentence.

    Stored as float16: half the space, and a cosine off by under 1e-3, far below any threshold we use.
    """

    spans: list[tuple[int, int]]
    vectors: np.ndarray


@dataclass(frozen=True)
class FoldedCopy:
    """A copy of a story read from one file and stored under the article it was folded into."""

    path: str
    """The corpus file the copy was read from."""
    original: str
    """The doc_id of the article it was folded into."""
    listed: bool
    """Shown as "also published by"; False: the same article again, kept so it comes back if the original goes."""
    listing: Syndication


@dataclass(frozen=True)
class PublishedText:
    """A published article as the folding of a new copy compares it: where it is, its date and its text."""

    doc_id: str
    path: str
    published: dt.date | None
    text: str


@dataclass(frozen=True)
class ArticleText:
    doc_id: str
    text: str


@dataclass(frozen=True)
class StagedArticle:
    """An article an interrupted build staged for a file: a later build keeps it if the file is unchanged."""

    doc_id: str
    passages: int


@dataclass(frozen=True)
class RefusedFile:
    """A corpus file the readers refused whole, remembered so a build reports it once per change of the file."""

    path: str
    fingerprint: str
    """The content hash of the version refused: a changed file is read again."""
    reason: str


@dataclass(frozen=True)
class IndexCounts:
    files: int = 0
    articles: int = 0
    passages: int = 0
    articles_without_outlet: int = 0
    articles_without_date: int = 0


@dataclass(frozen=True)
class SearchKind:
    description: str
    """How dense search runs, in words: "exact", "approximate (IVF)", "Milvus HNSW"."""
    approximate: bool


@dataclass
class IndexStatus:
    location: str
    """The index directory, or the Milvus URI."""
    model: str | None
    dimension: int | None
    document_encoder: str | None
    """How the passages were embedded ("onnxruntime, float32"); ways joined by " + " when they differ."""
    built_at: str | None
    counts: IndexCounts
    search: str
    """How dense search runs, in words: "exact", "approximate (IVF)", "Milvus HNSW"."""
    generation: int = 0
    approximate: bool = False
    """Whether dense search is approximate rather than exact."""
    staged_passages: int = 0
    """Passages embedded by a build that was interrupted before publishing; the next build uses them."""
    refused: list[RefusedFile] = field(default_factory=list)
    """Corpus files the last builds refused whole, with the reason (read again when they change)."""


@dataclass(frozen=True)
class OutletSummary:
    """One outlet the index holds (None: articles with no known outlet): how many articles, over which days.

    Counted by the outlet cited, never by a carrier: "Associated Press via HuffPost" is Associated Press's.
    """

    outlet: str | None
    articles: int
    undated: int
    """Of `articles`, those without a date (outside `earliest`..`latest`)."""
    earliest: dt.date | None
    latest: dt.date | None


@dataclass(frozen=True)
class ArticleSummary:
    """An article named briefly, as a list of candidates shows it (an ambiguous id prefix)."""

    doc_id: str
    outlet: str | None
    title: str | None
    published: dt.date | None


def merged_outlets(spellings: list[OutletSummary]) -> list[OutletSummary]:
    """One summary per outlet as filters tell outlets apart (`outlet_key`: "FORBES" is Forbes), named by
    its most used spelling; most articles first, then by name as people read it, unknown last of its count.
    Backends give one summary per stored spelling."""
    groups: dict[str | None, list[OutletSummary]] = {}
    for each in spellings:
        groups.setdefault(None if each.outlet is None else outlet_key(each.outlet), []).append(each)
    merged = []
    for group in groups.values():
        named = min(group, key=_spelling_preference)
        earliest = [each.earliest for each in group if each.earliest is not None]
        latest = [each.latest for each in group if each.latest is not None]
        merged.append(
            OutletSummary(
                named.outlet,
                sum(each.articles for each in group),
                sum(each.undated for each in group),
                min(earliest, default=None),
                max(latest, default=None),
            )
        )
    return sorted(merged, key=lambda each: (-each.articles, each.outlet is None, outlet_key(each.outlet)))


def _spelling_preference(summary: OutletSummary) -> tuple[int, bool, str]:
    """The spelling of an outlet to show: the most used; on a tie not all capitals (a feed's "FORBES"), then by name."""
    name = summary.outlet or ""
    return (-summary.articles, name.isupper(), name)


def prefix_end(prefix: str) -> str:
    """The least string above every string starting with `prefix` (for a range scan: prefix <= id < end)."""
    return prefix + "\U0010ffff"
