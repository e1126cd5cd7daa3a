"""What one corpus file may cost: size, line length, nesting depth, YAML aliases and size, problems kept, decompression.

Article files come from the open web and from other people's archives. Each bound here turns a
file built to exhaust memory, time or the stack into one problem line naming it, while real news
files stay far inside it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import yaml

MAX_NESTING = 100
"""Deepest JSON, YAML or JSON-LD nesting read. News records nest a few levels (record, source,
name) and JSON-LD graphs under ten; 100 stays far below Python's recursion limit (1,000), which
json, pydantic and our own walkers share, so a deeper file is refused before anything recurses."""
MAX_METADATA_SIZE = 64 * 1024
"""Front matter, a sidecar or a `qa add` options file holds a handful of fields; more (characters of YAML,
bytes of a sidecar or options file, all of which sit in the untrusted corpus) is not metadata."""
MAX_PAGE_BYTES = 5 * 1024 * 1024
"""A single article or saved page is far smaller; a bigger one is a collection or a mistake."""
MAX_RECORDS_BYTES = 1024 * 1024 * 1024
"""A record file may be large, but not unbounded: a .json file (and a JSONL or CSV file not in UTF-8) is read into
memory whole; JSONL and CSV in UTF-8 are streamed, and this bounds the time they take."""
MAX_LINE_CHARS = MAX_PAGE_BYTES
"""The longest JSONL line, CSV line or CSV field read: one article (Python's CSV default, 128 kB, is below some
article bodies); a longer line is dropped in pieces, never held whole."""
MAX_GZIP_RATIO = 100
"""Most bytes a compressed byte may expand to: news text and exports compress 3 to 10 times; a gzip
bomb (1 GB of zeros in 1 MB) a thousand times."""
GZIP_RATIO_FROM = 4 * 1024 * 1024
"""Below this much decompressed data the ratio is not checked: a small file may compress well."""
MAX_PROBLEM_KINDS = 20
"""Distinct problem lines kept per file; the rest are counted, never held one per record."""
MAX_BAD_RECORDS = 10_000
"""Bad records after which a file's reading stops, when they outnumber the good: real exports have a few
hundred (Reuters-21578: 961 in 21,578); a file of millions of `{}` lines would take minutes to list."""
NESTING_PROBLEM = f"nested deeper than {MAX_NESTING} levels, which no news record needs"


class ValueRefusedError(ValueError):
    """JSON or YAML that parses but holds a value qa will not build; the message is the problem, one line."""


class NestingError(ValueRefusedError):
    """A JSON or YAML value nests deeper than MAX_NESTING."""

    def __init__(self) -> None:
        super().__init__(NESTING_PROBLEM)


def load_json(text: str) -> Any:
    """`json.loads`, refusing values nested deeper than MAX_NESTING (NestingError, never RecursionError) and values
    Python cannot build (ValueRefusedError: an integer of over 4,300 digits), so a caller skips only this text."""
    try:
        value = json.loads(text)
    except RecursionError:  # json's C scanner stops at the recursion limit: far too deep for us anyway
        raise NestingError() from None
    except json.JSONDecodeError:
        raise
    except (ValueError, OverflowError) as error:  # int(): "Exceeds the limit (4300 digits)"
        raise ValueRefusedError(f"holds a value that cannot be read ({_first_clause(error)})") from None
    if len(text) > 2 * MAX_NESTING and nested_too_deep(value):  # shorter text cannot open and close that many
        raise NestingError()
    if _SURROGATE_ESCAPE.search(text):
        value = _without_surrogates(value)
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _without_surrogates(value: Any) -> Any:
    """JSON and YAML may escape half a UTF-16 pair (`\\ud800`), which no file can store: it becomes U+FFFD.

    Recursion is safe here: the value nests at most MAX_NESTING levels."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(key): _without_surrogates(item) for key, item in value.items()}
    return value


def nested_too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """Whether lists and dicts in `value` nest deeper than `limit`; iterative, so any depth is safe to check."""
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _first_clause(error: Exception) -> str:
    """`Exceeds the limit (4300 digits) for integer string conversion`, without Python's advice after the `;`."""
    return str(error).split(";", 1)[0].strip()


def _scalar_if_unbuildable(constructor: Any) -> Any:
    """A YAML constructor that keeps the scalar's text when Python cannot build its value (`2024-02-30` as a date,
    an integer of over 4,300 digits): the field is then judged like any other bad text, not the whole file."""

    def construct(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        try:
            return constructor(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    return construct


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a depth bound and no aliases (a 700-byte alias bomb expands to billions of nodes)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            problem = f"uses the alias *{event.anchor}; qa reads no YAML aliases: write the value out"
            raise yaml.composer.ComposerError(None, None, problem, event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                raise yaml.composer.ComposerError(None, None, NESTING_PROBLEM, self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:int"):
    _BoundedLoader.add_constructor(_tag, _scalar_if_unbuildable(yaml.SafeLoader.yaml_constructors[_tag]))


def load_yaml(text: str) -> Any:
    """`yaml.safe_load` with no aliases, at most MAX_NESTING levels and MAX_METADATA_SIZE; raises yaml.YAMLError."""
    if len(text) > MAX_METADATA_SIZE:
        raise yaml.YAMLError(f"over {MAX_METADATA_SIZE // 1024} KB, more than metadata needs")
    loader = _BoundedLoader(text)
    try:
        value = loader.get_single_data()
    finally:
        loader.dispose()
    return _without_surrogates(value) if "\\" in text else value  # "\ud800" in a quoted scalar


class Problems:
    """One file's problem lines, bounded: a repeated problem is counted ("and 9,998 more like it"), not stored again."""

    def __init__(self, limit: int = MAX_PROBLEM_KINDS) -> None:
        self.limit = limit
        self._first: dict[str, str] = {}
        """Each kept problem (without its place) → the first place it was seen."""
        self._repeats: Counter[str] = Counter()
        self._others = 0
        """Problems beyond `limit` distinct ones: only counted."""
        self._count = 0

    def add(self, where: str | None, problem: str) -> None:
        self._count += 1
        if problem in self._first:
            self._repeats[problem] += 1
        elif len(self._first) < self.limit:
            self._first[problem] = where or ""
        else:
            self._others += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        return iter(self.lines())

    def lines(self) -> list[str]:
        """One line per kept problem (`line 3: ... (and 9,998 more like it)`), then one counting the rest."""
        lines = []
        for problem, where in self._first.items():
            line = f"{where}: {problem}" if where else problem
            repeats = self._repeats[problem]
            lines.append(f"{line} (and {repeats:,} more like it)" if repeats else line)
        if self._others:
            lines.append(f"… and {self._others:,} more problems of other kinds")
        return lines
