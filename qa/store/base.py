"""The storage seam: what the answering layer and the build need from an index, whatever holds it.

Two backends implement it: the embedded default (FAISS + SQLite in a directory, qa/store/index.py)
and Milvus (qa/store/milvus/). The build (qa/store/build.py) writes through the same seam, so
reading, folding, chunking and embedding are one code path for both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from qa.errors import IndexMismatchError
from qa.models import Article, Passage, SearchFilters, Syndication
from qa.store.ranking import DEFAULT_DEPTH, ScoredPassage

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from qa.embed import TextEncoder
    from qa.store.build import ProgressCallback, SyncReport


@dataclass
class SentenceVectors:
    """A passage's sentences as (start, end) offsets into its text, with one vector per sentence.

    Stored as float16: half the space, and a cosine off by under 1e-3, far below any threshold we use.
    """

    spans: list[tuple[int, int]]
    vectors: np.ndarray


@dataclass
class IndexStatus:
    location: str
    """The index directory, or the Milvus URI."""
    model: str | None
    dimension: int | None
    document_encoder: str | None
    """How the passages were embedded ("onnxruntime, float32"); ways joined by " + " when they differ."""
    built_at: str | None
    counts: dict[str, int]
    search: str
    """How dense search runs, in words: "exact", "approximate (IVF)", "Milvus HNSW"."""
    generation: int = 0
    approximate: bool = False
    """Whether dense search is approximate rather than exact."""
    staged_passages: int = 0
    """Passages embedded by a build that was interrupted before publishing; the next build uses them."""


class Documents(Protocol):
    """The records a build reads and stages through: SQLite's Database, or Milvus's collections."""

    def atomic(self) -> AbstractContextManager[object]: ...
    def get_meta(self, key: str) -> str | None: ...
    def set_meta(self, key: str, value: str) -> None: ...
    def delete_meta(self, key: str) -> None: ...
    def file_fingerprints(self) -> dict[str, str]: ...
    def files_without_articles(self) -> set[str]: ...
    def files_with_copies_of(self, paths: set[str]) -> set[str]: ...
    def article(self, doc_id: str) -> Article | None: ...
    def copies_of(self, doc_id: str) -> list[tuple[str, bool, Syndication]]: ...
    def articles_sharing_bands(self, keys: list[int]) -> list[tuple[str, str, str | None, str]]: ...
    def published_article(self, doc_id: str) -> tuple[str, str, str | None, str] | None: ...
    def article_texts(self, after: str, limit: int) -> list[tuple[str, str]]: ...
    def clear_bands(self) -> None: ...
    def add_bands(self, bands: dict[str, list[int]]) -> None: ...
    def staged_files(self, model: str) -> dict[str, str]: ...
    def staged_doc_ids(self, path: str) -> list[tuple[str, int]]: ...
    def unstage(self, paths: list[str]) -> None: ...
    def stage_file(self, path: str, fingerprint: str, model: str) -> None: ...
    def stage_copies(self, path: str, copies: list[tuple[str, bool, Syndication]]) -> None: ...
    def drop_staged_articles(self, doc_ids: list[str]) -> None: ...
    def stage_article(
        self,
        path: str,
        article: Article,
        passages: list[Passage],
        vectors: np.ndarray,
        sentences: list[SentenceVectors],
        *,
        bands: list[int],
    ) -> None: ...


class StoredIndex(ABC):
    """One index, open for searching or (under a writer's lock) for a build."""

    location: str
    db: Documents

    # -- what built it ------------------------------------------------------------------------

    @property
    def model(self) -> str | None:
        return self.db.get_meta("model")

    def check_model(self, model: str, dimension: int | None = None) -> None:
        """Refuse to mix vectors of two models: they would be silently incomparable.

        The dimension is checked when given (it needs the model loaded); the name always.
        """
        built_with, built_dimension = self.model, self.db.get_meta("dimension")
        if built_with is None:
            return
        dimension_differs = dimension is not None and built_dimension and int(built_dimension) != dimension
        if built_with != model or dimension_differs:
            raise IndexMismatchError(
                f"The index in {self.location} was built with {built_with} ({built_dimension} dimensions), "
                f"not {model} ({dimension} dimensions). Run `qa index --rebuild` to re-embed the corpus "
                "with the current model, or set QA_MODEL back."
            )

    @property
    def recorded_encoder_checksum(self) -> str | None:
        """The checksum of the ONNX question encoder this index was last used with (None: not recorded)."""
        return None

    def record_encoder_checksum(self, checksum: str) -> None:  # noqa: B027 - recording is optional
        """Remember the question encoder's checksum, where the backend keeps per-machine state."""

    # -- keeping in step with the corpus -----------------------------------------------------

    def stale_files(self, corpus_dir: Path) -> list[str]:
        """Corpus files that are new, changed or gone since the last `qa index`."""
        from qa.ingest import (
            behind_outside_link,
            corpus_listing,
        )  # here, not at the top: a question never reads the corpus
        from qa.store.build import fingerprint_or_error

        known = self.db.file_fingerprints()
        listing = corpus_listing(corpus_dir)
        current = {p.relative_to(corpus_dir).as_posix(): p for p in listing.files}
        stale = [rel for rel, path in current.items() if known.get(rel) != fingerprint_or_error(path)]
        # Files read through a link out of the corpus (`qa index --follow-symlinks`) are not called removed.
        gone = [rel for rel in known if rel not in current and not behind_outside_link(corpus_dir / rel, listing)]
        return sorted(stale + gone)

    def sync(
        self,
        corpus_dir: Path,
        embedder: TextEncoder,
        *,
        min_words: int,
        max_words: int,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
        follow_symlinks: bool = False,
        allow_empty: bool = False,
    ) -> SyncReport:
        """Embed new and changed files, drop removed ones, then publish it all as one new generation.

        Unchanged files cost one hash each. With `rebuild` (or when an earlier rebuild was cut
        short) every file is embedded again. Links leaving the corpus are skipped unless
        `follow_symlinks`; an empty or missing corpus never empties the index unless `allow_empty`.
        """
        from qa.store.build import Build  # with the readers it needs: a tenth of a second `qa ask` never pays

        return Build(self).run(
            corpus_dir,
            embedder,
            min_words=min_words,
            max_words=max_words,
            rebuild=rebuild,
            on_progress=on_progress,
            follow_symlinks=follow_symlinks,
            allow_empty=allow_empty,
        )

    @abstractmethod
    def publish(self, replaced: list[str], model: str, *, rebuilding: bool, encoder: str) -> None:
        """Make the staged work, minus the `replaced` files' old versions, what readers see."""

    # -- searching ---------------------------------------------------------------------------

    @abstractmethod
    def is_empty(self) -> bool: ...

    @abstractmethod
    def matching_passages(self, filters: SearchFilters) -> int:
        """How many passages the filters leave to search (outlet case-insensitive, dates inclusive)."""

    @abstractmethod
    def count_undated_articles(self, *, outlets: list[str] | None = None) -> int:
        """Articles without a date, among those of `outlets` when given (what a date filter leaves out)."""

    @abstractmethod
    def retrieve(
        self,
        query: np.ndarray,
        question: str,
        *,
        limit: int,
        depth: int = DEFAULT_DEPTH,
        filters: SearchFilters | None = None,
    ) -> list[ScoredPassage]:
        """The `limit` best passages by dense and lexical rank fused, each with its cosine to the question.

        Filters apply inside both retrievers, so neither can fill the fused list with passages they exclude.
        """

    @abstractmethod
    def search_dense(self, query: np.ndarray, limit: int) -> list[tuple[int, float]]:
        """(passage id, cosine) best first."""

    @abstractmethod
    def search_lexical(self, question: str, limit: int) -> list[int]:
        """Passage ids by BM25 over passage text and article title."""

    @abstractmethod
    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        """Passages by id, each with its article; ids no longer in the index are left out."""

    @abstractmethod
    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        """The stored sentences of these passages (passages stored without them are left out)."""

    @abstractmethod
    def article(self, doc_id: str) -> Article | None:
        """The article with its full text, provenance and "also published by" listings."""

    @abstractmethod
    def status(self) -> IndexStatus: ...

    @abstractmethod
    def refresh(self) -> bool:
        """Move a reader to the newest published generation; True when it changed."""

    @abstractmethod
    def close(self) -> None: ...
