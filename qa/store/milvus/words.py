"""The words Milvus's BM25 indexes and searches: the same stems SQLite's porter tokenizer gives the embedded backend."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from qa.store.milvus.schema import MAX_VARCHAR

_WORD = re.compile(r"\w+")


@cache
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def lexical_form(text: str) -> str:
    """Lower-cased, accent-free, stemmed words: what SQLite's porter tokenizer indexes in the embedded
    backend, so BM25 ranks alike on both (milvus-lite's analyzer does not stem)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join(_stemmer().stemWords(_WORD.findall(plain)))


def fit(text: str, limit: int = MAX_VARCHAR) -> str:
    """`text` cut to at most `limit` UTF-8 bytes, at a character boundary."""
    encoded = text.encode("utf-8")
    return text if len(encoded) <= limit else encoded[:limit].decode("utf-8", errors="ignore")
