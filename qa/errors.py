"""Errors the user can act on; each message says what happened and what to do next."""


class QAError(Exception):
    """Base for every error the CLI and TUI show to the user without a traceback."""


class IndexMissingError(QAError):
    def __init__(self, index_dir: object) -> None:
        super().__init__(f"No index in {index_dir}. Run `qa index` to build it from the corpus.")


class IndexMismatchError(QAError):
    """The index was built with another embedding model; mixing vectors would give wrong answers."""


class CorruptIndexError(QAError):
    """A file of the index cannot be read."""


class ModelLoadError(QAError):
    """The embedding model cannot be loaded from local files."""


class MetadataError(QAError):
    """Explicit metadata (a sidecar or front matter) is invalid; names the file and field."""


class UsageError(QAError):
    """The request itself is malformed (an empty question); the CLI exits with code 2."""


class IngestError(QAError):
    """A corpus file cannot be turned into an article; it is skipped with this reason."""


class TruncatedError(IngestError):
    """A gzip file ends before its end marker: the records read before the cut are still good. `reason` is the
    problem line without the file's name."""

    def __init__(self, relative: str, reason: str) -> None:
        super().__init__(f"{relative}: {reason}")
        self.reason = reason


class CorpusEmptyError(QAError):
    """The corpus folder is empty or missing while the index holds files: building would empty the index."""
