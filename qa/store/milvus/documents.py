"""Milvus collections holding everything a shared index needs: manifest, articles, passages, copies, meta.

Milvus has no transactions, so rows carry the generation (`born`) that wrote them. A build writes
its rows as the next generation, invisible to readers, then commits by rewriting one row, the
state: (generation, floor, cleanup). Readers see rows with floor <= born <= generation, minus the
older rows of the files being cleaned up. The writer then deletes those old rows and empties the
cleanup list. Killed at any point, the next writer finishes a pending cleanup and deletes rows of
an uncommitted generation, so nothing is lost or duplicated.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache

import numpy as np

from qa.errors import QAError
from qa.models import METADATA_FIELDS, Article, Passage, Syndication
from qa.store.base import SentenceVectors

FORMAT_VERSION = 1
PREFIX = "qa_"
META, FILES, ARTICLES, TEXTS, PASSAGES, COPIES = (
    f"{PREFIX}{name}" for name in ("meta", "files", "articles", "texts", "passages", "copies")
)
MIGRATION_KEY = "migration"
"""Meta of a `qa migrate` under way: its source and the last file copied, so it can resume."""
MAX_VARCHAR = 65_535
"""Milvus's longest VARCHAR, in bytes."""
TEXT_PART_CHARACTERS = 16_000
"""Article texts are stored in parts of at most this many characters (4 UTF-8 bytes each at most)."""
MAX_SENTENCES_JSON = 60_000
"""Sentence vectors above this size (passages of very many sentences) are not stored: highlighting
then embeds that passage's sentences at question time, with the same result."""
MAX_CLEANUP_JSON = 30_000
"""The longest list of replaced files the state row (and so every reader's filter) carries; a build
replacing more deletes their old rows just before it commits instead."""
MAX_BANDS = 64
PAGE = 1_000
"""Rows per page when reading a whole collection, and ids per `in [...]` filter."""
QUERY_LIMIT = 16_384
"""Milvus's most rows for one plain query."""
UNDATED = 0
"""`published` of an article without a date, as an integer YYYYMMDD."""


class MilvusStorageError(QAError):
    """Milvus refused an operation; the message names the URI and what to do."""


@dataclass
class State:
    """The committed generation: what readers see (see the module docstring)."""

    generation: int = 0
    floor: int = 0
    cleanup: list[str] = field(default_factory=list)

    def visible(self) -> str:
        """A filter expression for the rows of this generation."""
        expression = f"born >= {self.floor} and born <= {self.generation}"
        if self.cleanup:
            expression += f" and not (born < {self.generation} and source_path in {expression_list(self.cleanup)})"
        return expression


def expression_list(values: Iterable) -> str:
    """Values as a list literal of Milvus's filter expressions (JSON's syntax, quotes escaped)."""
    return json.dumps(list(values), ensure_ascii=False)


def date_number(date: dt.date | None) -> int:
    return date.year * 10_000 + date.month * 100 + date.day if date else UNDATED


def _iso(number: int) -> str | None:
    return None if number == UNDATED else f"{number // 10_000:04d}-{number // 100 % 100:02d}-{number % 100:02d}"


def outlet_key(outlet: str | None) -> str:
    """The outlet as filters compare it: case-insensitive; unknown is the empty string."""
    return (outlet or "").casefold()


_WORD = re.compile(r"\w+")


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def lexical_form(text: str) -> str:
    """Lower-cased, accent-free, stemmed words: what SQLite's porter tokenizer indexes in the embedded
    backend, so BM25 ranks alike on both (milvus-lite's analyzer does not stem)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join(_stemmer().stemWords(_WORD.findall(plain)))


def _fit(text: str, limit: int = MAX_VARCHAR) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, at a character boundary."""
    encoded = text.encode("utf-8")
    return text if len(encoded) <= limit else encoded[:limit].decode("utf-8", errors="ignore")


class MilvusDocuments:
    """The build's records in Milvus (the `Documents` protocol of qa.store.base), plus the reads search needs."""

    def __init__(self, client, uri: str) -> None:
        self.client = client
        self.uri = uri
        self.state = State()
        self.dimension: int | None = None
        """The dimension of the vectors staged by this build, once it has staged some."""
        self._next_passage_id: int | None = None

    # -- the committed state -----------------------------------------------------------------

    def read_state(self) -> State:
        raw = self.get_meta("state")
        self.state = State(**json.loads(raw)) if raw else State()
        return self.state

    def write_state(self, state: State) -> None:
        self.set_meta("state", json.dumps(state.__dict__))
        self.state = state

    @property
    def pending(self) -> int:
        """The generation a build writes: invisible until `write_state` commits it."""
        return self.state.generation + 1

    def finish_cleanup(self) -> None:
        """Delete the rows the committed generation replaced (again, if a writer died doing it)."""
        state = self.state
        for name in (FILES, ARTICLES, TEXTS, PASSAGES, COPIES):
            if self.client.has_collection(name):
                self.client.delete(name, filter=f"born < {state.floor}")
        self.delete_older(state.cleanup, than=state.generation)
        if state.cleanup:
            self.write_state(State(state.generation, state.floor, []))

    def delete_older(self, paths: list[str], *, than: int) -> None:
        """Delete the rows of `paths` written before generation `than`."""
        for name in (FILES, ARTICLES, TEXTS, PASSAGES, COPIES):
            if self.client.has_collection(name):
                for start in range(0, len(paths), PAGE):
                    chunk = paths[start : start + PAGE]
                    self.client.delete(name, filter=f"born < {than} and source_path in {expression_list(chunk)}")

    def flush(self) -> None:
        """Seal what was written into segments, so Milvus indexes them (unsealed rows are scanned one by one)."""
        for name in (FILES, ARTICLES, TEXTS, PASSAGES, COPIES):
            if self.client.has_collection(name):
                self.client.flush(name)

    def drop_uncommitted(self, *, after: str | None = None) -> None:
        """Delete rows written by a build that never committed (only those of files after `after`, when given)."""
        where = f"born > {self.state.generation}"
        if after is not None:
            where += f" and source_path > {json.dumps(after, ensure_ascii=False)}"
        for name in (FILES, ARTICLES, TEXTS, PASSAGES, COPIES):
            if self.client.has_collection(name):
                self.client.delete(name, filter=where)

    # -- meta --------------------------------------------------------------------------------

    def atomic(self) -> AbstractContextManager[None]:
        """No transaction: a build's rows stay invisible until the state row commits them."""
        return nullcontext()

    def get_meta(self, key: str) -> str | None:
        rows = self.client.query(META, filter=f"key == {json.dumps(key)}", output_fields=["value"])
        return rows[0]["value"] if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.client.upsert(META, [{"key": key, "value": value, "unused": [0.0, 0.0]}])

    def delete_meta(self, key: str) -> None:
        self.client.delete(META, filter=f"key == {json.dumps(key)}")

    # -- reading -----------------------------------------------------------------------------

    def rows(self, collection: str, expression: str, fields: list[str]) -> list[dict]:
        """Every row matching `expression`.

        One plain query answers the usual case (a question's few passages, articles and copies) in
        one round trip; it returns at most QUERY_LIMIT rows, so a full answer may be cut short and
        is read again page by page.
        """
        found = self.client.query(collection, filter=expression, output_fields=fields, limit=QUERY_LIMIT)
        if len(found) < QUERY_LIMIT:
            return found
        found = []
        iterator = self.client.query_iterator(collection, batch_size=PAGE, filter=expression, output_fields=fields)
        try:
            while batch := iterator.next():
                found.extend(batch)
        finally:
            iterator.close()
        return found

    def visible(self, collection: str, expression: str, fields: list[str]) -> list[dict]:
        """Rows of the committed generation matching `expression`."""
        where = f"({expression}) and {self.state.visible()}" if expression else self.state.visible()
        return self.rows(collection, where, fields)

    def count(self, collection: str, expression: str = "") -> int:
        if not self.client.has_collection(collection):
            return 0
        where = f"({expression}) and {self.state.visible()}" if expression else self.state.visible()
        return int(self.client.query(collection, filter=where, output_fields=["count(*)"])[0]["count(*)"])

    def file_fingerprints(self) -> dict[str, str]:
        return {
            row["source_path"]: row["fingerprint"] for row in self.visible(FILES, "", ["source_path", "fingerprint"])
        }

    def files_without_articles(self) -> set[str]:
        with_articles = {row["source_path"] for row in self.visible(ARTICLES, "", ["source_path"])}
        return set(self.file_fingerprints()) - with_articles

    def files_with_copies_of(self, paths: set[str]) -> set[str]:
        ordered, doc_ids = sorted(paths), []
        for start in range(0, len(ordered), PAGE):
            chunk = ordered[start : start + PAGE]
            doc_ids += [
                row["doc_id"] for row in self.visible(ARTICLES, f"source_path in {expression_list(chunk)}", ["doc_id"])
            ]
        return {row["source_path"] for row in self._copies_of(doc_ids)}

    def _copies_of(self, doc_ids: list[str]) -> list[dict]:
        found = []
        for start in range(0, len(doc_ids), PAGE):
            found += self.visible(
                COPIES,
                f"original in {expression_list(doc_ids[start : start + PAGE])}",
                ["key", "source_path", "original", "ordinal", "listed", "listing"],
            )
        return sorted(found, key=lambda row: (row["source_path"], row["ordinal"]))

    def copies_of(self, doc_id: str) -> list[tuple[str, bool, Syndication]]:
        return [
            (row["source_path"], bool(row["listed"]), Syndication.model_validate(row["listing"]))
            for row in self._copies_of([doc_id])
        ]

    def listings(self, doc_ids: list[str]) -> dict[str, list[Syndication]]:
        found: dict[str, list[Syndication]] = {}
        for row in self._copies_of(doc_ids):
            if row["listed"]:
                found.setdefault(row["original"], []).append(Syndication.model_validate(row["listing"]))
        return found

    def articles(self, doc_ids: list[str]) -> dict[str, Article]:
        """Articles by doc_id with their full text and listings; unknown ids are left out."""
        rows = []
        for start in range(0, len(doc_ids), PAGE):
            rows += self.visible(
                ARTICLES,
                f"doc_id in {expression_list(doc_ids[start : start + PAGE])}",
                ["doc_id", "source_path", "metadata"],
            )
        texts = self._texts([row["doc_id"] for row in rows])
        found = {
            row["doc_id"]: Article.model_validate(
                {
                    **row["metadata"],
                    "doc_id": row["doc_id"],
                    "source_path": row["source_path"],
                    "text": texts.get(row["doc_id"], ""),
                }
            )
            for row in rows
        }
        for doc_id, listed in self.listings(list(found)).items():
            found[doc_id].also_published_by = listed
        return found

    def _texts(self, doc_ids: list[str]) -> dict[str, str]:
        parts: dict[str, list[tuple[int, str]]] = {}
        for start in range(0, len(doc_ids), PAGE):
            for row in self.visible(
                TEXTS, f"doc_id in {expression_list(doc_ids[start : start + PAGE])}", ["doc_id", "part", "text"]
            ):
                parts.setdefault(row["doc_id"], []).append((row["part"], row["text"]))
        return {doc_id: "".join(text for _, text in sorted(each)) for doc_id, each in parts.items()}

    def article(self, doc_id: str) -> Article | None:
        return self.articles([doc_id]).get(doc_id)

    def _published(self, rows: list[dict]) -> list[tuple[str, str, str | None, str]]:
        texts = self._texts([row["doc_id"] for row in rows])
        return [
            (row["doc_id"], row["source_path"], _iso(row["published"]), texts.get(row["doc_id"], "")) for row in rows
        ]

    def articles_sharing_bands(self, keys: list[int]) -> list[tuple[str, str, str | None, str]]:
        if not keys:
            return []
        rows = self.visible(
            ARTICLES, f"array_contains_any(bands, {expression_list(keys)})", ["doc_id", "source_path", "published"]
        )
        return self._published(sorted(rows, key=lambda row: row["doc_id"]))

    def published_article(self, doc_id: str) -> tuple[str, str, str | None, str] | None:
        rows = self.visible(ARTICLES, f"doc_id == {json.dumps(doc_id)}", ["doc_id", "source_path", "published"])
        return self._published(rows)[0] if rows else None

    def article_texts(self, after: str, limit: int) -> list[tuple[str, str]]:
        rows = self.visible(ARTICLES, f"doc_id > {json.dumps(after)}", ["doc_id"])
        doc_ids = sorted(row["doc_id"] for row in rows)[:limit]
        texts = self._texts(doc_ids)
        return [(doc_id, texts.get(doc_id, "")) for doc_id in doc_ids]

    def clear_bands(self) -> None:
        """Nothing to do: `add_bands` replaces each article's keys whole."""

    def add_bands(self, bands: dict[str, list[int]]) -> None:
        doc_ids = list(bands)
        for start in range(0, len(doc_ids), PAGE):
            chunk = doc_ids[start : start + PAGE]
            rows = self.visible(ARTICLES, f"doc_id in {expression_list(chunk)}", ["*"])
            self.client.upsert(ARTICLES, [{**row, "bands": bands[row["doc_id"]][:MAX_BANDS]} for row in rows])

    def passages(self, ids: list[int], fields: list[str]) -> list[dict]:
        rows = []
        for start in range(0, len(ids), PAGE):
            rows += self.visible(PASSAGES, f"id in {expression_list(ids[start : start + PAGE])}", fields)
        return rows

    def sentence_vectors(self, ids: list[int]) -> dict[int, SentenceVectors]:
        found = {}
        for row in self.passages(ids, ["id", "sentences"]):
            stored = row["sentences"]
            if not stored:
                continue
            spans = [tuple(span) for span in stored["spans"]]
            vectors = np.frombuffer(base64.b64decode(stored["vectors"]), dtype=np.float16).astype(np.float32)
            found[row["id"]] = SentenceVectors(spans, vectors.reshape(len(spans), -1))
        return found

    def passages_with_articles(self, ids: list[int]) -> dict[int, tuple[Passage, Article]]:
        rows = self.passages(ids, ["id", "doc_id", "ordinal", "start", "end"])  # sentences are read on their own
        articles = self.articles(sorted({row["doc_id"] for row in rows}))
        found = {}
        for row in rows:
            article = articles.get(row["doc_id"])
            if article is not None:
                text = article.text[row["start"] : row["end"]]
                found[row["id"]] = (
                    Passage(
                        doc_id=row["doc_id"], ordinal=row["ordinal"], start=row["start"], end=row["end"], text=text
                    ),
                    article,
                )
        return found

    # -- staging: the pending generation ------------------------------------------------------

    def staged_files(self, model: str) -> dict[str, str]:
        """Nothing is resumed: an uncommitted generation is dropped when the writer opens."""
        return {}

    def staged_doc_ids(self, path: str) -> list[tuple[str, int]]:
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
                    "unused": [0.0, 0.0],
                }
            ],
        )

    def stage_copies(self, path: str, copies: list[tuple[str, bool, Syndication]]) -> None:
        self.client.delete(COPIES, filter=f"born == {self.pending} and source_path == {json.dumps(path)}")
        if copies:
            self.client.upsert(
                COPIES,
                [
                    {
                        "key": f"{self.pending}:{path}:{ordinal}",
                        "born": self.pending,
                        "source_path": path,
                        "ordinal": ordinal,
                        "original": original,
                        "listed": listed,
                        "listing": listing.model_dump(mode="json"),
                        "unused": [0.0, 0.0],
                    }
                    for ordinal, (original, listed, listing) in enumerate(copies)
                ],
            )

    def drop_staged_articles(self, doc_ids: list[str]) -> None:
        if doc_ids:
            for name in (ARTICLES, TEXTS, PASSAGES):
                self.client.delete(name, filter=f"born == {self.pending} and doc_id in {expression_list(doc_ids)}")

    def next_passage_ids(self, count: int) -> int:
        """The first of `count` fresh passage ids, reserved in meta before use: ids are never reused."""
        if self._next_passage_id is None:
            self._next_passage_id = int(self.get_meta("next_passage_id") or 1)
        first = self._next_passage_id
        self._next_passage_id += count
        self.set_meta("next_passage_id", str(self._next_passage_id))
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
                    "unused": [0.0, 0.0],
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
                    "unused": [0.0, 0.0],
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
                    "lexical": _fit(lexical_form(title + passage.text)),
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


def _sentences_json(sentences: SentenceVectors) -> dict:
    if not sentences.spans:
        return {}
    encoded = base64.b64encode(sentences.vectors.astype(np.float16).tobytes()).decode("ascii")
    stored = {"spans": [list(span) for span in sentences.spans], "vectors": encoded}
    return stored if len(encoded) <= MAX_SENTENCES_JSON else {}


def load_collections(client) -> None:
    """Load every collection for searching: after a restart (or a killed milvus-lite) they come back released."""
    for name in (META, FILES, ARTICLES, TEXTS, PASSAGES, COPIES):
        if client.has_collection(name) and "Loaded" not in str(client.get_load_state(name).get("state")):
            client.load_collection(name)


def create_collections(client, dimension: int | None) -> None:
    """Create what is missing; the passages collection needs the model's dimension, so waits for it."""
    from pymilvus import DataType, Function, FunctionType

    def schema(*fields: tuple, key: tuple = ("key", DataType.VARCHAR, {"max_length": 2048})):
        built = client.create_schema(auto_id=False, enable_dynamic_field=False)
        name, dtype, options = key
        built.add_field(name, dtype, is_primary=True, **options)
        for field_name, field_type, field_options in fields:
            built.add_field(field_name, field_type, **field_options)
        return built

    def unused_vector_index():
        params = client.prepare_index_params()
        params.add_index("unused", index_type="FLAT", metric_type="L2")
        return params

    born = ("born", DataType.INT64, {})
    path = ("source_path", DataType.VARCHAR, {"max_length": 4096})
    doc_id = ("doc_id", DataType.VARCHAR, {"max_length": 256})
    unused = ("unused", DataType.FLOAT_VECTOR, {"dim": 2})
    string = {"max_length": MAX_VARCHAR}
    plain = {
        META: schema(("value", DataType.VARCHAR, string), unused, key=("key", DataType.VARCHAR, {"max_length": 256})),
        FILES: schema(born, path, ("fingerprint", DataType.VARCHAR, {"max_length": 256}), unused),
        ARTICLES: schema(
            born,
            doc_id,
            path,
            ("outlet", DataType.VARCHAR, {"max_length": 1024}),
            ("published", DataType.INT64, {}),
            ("metadata", DataType.JSON, {}),
            ("bands", DataType.ARRAY, {"element_type": DataType.INT64, "max_capacity": MAX_BANDS}),
            unused,
        ),
        TEXTS: schema(born, doc_id, path, ("part", DataType.INT64, {}), ("text", DataType.VARCHAR, string), unused),
        COPIES: schema(
            born,
            path,
            ("ordinal", DataType.INT64, {}),
            ("original", DataType.VARCHAR, {"max_length": 256}),
            ("listed", DataType.BOOL, {}),
            ("listing", DataType.JSON, {}),
            unused,
        ),
    }
    for name, built in plain.items():
        if not client.has_collection(name):
            client.create_collection(name, schema=built, index_params=unused_vector_index(), consistency_level="Strong")
    if dimension is None or client.has_collection(PASSAGES):
        return
    passages = schema(
        born,
        doc_id,
        path,
        ("outlet", DataType.VARCHAR, {"max_length": 1024}),
        ("published", DataType.INT64, {}),
        ("ordinal", DataType.INT64, {}),
        ("start", DataType.INT64, {}),
        ("end", DataType.INT64, {}),
        ("lexical", DataType.VARCHAR, {**string, "enable_analyzer": True}),
        ("sparse", DataType.SPARSE_FLOAT_VECTOR, {}),
        ("dense", DataType.FLOAT_VECTOR, {"dim": dimension}),
        ("sentences", DataType.JSON, {}),
        key=("id", DataType.INT64, {}),
    )
    passages.add_function(
        Function(
            name="bm25", function_type=FunctionType.BM25, input_field_names=["lexical"], output_field_names=["sparse"]
        )
    )
    params = client.prepare_index_params()
    params.add_index("dense", index_type="HNSW", metric_type="IP", params=HNSW_BUILD)
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
    client.create_collection(PASSAGES, schema=passages, index_params=params, consistency_level="Strong")


HNSW_BUILD = {"M": 16, "efConstruction": 200}
"""Milvus's dense index: HNSW, 16 links per node, built with a candidate list of 200 (see README)."""
HNSW_SEARCH_EF = 128
"""Candidates HNSW visits per query; at least the number of results asked for."""
