"""The read side of the storage seam: what answering, eval, the chat and `qa status` need from an index.

Two backends implement it: the embedded default (FAISS + SQLite in a directory, qa/store/index.py)
and Milvus (qa/store/milvus/). A backend supplies the searches, its manifest and its counts; the
model check, the status and the newer-format refusal are written here, once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from qa.errors import IndexMismatchError
from qa.models import Article, Passage, SearchFilters
from qa.store.errors import IndexFormatError
from qa.store.ranking import DEFAULT_DEPTH, ScoredPassage
from qa.store.records import (
    ArticleSummary,
    IndexCounts,
    IndexStatus,
    MetaKey,
    OutletSummary,
    RefusedFile,
    SearchKind,
    SentenceVectors,
)


class IndexReader(ABC):
    """One index, open for searching: one committed generation until `refresh`."""

    location: str
    """The index directory, or the Milvus URI."""

    @abstractmethod
    def meta(self, key: MetaKey) -> str | None:
        """A value of the index's manifest (None: not recorded)."""

    # -- what built it ------------------------------------------------------------------------

    @property
    def model(self) -> str | None:
        return self.meta(MetaKey.MODEL)

    @property
    def generation(self) -> int:
        return int(self.meta(MetaKey.GENERATION) or 0)

    def check_model(self, model: str, dimension: int | None = None) -> None:
        """Refuse to mix vectors of two models: they would be silently incomparable.

        The dimension is checked when given (it needs the model loaded); the name always.
        """
        built_with, built_dimension = self.model, self.meta(MetaKey.DIMENSION)
        if built_with is None:
            return
        dimension_differs = dimension is not None and built_dimension and int(built_dimension) != dimension
        if built_with != model or dimension_differs:
            raise IndexMismatchError(
                f"The index in {self.location} was built with {built_with} ({built_dimension} dimensions), "
                f"not {model} ({dimension} dimensions). Run `qa index --rebuild` to re-embed the corpus "
                "with the current model, or set QA_MODEL back."
            )

    # -- what it holds -------------------------------------------------------------------------

    @abstractmethod
    def indexed_files(self) -> dict[str, str]:
        """Published corpus files (relative path -> content fingerprint)."""

    @abstractmethod
    def refused_files(self) -> list[RefusedFile]:
        """Corpus files the builds refused whole, by path, with the fingerprint refused and the reason."""

    @abstractmethod
    def counts(self) -> IndexCounts: ...

    @abstractmethod
    def search_kind(self) -> SearchKind: ...

    @abstractmethod
    def outlets(self) -> list[OutletSummary]:
        """Each outlet with its article count and date range, most articles first (see `merged_outlets`);
        articles without an outlet are one summary with outlet None."""

    @abstractmethod
    def articles_with_prefix(self, prefix: str, limit: int) -> list[ArticleSummary]:
        """Up to `limit` articles whose doc_id starts with `prefix`, by doc_id."""

    def staged_passages(self) -> int:
        """Passages an interrupted build embedded that the next build can use (0 where nothing is resumed)."""
        return 0

    def status(self) -> IndexStatus:
        dimension = self.meta(MetaKey.DIMENSION)
        search = self.search_kind()
        return IndexStatus(
            location=self.location,
            model=self.model,
            dimension=int(dimension) if dimension else None,
            document_encoder=self.meta(MetaKey.DOCUMENT_ENCODER),
            built_at=self.meta(MetaKey.BUILT_AT),
            counts=self.counts(),
            search=search.description,
            generation=self.generation,
            approximate=search.approximate,
            staged_passages=self.staged_passages(),
            refused=self.refused_files(),
        )

    # -- searching ---------------------------------------------------------------------------

    @abstractmethod
    def is_empty(self) -> bool: ...

    @abstractmethod
    def matching_passages(self, filters: SearchFilters) -> int:
        """How many passages the filters leave to search (outlet as `outlet_key` folds it, dates inclusive)."""

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
    def search_dense(
        self, query: np.ndarray, limit: int, *, filters: SearchFilters | None = None
    ) -> list[tuple[int, float]]:
        """(passage id, cosine) best first; only among the passages `filters` leave, when given."""

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
    def refresh(self) -> bool:
        """Move a reader to the newest published generation; True when it changed."""

    @abstractmethod
    def close(self) -> None: ...


def refuse_newer_format(
    where: str, *, recorded: str | None, supported: int, rebuildable: bool, unknown_steps: str = ""
) -> None:
    """Raise IndexFormatError when the index was written by a newer qa: a `recorded` format above `supported`
    (or not a number), or `unknown_steps` (migrations this qa does not know).

    `where` names the index ("The index database /x/qa.sqlite3"); `rebuildable`: a rebuild can replace it.
    """
    newer = unknown_steps
    if not newer and recorded is not None and (not recorded.isdigit() or int(recorded) > supported):
        newer = f"format {recorded}"
    if not newer:
        return
    remedy = "Upgrade qa, or run `qa index --rebuild` to rebuild the index for this version."
    raise IndexFormatError(
        f"{where} was written by a newer version of qa ({newer}); this qa reads format {supported}. "
        + (remedy if rebuildable else "Upgrade qa.")
    )
