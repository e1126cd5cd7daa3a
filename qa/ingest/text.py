"""Reader for `.txt` and `.md`: YAML front matter if present, otherwise a raw page dump to clean."""

from __future__ import annotations

import re

import yaml

from qa.errors import MetadataError
from qa.ingest.boilerplate import clean_page_text, normalize_line
from qa.ingest.bounds import Problems, load_yaml
from qa.ingest.dates import DateOrder
from qa.ingest.document import Document, Reading
from qa.ingest.heuristics import text_candidates
from qa.ingest.metadata import DateContext, explicit_candidates, take_date_order, wire_candidates, yaml_problem
from qa.models import MetadataSource

_HEADING = re.compile(r"#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?")
"""A Markdown (ATX) heading with its opening and closing `#` marks; `#hashtag` has no space after it: no heading."""
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def read_text(
    raw: str, *, origin: str, field_map: dict[str, str] | None = None, date_order: DateOrder | None = None
) -> Reading:
    """One article; `field_map` only applies to record formats; `date_order` reads numeric dates in the text."""
    match = _FRONT_MATTER.match(raw)
    problems = Problems()
    if match is None:
        guesses = text_candidates(raw, origin=origin, page_dump=True, date_order=date_order, problems=problems)
        guesses += wire_candidates(raw, origin=origin)
        return Reading([Document(text=clean_page_text(raw), candidates=guesses)], problems)
    try:
        data = load_yaml(match.group(1)) or {}
    except yaml.YAMLError as error:
        raise MetadataError(f"{origin}: front matter is not valid YAML: {yaml_problem(error)}") from error
    if not isinstance(data, dict):
        raise MetadataError(f"{origin}: front matter must be a mapping of metadata fields")
    dates = DateContext(Problems())
    own_order = take_date_order(data, origin=origin, problems=dates.problems)  # taken out even when a flag overrides
    dates.date_order = date_order or own_order
    source = MetadataSource.FRONT_MATTER
    candidates = explicit_candidates(data, origin=f"{origin} (front matter)", source=source, dates=dates)
    for line in dates.problems:
        problems.add("front matter", line)
    body = raw[match.end() :]
    candidates += text_candidates(body, origin=origin, page_dump=False, date_order=dates.date_order)
    candidates += wire_candidates(body, origin=origin)
    return Reading([Document(text=_written_text(body), candidates=candidates)], problems)


def _written_text(body: str) -> str:
    """Text a person wrote: keep every paragraph, only normalize white space and blank lines, and drop the `#` marks
    of Markdown headings (an Obsidian or Hugo note's `# Title` was quoted as "# Title")."""
    paragraphs = (normalize_line(" ".join(block.splitlines())) for block in re.split(r"\n\s*\n", body))
    return "\n\n".join(_without_heading_marks(p) for p in paragraphs if p)


def _without_heading_marks(paragraph: str) -> str:
    heading = _HEADING.fullmatch(paragraph)
    return heading.group("text") if heading and heading.group("text") else paragraph
