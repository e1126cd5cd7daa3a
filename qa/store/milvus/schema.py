"""The Milvus collections of an index: their names, limits and schemas, created when missing."""

from __future__ import annotations

from typing import Any

PREFIX = "qa_"
META, FILES, ARTICLES, TEXTS, PASSAGES, COPIES, REFUSED = (
    f"{PREFIX}{name}" for name in ("meta", "files", "articles", "texts", "passages", "copies", "refused")
)
GENERATIONAL = (FILES, ARTICLES, TEXTS, PASSAGES, COPIES)
"""Collections whose rows carry the generation (`born`) that wrote them."""
FORMAT_VERSION = 1
MAX_VARCHAR = 65_535
"""Milvus's longest VARCHAR, in bytes."""
MAX_BANDS = 64
HNSW_BUILD = {"M": 16, "efConstruction": 200}
"""Milvus's dense index: HNSW, 16 links per node, built with a candidate list of 200 (see README)."""
HNSW_SEARCH_EF = 128
"""Candidates HNSW visits per query; at least the number of results asked for."""


def load_collections(client: Any) -> None:
    """Load every collection for searching: after a restart (or a killed milvus-lite) they come back released."""
    for name in (META, REFUSED, *GENERATIONAL):
        if client.has_collection(name) and "Loaded" not in str(client.get_load_state(name).get("state")):
            client.load_collection(name)


def create_collections(client: Any, dimension: int | None) -> None:
    """Create what is missing; the passages collection needs the model's dimension, so waits for it."""
    from pymilvus import DataType, Function, FunctionType

    Field = tuple[str, Any, dict[str, Any]]

    def schema(*fields: Field, key: Field = ("key", DataType.VARCHAR, {"max_length": 2048})) -> Any:
        built = client.create_schema(auto_id=False, enable_dynamic_field=False)
        name, dtype, options = key
        built.add_field(name, dtype, is_primary=True, **options)
        for field_name, field_type, field_options in fields:
            built.add_field(field_name, field_type, **field_options)
        return built

    def unused_vector_index() -> Any:
        params = client.prepare_index_params()
        params.add_index("unused", index_type="FLAT", metric_type="L2")
        return params

    born: Field = ("born", DataType.INT64, {})
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
        REFUSED: schema(
            ("fingerprint", DataType.VARCHAR, {"max_length": 256}),
            ("reason", DataType.VARCHAR, string),
            unused,
            key=("source_path", DataType.VARCHAR, {"max_length": 4096}),
        ),
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
