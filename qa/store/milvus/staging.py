"""A build's rows in Milvus: written as the next generation, invisible to readers until the state row commits."""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

from qa.models import METADATA_FIELDS, Article, Passage
from qa.store.milvus.expressions import date_number, expression_list, quoted
from qa.store.milvus.records import UNUSED, CommittedRecords
from qa.store.milvus.schema import ARTICLES, COPIES, FILES, MAX_BANDS, PASSAGES, TEXTS, create_collections
from qa.store.milvus.words import fit, lexical_form
from qa.store.outlets import outlet_key
from qa.store.records import FoldedCopy, MetaKey, SentenceVectors, StagedArticle

TEXT_PART_CHARACTERS = 16_000
"""Article texts are stored in parts of at most this many characters (4 UTF-8 bytes each at most)."""
MAX_SENTENCES_JSON = 60_000
"""Sentence vectors above this size (passages of very many sentences) are not stored: highlighting
then embeds that passage's sentences at question time, with the same result."""


class MilvusRecords(CommittedRecords):
    """The write side of the seam (qa.store.writing.IndexWriter) in Milvus, plus the reads search needs."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.dimension: int | None = None
        """The dimension of the vectors staged by this build, once it has staged some."""
        self._next_passage_id: int | None = None

    def staged_files(self, model: str) -> dict[str, str]:
        """Nothing is resumed: an uncommitted generation is dropped when the writer opens."""
        return {}

    def staged_articles(self, path: str) -> list[StagedArticle]:
        return []

    def unstage(self, paths: list[str]) -> None:
        """Nothing to do (see `staged_files`)."""

    def stage_file(self, path: str, fingerprint: str, model: str) -> None:
        self.client.upsert(
            FILES,
            [
                {
                    "key": f"{self.pending}:{path}",
                    "born": self.pending,
                    "source_path": path,
                    "fingerprint": fingerprint,
                    "unused": UNUSED,
                }
            ],
        )

    def stage_copies(self, path: str, copies: list[FoldedCopy]) -> None:
        self.client.delete(COPIES, filter=f"born == {self.pending} and source_path == {quoted(path)}")
        if copies:
            self.client.upsert(
                COPIES,
                [
                    {
                        "key": f"{self.pending}:{path}:{ordinal}",
                        "born": self.pending,
                        "source_path": path,
                        "ordinal": ordinal,
                        "original": copy.original,
                        "listed": copy.listed,
                        "listing": copy.listing.model_dump(mode="json"),
                        "unused": UNUSED,
                    }
                    for ordinal, copy in enumerate(copies)
                ],
            )

    def drop_staged_articles(self, doc_ids: list[str]) -> None:
        if doc_ids:
            for name in (ARTICLES, TEXTS, PASSAGES):
                self.client.delete(name, filter=f"born == {self.pending} and doc_id in {expression_list(doc_ids)}")

    def next_passage_ids(self, count: int) -> int:
        """The first of `count` fresh passage ids, reserved in meta before use: ids are never reused."""
        if self._next_passage_id is None:
            self._next_passage_id = int(self.get_meta(MetaKey.NEXT_PASSAGE_ID) or 1)
        first = self._next_passage_id
        self._next_passage_id += count
        self.set_meta(MetaKey.NEXT_PASSAGE_ID, str(self._next_passage_id))
        return first

    def stage_article(
        self,
        path: str,
        article: Article,
        passages: list[Passage],
        vectors: np.ndarray,
        sentences: list[SentenceVectors],
        *,
        bands: list[int],
    ) -> None:
        born, published, outlet = self.pending, date_number(article.published), outlet_key(article.outlet)
        metadata = article.model_dump(mode="json", include={*METADATA_FIELDS, "provenance"})
        self.client.upsert(
            ARTICLES,
            [
                {
                    "key": f"{born}:{article.doc_id}",
                    "born": born,
                    "doc_id": article.doc_id,
                    "source_path": path,
                    "outlet": outlet,
                    "published": published,
                    "metadata": metadata,
                    "bands": bands[:MAX_BANDS],
                    "unused": UNUSED,
                }
            ],
        )
        text = article.text
        parts = [
            text[start : start + TEXT_PART_CHARACTERS] for start in range(0, max(len(text), 1), TEXT_PART_CHARACTERS)
        ]
        self.client.upsert(
            TEXTS,
            [
                {
                    "key": f"{born}:{article.doc_id}:{number}",
                    "born": born,
                    "doc_id": article.doc_id,
                    "source_path": path,
                    "part": number,
                    "text": part,
                    "unused": UNUSED,
                }
                for number, part in enumerate(parts)
            ],
        )
        if not passages:
            return
        self._ensure_passages(int(vectors.shape[1]))
        first = self.next_passage_ids(len(passages))
        title = f"{article.title}\n\n" if article.title else ""
        self.client.upsert(
            PASSAGES,
            [
                {
                    "id": first + number,
                    "born": born,
                    "doc_id": article.doc_id,
                    "source_path": path,
                    "outlet": outlet,
                    "published": published,
                    "ordinal": passage.ordinal,
                    "start": passage.start,
                    "end": passage.end,
                    "lexical": fit(lexical_form(title + passage.text)),
                    "dense": vector.astype(np.float32).tolist(),
                    "sentences": _sentences_json(sentence),
                }
                for number, (passage, vector, sentence) in enumerate(zip(passages, vectors, sentences, strict=True))
            ],
        )

    def stored_dimension(self) -> int | None:
        """The dimension of the passages collection, or None before there is one."""
        if not self.client.has_collection(PASSAGES):
            return None
        fields = self.client.describe_collection(PASSAGES)["fields"]
        return next(int(f["params"]["dim"]) for f in fields if f["name"] == "dense")

    def _ensure_passages(self, dimension: int) -> None:
        """Create the passages collection for this dimension; one of another dimension goes (a rebuild
        for another model: the build refuses any other change of model before staging anything)."""
        if self.dimension == dimension:
            return
        if self.stored_dimension() not in (None, dimension):
            self.client.drop_collection(PASSAGES)
        create_collections(self.client, dimension)
        self.dimension = dimension


def _sentences_json(sentences: SentenceVectors) -> dict[str, Any]:
    if not sentences.spans:
        return {}
    encoded = base64.b64encode(sentences.vectors.astype(np.float16).tobytes()).decode("ascii")
    stored = {"spans": [list(span) for span in sentences.spans], "vectors": encoded}
    return stored if len(encoded) <= MAX_SENTENCES_JSON else {}
