"""The storage backends every behaviour test runs on, and Settings for each over a corpus."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qa.config import BUNDLED_MODEL, Settings

OTHER_BACKENDS = ("milvus-lite", "milvus-server")
"""The backends compared with the embedded index, the reference, by the agreement tests."""
BACKENDS = (*OTHER_BACKENDS, "embedded")
"""milvus-lite in-process, milvus-lite's gRPC server (the API of Milvus Standalone and Distributed)
on a local port, and FAISS + SQLite. OTHER_BACKENDS come first so that a test parametrized over them
shares the module's index of each (pytest groups a fixture's parameters by position)."""


def free_port() -> int:
    """A local TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def milvus_lite_server(data_dir: Path) -> Iterator[str]:
    """milvus-lite's gRPC server in its own process on a free port; yields its URI, stops it after."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "milvus_lite",
            "server",
            "--data-dir",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if server.poll() is not None:
                raise RuntimeError(f"milvus-lite server exited: {server.stderr.read().decode()}")
            if time.monotonic() > deadline:
                raise RuntimeError("milvus-lite server did not start within 60 s")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def backend_settings(backend: str, root: Path, corpus: Path) -> Iterator[Settings]:
    """Settings for `backend` over `corpus`, with the index (or the Milvus data) under `root`."""
    base = Settings(corpus_dir=corpus, index_dir=root / "index", model=BUNDLED_MODEL)
    if backend == "embedded":
        yield base
    elif backend == "milvus-lite":
        yield base.model_copy(update={"backend": "milvus", "milvus_uri": str(root / "lite.db")})
    else:
        with milvus_lite_server(root / "server-data") as uri:
            yield base.model_copy(update={"backend": "milvus", "milvus_uri": uri})
