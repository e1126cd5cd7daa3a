"""Which files are articles, and turning their bytes into text: gzip, size limits, encodings, binaries."""

from __future__ import annotations

import codecs
import gzip
import io
import logging
import re
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from charset_normalizer import from_bytes

from qa.errors import IngestError, TruncatedError
from qa.ingest.bounds import GZIP_RATIO_FROM, MAX_GZIP_RATIO, MAX_LINE_CHARS, MAX_PAGE_BYTES, MAX_RECORDS_BYTES

log = logging.getLogger(__name__)

FEED_FORMATS = (".rss", ".atom", ".xml")
"""RSS and Atom feeds (an `.xml` file only when it is one): one article per item."""
ARCHIVE_FORMATS = (".warc",)
"""Web archives (WARC): one article per saved HTML page."""
RECORD_FORMATS = (".json", ".jsonl", ".ndjson", ".csv", *FEED_FORMATS, *ARCHIVE_FORMATS)
"""Formats holding many articles (one per record)."""
PAGE_FORMATS = (".txt", ".md", ".markdown", ".html", ".htm")
"""Formats holding one article."""
STREAMED_FORMATS = (".jsonl", ".ndjson", ".csv")
"""Record formats read line by line (`record_lines`), so a 1 GB export costs a line of memory, not its size."""
BYTE_FORMATS = FEED_FORMATS + ARCHIVE_FORMATS
"""Formats whose readers take the file's bytes (`bounded_bytes`): a feed declares its own encoding, and an
archive holds records of any kind, images included."""
_GZIP_CHUNK = 1024 * 1024
_BINARY_SAMPLE = 8192
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
"""An invalid byte as `surrogateescape` decodes it."""
_NON_ASCII = re.compile("[^\x00-\x7f]")
_SNIFF_BYTES = 64 * 1024
"""How much of a streamed file is looked at to choose its encoding before it is read line by line."""


def file_format(path: Path) -> str | None:
    """`.jsonl` for `news.jsonl` and `news.jsonl.gz`; None for a file type qa does not read."""
    name = path.name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    return suffix if suffix in RECORD_FORMATS + PAGE_FORMATS else None


def read_text_file(path: Path, relative: str, problems: list[str] | None = None) -> str:
    """The file's text, decompressed and decoded; raises IngestError saying what is wrong and what to do. Bytes
    replaced while decoding are described in `problems`."""
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
    text = _decode(data, relative, problems)
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


def _decode(data: bytes, relative: str, problems: list[str] | None = None) -> str:
    """UTF-8 first, also when only a few stray bytes break it (they become U+FFFD, described in `problems`);
    otherwise the encoding charset-normalizer finds; NUL bytes mean a binary file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    binary = _binary(relative)
    if b"\0" in data[:_BINARY_SAMPLE]:
        raise binary
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        first_bad = error.start
    damaged = _damaged_utf8(data)
    if damaged is not None:
        text, bad_bytes = damaged
        if problems is not None:
            problems.append(
                f"{bad_bytes:,} byte(s) are not valid UTF-8 (the first at byte {first_bad:,}); read as UTF-8 with "
                "each shown as \ufffd; save the file as UTF-8"
            )
        return text
    best = from_bytes(data).best()
    if best is None:
        raise binary
    log.info("%s: not UTF-8; decoded as %s", relative, best.encoding)
    return str(best)


def _damaged_utf8(data: bytes) -> tuple[str, int] | None:
    """The text and its count of invalid bytes when `data` is UTF-8 with a few stray bytes: more valid non-ASCII
    characters than invalid bytes. A legacy 8-bit file (cp1252, Latin-1) almost never holds a valid multi-byte UTF-8
    sequence, so it is left to charset-normalizer; decoding UTF-8 with it turned every "ü" into "Ã¼"."""
    text = data.decode("utf-8-sig", errors="surrogateescape")
    bad_bytes = len(_ESCAPED_BYTE.findall(text))
    if len(_NON_ASCII.findall(text)) - bad_bytes <= bad_bytes:
        return None
    return _ESCAPED_BYTE.sub("\ufffd", text), bad_bytes


def _binary(relative: str) -> IngestError:
    return IngestError(
        f"{relative}: is a binary file, not text; qa reads text, HTML, Markdown, JSON, JSONL, CSV, feeds and WARC "
        "(convert it, e.g. a PDF to .txt, or remove it)"
    )


@contextmanager
def bounded_bytes(path: Path, relative: str) -> Iterator[io.BufferedReader]:
    """The file's bytes as a stream, decompressed when gzipped, that raises IngestError (also while it is read) for
    a file over MAX_RECORDS_BYTES, a gzip bomb, a broken or truncated gzip file, or a read error."""
    try:
        if not path.name.lower().endswith(".gz") and path.stat().st_size > MAX_RECORDS_BYTES:
            raise _too_large(relative, path)
        raw = _BoundedStream(path, relative)
    except FileNotFoundError:
        raise IngestError(f"{relative}: the file disappeared while it was being read; run the command again") from None
    except OSError as error:
        raise IngestError(f"{relative}: cannot be read ({error.strerror or error}); check its permissions") from None
    with io.BufferedReader(raw, _GZIP_CHUNK) as binary:
        yield binary


def check_file_size(path: Path, relative: str) -> None:
    """IngestError for a file over MAX_RECORDS_BYTES on disk; what it expands to is bounded as it is read."""
    if path.stat().st_size > MAX_RECORDS_BYTES:
        raise _too_large(relative, path)


@contextmanager
def record_lines(path: Path, relative: str) -> Iterator[Iterable[str | None]]:
    """The lines of a JSONL or CSV file with their ends, read, decompressed and decoded as they are taken; None
    stands for a line over MAX_LINE_CHARS, which was dropped. Raises IngestError (also while lines are taken) for
    a file too large, a gzip bomb or a binary file. UTF-8 and UTF-16 stream; another encoding needs the whole file
    for charset-normalizer, so it is read whole (within MAX_RECORDS_BYTES)."""
    with bounded_bytes(path, relative) as binary:
        sample = binary.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]
        if not sample:  # a file of white space reads as no records: "no article text found"
            raise IngestError(f"{relative}: the file is empty; add the article text or remove the file")
        encoding = _stream_encoding(sample, relative)
        if encoding is None:
            yield _bounded_lines(io.StringIO(_decode(binary.read(), relative), newline="\n"))
        else:
            yield _bounded_lines(io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="\n"))


def decode_text(data: bytes, relative: str) -> str:
    """Bytes from within a file (a web archive's page) decoded as a file's are: UTF-8, else what charset-normalizer
    finds; IngestError for binary data."""
    return _decode(data, relative)


def _stream_encoding(sample: bytes, relative: str) -> str | None:
    """The encoding to stream with, judged from the first bytes; None when only the whole file can tell."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\0" in sample[:_BINARY_SAMPLE]:
        raise _binary(relative)
    try:  # not final: the sample may end inside a character
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return None
    return "utf-8-sig"  # a stray bad byte later becomes U+FFFD in its record, never the end of the file


def _bounded_lines(stream: io.TextIOBase) -> Iterator[str | None]:
    """Each line with its end; None for one over MAX_LINE_CHARS, whose rest is read in pieces and dropped."""
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            while (rest := stream.readline(MAX_LINE_CHARS)) and not rest.endswith("\n"):
                pass
            yield None
        else:
            yield line


def _too_large(relative: str, path: Path) -> IngestError:
    fmt = file_format(path) or "record"
    return IngestError(
        f"{relative}: is over {MAX_RECORDS_BYTES // (1024 * 1024)} MB, more than one {fmt} file should hold; "
        "split it into smaller files"
    )


class _BoundedStream(io.RawIOBase):
    """A corpus file's bytes, decompressed when gzipped, that stop with an IngestError past MAX_RECORDS_BYTES or a
    gzip bomb's ratio, whichever comes first; read errors become IngestErrors naming the file."""

    def __init__(self, path: Path, relative: str) -> None:
        super().__init__()
        self._path, self._relative = path, relative
        self._compressed_size = max(path.stat().st_size, 1)
        gzipped = path.name.lower().endswith(".gz")
        self._file = gzip.open(path, "rb") if gzipped else path.open("rb")
        self._gzipped = gzipped
        self._total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            count = self._file.readinto1(buffer)  # what is there: a truncated gzip file gives its readable part
        except EOFError as error:
            reason = f"the gzip file ends early ({error}; truncated?): what comes before is read; re-compress it whole"
            raise TruncatedError(self._relative, reason) from None
        except (gzip.BadGzipFile, zlib.error) as error:
            message = f"not a valid gzip file ({error}); re-compress it or save it uncompressed"
            raise IngestError(f"{self._relative}: {message}") from None
        except OSError as error:
            raise IngestError(f"{self._relative}: cannot be read ({error.strerror or error})") from None
        self._total += count
        if self._total > MAX_RECORDS_BYTES:
            raise _too_large(self._relative, self._path)
        if self._gzipped and self._total > GZIP_RATIO_FROM and self._total > MAX_GZIP_RATIO * self._compressed_size:
            raise IngestError(
                f"{self._relative}: expands more than {MAX_GZIP_RATIO} times when decompressed, as no news "
                "export does (a gzip bomb?); check where it came from, or save it uncompressed"
            )
        return count

    def close(self) -> None:
        self._file.close()
        super().close()
