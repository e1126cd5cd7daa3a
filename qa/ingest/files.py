"""Which files are articles, and turning their bytes into text: gzip, size limits, encodings, binaries."""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path

from charset_normalizer import from_bytes

from qa.errors import IngestError

log = logging.getLogger(__name__)

RECORD_FORMATS = (".json", ".jsonl", ".ndjson", ".csv")
"""Formats holding many articles (one per record)."""
PAGE_FORMATS = (".txt", ".md", ".markdown", ".html", ".htm")
"""Formats holding one article."""
MAX_PAGE_BYTES = 5 * 1024 * 1024
"""A single article or saved page is far smaller; a bigger one is a collection or a mistake."""
MAX_RECORDS_BYTES = 1024 * 1024 * 1024
"""A record file (JSONL, CSV) may be large, but it is read into memory, so not unbounded."""
MAX_GZIP_RATIO = 100
"""Most bytes a compressed byte may expand to: news text and exports compress 3 to 10 times; a gzip
bomb (1 GB of zeros in 1 MB) a thousand times."""
GZIP_RATIO_FROM = 4 * 1024 * 1024
"""Below this much decompressed data the ratio is not checked: a small file may compress well."""
_GZIP_CHUNK = 1024 * 1024
_BINARY_SAMPLE = 8192


def file_format(path: Path) -> str | None:
    """`.jsonl` for `news.jsonl` and `news.jsonl.gz`; None for a file type qa does not read."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return suffix if suffix in RECORD_FORMATS + PAGE_FORMATS else None


def read_text_file(path: Path, relative: str) -> str:
    """The file's text, decompressed and decoded; raises IngestError saying what is wrong and what to do."""
    fmt = file_format(path) or ""
    limit = MAX_RECORDS_BYTES if fmt in RECORD_FORMATS else MAX_PAGE_BYTES
    data = _read_bytes(path, relative, limit)
    if data is None:
        raise IngestError(
            f"{relative}: is over {limit // (1024 * 1024)} MB, more than one {fmt or 'article'} file "
            "should hold; split it into one article per file, or save a collection as .jsonl"
        )
    if not data or data.isspace():  # isspace, not strip: no copy of a large file
        raise IngestError(f"{relative}: the file is empty; add the article text or remove the file")
    text = _decode(data, relative)
    if text.isspace():
        raise IngestError(f"{relative}: the file holds only white space; add the article text or remove the file")
    return text


def _read_bytes(path: Path, relative: str, limit: int) -> bytes | None:
    """The file's bytes, decompressed; None when there are more than `limit` (never read past it)."""
    try:
        if path.name.lower().endswith(".gz"):
            data = _decompress(path, relative, limit)
        elif path.stat().st_size > limit:
            return None
        else:  # read(limit + 1) would allocate the whole limit up front, 1 GB for a record file
            data = path.read_bytes()
        return data if len(data) <= limit else None
    except FileNotFoundError:
        raise IngestError(f"{relative}: the file disappeared while it was being read; run the command again") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        message = f"not a valid gzip file ({error}); re-compress it or save it uncompressed"
        raise IngestError(f"{relative}: {message}") from None
    except OSError as error:
        raise IngestError(f"{relative}: cannot be read ({error.strerror or error}); check its permissions") from None


def _decompress(path: Path, relative: str, limit: int) -> bytes:
    """The decompressed bytes, read in chunks: stops at `limit + 1` bytes, and at a bomb's ratio before its size."""
    compressed_size = max(path.stat().st_size, 1)
    chunks, total = [], 0
    with gzip.open(path, "rb") as stream:
        while total <= limit and (chunk := stream.read(_GZIP_CHUNK)):
            chunks.append(chunk)
            total += len(chunk)
            if total > GZIP_RATIO_FROM and total > MAX_GZIP_RATIO * compressed_size:
                raise IngestError(
                    f"{relative}: expands more than {MAX_GZIP_RATIO} times when decompressed, as no news "
                    "export does (a gzip bomb?); check where it came from, or save it uncompressed"
                )
    return b"".join(chunks)


def _decode(data: bytes, relative: str) -> str:
    """UTF-8 first; otherwise the encoding charset-normalizer finds; NUL bytes mean a binary file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    binary = IngestError(
        f"{relative}: is a binary file, not text; qa reads text, HTML, Markdown, JSON, JSONL and CSV "
        "(convert it, e.g. a PDF to .txt, or remove it)"
    )
    if b"\0" in data[:_BINARY_SAMPLE]:
        raise binary
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise binary
    log.info("%s: not UTF-8; decoded as %s", relative, best.encoding)
    return str(best)
