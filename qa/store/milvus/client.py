"""Connecting to Milvus, and the edge where its errors become QAErrors naming the URI."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qa.errors import QAError

TIMEOUT_SECONDS = 5.0
"""How long a call to Milvus may take before the server counts as unreachable."""


class MilvusStorageError(QAError):
    """Milvus refused an operation; the message names the URI and what to do."""


@dataclass(frozen=True)
class MilvusTarget:
    uri: str
    """A milvus-lite data path, or a server address such as http://host:19530."""
    token: str | None
    cache_dir: Path
    """This machine's own state: the writers' lock and the question encoder's export."""

    @property
    def local(self) -> bool:
        return "://" not in self.uri


def connect(target: MilvusTarget) -> TranslatingClient:
    """A client for `target`, or a QAError naming the URI (within TIMEOUT_SECONDS, never a hang)."""
    try:
        from pymilvus import MilvusClient
    except ImportError as error:
        raise QAError(
            f"The milvus backend needs pymilvus and milvus-lite ({error.name} is missing): "
            "pip install 'qa[milvus]', or use the embedded backend."
        ) from error
    if target.local:
        Path(target.uri).parent.mkdir(parents=True, exist_ok=True)
        _quiet_milvus_lite()
    _quiet(_DropMessages("RPC error"), "pymilvus.decorators")  # TranslatingClient reports it, in one line
    try:
        client = MilvusClient(uri=target.uri, token=target.token or "", timeout=TIMEOUT_SECONDS)
    except Exception as error:  # pymilvus raises its own, grpc's and milvus-lite's errors here
        raise MilvusStorageError(_unreachable(target, error)) from error
    return TranslatingClient(client, target.uri)


class _DropMessages(logging.Filter):
    def __init__(self, *fragments: str) -> None:
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(fragment in message for fragment in self.fragments)


def _quiet_milvus_lite() -> None:
    """Drop two harmless messages of milvus-lite's in-process server: it lacks the timestamp call
    pymilvus makes after creating an index and before paging through a query."""
    _quiet(
        _DropMessages("Method not implemented", "failed to get mvccTs"),
        "grpc._server",
        "pymilvus.client.iterator.query_iterator",
    )


def _quiet(noise: _DropMessages, *loggers: str) -> None:
    for name in loggers:
        logger = logging.getLogger(name)
        if not any(isinstance(each, _DropMessages) and each.fragments == noise.fragments for each in logger.filters):
            logger.addFilter(noise)


def _unreachable(target: MilvusTarget, error: Exception) -> str:
    reason = getattr(error, "message", None) or str(error) or type(error).__name__
    if target.local:
        return (
            f"Cannot open the milvus-lite index {target.uri} ({reason}). Another qa process may have it "
            "open: milvus-lite serves one process at a time; for shared use run a Milvus server."
        )
    return (
        f"Cannot reach Milvus at {target.uri} ({reason}). Check that the server is running and the URI "
        "(--milvus-uri, QA_MILVUS_URI) and token (QA_MILVUS_TOKEN) are right."
    )


class TranslatingClient:
    """A pymilvus client whose every call turns a Milvus failure into one MilvusStorageError naming the URI.

    The one place Milvus errors are translated: nothing above it sees a raw MilvusException.
    """

    def __init__(self, client: Any, uri: str) -> None:
        self._client = client
        self.uri = uri

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute
        return functools.partial(self._call, attribute)

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        from pymilvus.exceptions import MilvusException

        try:
            result = method(*args, **kwargs)
        except MilvusException as error:
            raise MilvusStorageError(f"Milvus at {self.uri} refused the request: {error.message}") from error
        except (ConnectionError, TimeoutError) as error:
            raise MilvusStorageError(f"Milvus at {self.uri} did not answer ({error}).") from error
        if hasattr(result, "next") and hasattr(result, "close"):  # a query iterator: its pages are calls too
            return TranslatingClient(result, self.uri)
        return result
