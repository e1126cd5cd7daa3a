"""The names people write in front matter and sidecars (Jekyll, Hugo, Obsidian, Zola, Pandoc), sorted into our fields.

A key we know under another name (`pubDate`, `canonicalURL`, `byline`) fills its field; an update time (`lastmod`,
`updated`, `modified`) is kept apart and never taken for the publication date; every other key (`tags`, `layout`,
`draft`, ...) is kept as text for `qa show`. Nothing a person wrote is a reason to refuse the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    # not `created`: Obsidian's clipper writes the clip time there, a note's creation, not the article's publication
    "published": ("published", "date", "pubdate", "publishdate", "publisheddate", "datepublished"),
    "published_at": ("publishedat",),
    "updated": ("updated", "lastmod", "modified", "lastmodified", "datemodified", "updatedat"),
    "author": ("author", "authors", "byline"),
    "outlet": ("outlet", "source", "publisher", "site", "sitename", "publication"),
    "url": ("url", "link", "canonicalurl"),
    "republished_by": ("republishedby",),
    "notes": ("notes",),
}
"""For each field, the keys that mean it (lower case, letters and digits only), the first usable one winning."""
DATE_FIELDS = frozenset({"published", "published_at", "updated"})
"""Fields whose value must look like a date: Jekyll's `published: true` is a switch, not the day."""
MAX_EXTRA_FIELDS = 40
"""Extra keys kept per file: a tag cloud is shown, a file of thousands of keys is not."""
MAX_EXTRA_CHARS = 300
"""Characters kept of one extra value."""
_URL = re.compile(r"^https?://\S+$", re.I)


@dataclass
class Written:
    """A file's metadata keys sorted: field -> (the key as written, its value), the rest as text, and problems."""

    fields: dict[str, tuple[str, Any]] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)
    """(key as written, what is wrong), for one warning line each."""


def sort_written(data: dict[Any, Any]) -> Written:
    """Each key into its field (the first of its names that is present) or into the extras."""
    written = Written()
    by_name = {}
    for key in data:
        by_name.setdefault(normalize_key(key), key)
    taken = set()
    for name, aliases in FIELD_NAMES.items():
        present = [by_name[a] for a in aliases if a in by_name and data[by_name[a]] not in (None, "")]
        key = next((key for key in present if _usable(name, data[key])), None)
        if key is None and name in DATE_FIELDS:  # no date-like value: the first written one, for its warning
            key = next((key for key in present if not isinstance(data[key], bool)), None)
        if key is not None:
            written.fields[name] = (str(key), data[key])
            taken.add(key)
    if "url" not in written.fields:  # Obsidian's `source: https://...` is where the note came from, not an outlet
        key = next((by_name[a] for a in FIELD_NAMES["outlet"] if a in by_name and _is_url(data[by_name[a]])), None)
        if key is not None:
            written.fields["url"] = (str(key), data[key])
            taken.add(key)
    published = written.fields.get("published")
    if published is not None and isinstance(published[1], dt.datetime):
        key, moment = published
        written.fields["published"] = (key, moment.date())  # YAML's own datetime: the day, and the time kept
        written.fields.setdefault("published_at", (key, moment))
    rest = [key for key in data if key not in taken and data[key] is not None]
    for key in rest[:MAX_EXTRA_FIELDS]:
        text = as_text(data[key])
        if text:
            written.extra[printable_key(key)] = text[:MAX_EXTRA_CHARS]
    if len(rest) > MAX_EXTRA_FIELDS:
        written.problems.append(("(file)", f"{len(rest) - MAX_EXTRA_FIELDS} more unknown fields not kept"))
    return written


def _usable(name: str, value: Any) -> bool:
    """A value that can fill the field: a date field's looks like a date; an outlet is not a URL."""
    if name in DATE_FIELDS:
        return _date_like(value)
    if name == "outlet":
        return not _is_url(value)
    return True


def _date_like(value: Any) -> bool:
    """A date, a timestamp, or text with a digit in it; not a switch (`true`) or a word (`draft`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, dt.date | int | float):
        return True
    return isinstance(value, str) and any(char.isdigit() for char in value)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and _URL.match(value.strip()) is not None


def join_names(value: Any) -> str | None:
    """Authors as a reader writes them: `A`, `A and B`, `A, B and C`; objects by their `name`."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        names = [name for name in (join_names(item) for item in value) if name]
        if len(names) > 1:
            return ", ".join(names[:-1]) + " and " + names[-1]
        return names[0] if names else None
    return one_line(value)


def single_text(value: Any) -> str | None:
    """A title, outlet or URL: one value (a list of one, an object's `name`); None for several or none."""
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        return single_text(value[0]) if len(value) == 1 else None
    return one_line(value)


def one_line(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    return " ".join(str(value).split()) or None


def as_text(value: Any) -> str | None:
    """Any YAML or JSON value as one line: lists joined with commas, objects as `key: value`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        parts = [as_text(item) for item in value]
        return ", ".join(p for p in parts if p) or None
    if isinstance(value, dict):
        parts = [f"{printable_key(k)}: {as_text(v)}" for k, v in value.items() if as_text(v)]
        return "; ".join(parts) or None
    return one_line(value)


def printable_key(key: Any) -> str:
    return " ".join(str(key).split())[:MAX_EXTRA_CHARS] or repr(key)


def normalize_key(key: Any) -> str:
    """`pubDate`, `publish_date`, `Publish-Date` -> `publishdate`."""
    return re.sub(r"[^a-z0-9]", "", str(key).lower())
