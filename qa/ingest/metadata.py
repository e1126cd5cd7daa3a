"""Metadata precedence: collect candidate values from every source, keep the strongest, remember where it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ConfigDict, ValidationError, ValidationInfo, field_validator

from qa.dates import DATE_ORDER_KEY
from qa.errors import MetadataError
from qa.ingest.bounds import MAX_METADATA_SIZE, Problems, ValueRefusedError, load_json, load_yaml
from qa.ingest.dates import YEAR_ONLY, DateOrder, DateProblem, NewsDate, read_news_date
from qa.ingest.outlets import outlet_for_url
from qa.ingest.wire import WIRE_CREDIT_CONFIDENCE, cite_the_wire, wire_credits, wire_in_byline
from qa.ingest.written import FIELD_NAMES, join_names, normalize_key, single_text, sort_written
from qa.models import (
    METADATA_FIELDS,
    SOURCE_RANK,
    ArticleMetadata,
    FieldProvenance,
    MetadataSource,
    Republication,
)

KNOWN_DOMAIN_CONFIDENCE = 0.9
"""The URL is on a domain in the table of known outlets."""
BARE_DOMAIN_CONFIDENCE = 0.5
"""Only the registered domain is known: it is cited as the domain itself ("example.org")."""

SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")
MAX_SHOWN_INPUT = 80
"""Characters of a rejected value quoted in a problem line: enough to recognise it, never a whole file."""


@dataclass(frozen=True)
class Candidate:
    """One source's claim about one metadata field."""

    field: str
    value: Any
    provenance: FieldProvenance


def resolve(candidates: list[Candidate]) -> tuple[dict[str, Any], dict[str, FieldProvenance]]:
    """Pick, per field, the value from the strongest source (then the most confident, then the first)."""
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        if candidate.value is None:
            continue
        current = best.get(candidate.field)
        if current is None or _strength(candidate) > _strength(current):
            best[candidate.field] = candidate
    values = {name: c.value for name, c in best.items()}
    provenance = {name: c.provenance for name, c in best.items()}
    return values, provenance


def attribute(candidates: list[Candidate]) -> tuple[dict[str, Any], dict[str, FieldProvenance]]:
    """Resolve the candidates, then add what the winning URL says, and keep the time only if it agrees."""
    values, provenance = resolve(candidates)
    url = values.get("url")
    if url:
        values, provenance = resolve(candidates + _url_candidates(url, values.get("republished_by")))
    extras = sorted((c for c in candidates if c.field == "extra" and c.value), key=_strength)
    if len(extras) > 1:  # front matter's tags and a sidecar's slug are both kept; the stronger wins a shared key
        values["extra"] = {key: text for c in extras for key, text in c.value.items()}
    _credit_wire(values, provenance)
    published_at = values.get("published_at")
    if published_at is not None and "published" not in values:  # `publishedAt` alone: its day, from the same source
        values["published"], provenance["published"] = published_at.date(), provenance["published_at"]
    if published_at is not None:
        agrees = values.get("published") == published_at.date()
        as_strong = SOURCE_RANK[provenance["published_at"].source] <= SOURCE_RANK[provenance["published"].source]
        if not (agrees and as_strong):
            del values["published_at"], provenance["published_at"]
    return values, provenance


def wire_candidates(text: str, *, origin: str) -> list[Candidate]:
    """The agencies `text` credits (qa.ingest.wire), as claims on the `wire` field: the reader calls it on the text
    before boilerplate cleaning drops the credit lines."""
    candidates = []
    for credit in wire_credits(text):
        provenance = FieldProvenance(
            source=MetadataSource.TEXT, detail=f"{origin}: {credit.rule}", confidence=WIRE_CREDIT_CONFIDENCE
        )
        candidates.append(Candidate("wire", credit.wire, provenance))
    return candidates


def _credit_wire(values: dict[str, Any], provenance: dict[str, FieldProvenance]) -> None:
    """Wire copy is cited as the agency, via its carrier: credited by the text, or by the byline."""
    wire, credit = values.pop("wire", None), provenance.pop("wire", None)
    author = values.get("author")
    if wire is None and isinstance(author, str) and (wire := wire_in_byline(author)) is not None:
        detail = f"{provenance['author'].detail}: byline {shorten(author)!r} credits {wire}"
        credit = provenance["author"].model_copy(update={"detail": detail, "confidence": WIRE_CREDIT_CONFIDENCE})
    if wire is not None and credit is not None:
        cite_the_wire(values, provenance, wire, credit)


def _url_candidates(url: str, republished_by: Republication | None) -> list[Candidate]:
    """The outlet at the URL's registered domain; an aggregator's URL names the republisher instead."""
    found = outlet_for_url(url)
    if found is None:
        return []
    domain, known = found
    if known is None:
        provenance = FieldProvenance(
            source=MetadataSource.URL,
            detail=f"registered domain of {url}",
            confidence=BARE_DOMAIN_CONFIDENCE,
        )
        return [Candidate("outlet", domain, provenance)]
    provenance = FieldProvenance(
        source=MetadataSource.URL,
        detail=f"{domain} is {known.name}'s domain",
        confidence=KNOWN_DOMAIN_CONFIDENCE,
    )
    if not known.aggregator:
        return [Candidate("outlet", known.name, provenance)]
    if republished_by is not None and republished_by.outlet == known.name:
        enriched = republished_by.model_copy(update={"url": republished_by.url or url})
        return [Candidate("republished_by", enriched, provenance)]
    return [Candidate("republished_by", Republication(outlet=known.name, url=url), provenance)]


def _strength(candidate: Candidate) -> tuple[int, float]:
    return (-SOURCE_RANK[candidate.provenance.source], candidate.provenance.confidence)


class ExplicitMetadata(ArticleMetadata):
    """Metadata a person wrote down (sidecar or front matter); validated strictly so typos surface."""

    model_config = ConfigDict(extra="forbid")

    notes: dict[str, str] = {}
    """Per field, how the value was established (e.g. "editorial: the page shows no year")."""

    @field_validator("notes")
    @classmethod
    def _notes_name_fields(cls, notes: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(notes) - set(METADATA_FIELDS))
        if unknown:
            raise ValueError(f"notes name unknown fields: {', '.join(unknown)}")
        return notes

    @field_validator("published", "published_at", mode="before")
    @classmethod
    def _read_date(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers are YYYYMMDD or no date (pydantic would read 20240211 as Unix time: 23 Aug 1970). In a file
        (`context`: a DateContext), a text date is read as qa reads any date, with the file's day/month order, and
        one with no day to cite (`2024`, `03/04/2024` without an order) is left out with a problem line."""
        context = info.context if isinstance(info.context, DateContext) else None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        numeric = number or (isinstance(value, str) and value.strip().isascii() and value.strip().isdigit())
        text_date = context is not None and isinstance(value, str) and info.field_name == "published"
        if not (numeric or text_date):
            return value  # a date object from YAML, or text pydantic reads strictly (ISO)
        found = read_news_date(value, order=context.date_order if context else None)
        if isinstance(found, NewsDate):
            if info.field_name == "published" and (found.read_as == "YYYYMMDD" or not numeric):
                return found.day
            found = DateProblem("is a number, not a date")  # Unix time: hand-written dates are not counted seconds
        if context is not None and (found.reason == YEAR_ONLY or found.hint is not None):
            hint = found.hint or "write the full date, e.g. 2024-02-11"
            where = context.field_names.get(info.field_name, info.field_name)
            context.problems.add(where, f"{shorten(repr(value))} {found.reason}; left undated ({hint})")
            return None
        raise ValueError(f"{value} {found.reason}; write the date as 2024-02-11 (or leave it out)")


@dataclass
class DateContext:
    """How a file's hand-written dates are read: its day/month order, and where a date left out is reported."""

    problems: Problems
    date_order: DateOrder | None = None
    field_names: dict[str, str] = field(default_factory=dict)
    """Field -> the key it was written under (`pubDate`), so a problem names what the person wrote."""


def explicit_candidates(
    data: dict[str, Any], *, origin: str, source: MetadataSource, dates: DateContext | None = None
) -> list[Candidate]:
    """Validate hand-written metadata and turn it into candidates.

    Without `dates` (flag values) it is strict: MetadataError naming the field, and a date must be ISO or YYYYMMDD.
    With it (a sidecar, front matter) it takes the names people write (see qa.ingest.written), reads any date form qa
    reads, keeps unknown keys as extras, and leaves out a value it cannot use with one line in `dates.problems`."""
    if dates is not None:
        return _written_candidates(data, origin=origin, source=source, dates=dates)
    try:
        metadata = ExplicitMetadata.model_validate(data, context=dates)
    except ValidationError as error:
        raise MetadataError(f"{origin}: {_describe(error)}") from error
    candidates = []
    for name in METADATA_FIELDS:
        value = getattr(metadata, name)
        provenance = FieldProvenance(source=source, detail=origin, note=metadata.notes.get(name))
        candidates.append(Candidate(name, value, provenance))
    return candidates


def _written_candidates(
    data: dict[str, Any], *, origin: str, source: MetadataSource, dates: DateContext
) -> list[Candidate]:
    """Each field on its own: a value that cannot be used is a warning and leaves only that field unknown."""
    written = sort_written(data)
    for key, problem in written.problems:
        dates.problems.add(key, problem)
    notes = _written_notes(written.fields.pop("notes", None), dates)
    dates.field_names = {name: key for name, (key, _) in written.fields.items()}
    values: dict[str, Any] = {}
    for name, (key, value) in written.fields.items():
        if name == "author":
            value = join_names(value)
        elif name in ("title", "outlet", "url"):
            text = single_text(value)
            if text is None:
                dates.problems.add(key, f"{shorten(repr(value))} is not one {name}; left unknown")
                continue
            value = text
        elif name == "updated":
            value = _update_time(key, value, dates)
        elif name == "published" and isinstance(value, str) and "published_at" not in written.fields:
            found = read_news_date(value, order=dates.date_order)
            if isinstance(found, NewsDate) and found.moment is not None:
                values["published_at"] = found.moment  # a quoted ISO time: the time is kept too
        if value is None:
            continue
        try:
            checked = ExplicitMetadata.model_validate({name: value}, context=dates)
        except ValidationError as error:
            dates.problems.add(None, f"{_describe(error, dates.field_names)}; left unknown")
            continue
        values[name] = getattr(checked, name)
    if written.extra:
        values["extra"] = written.extra
    candidates = []
    for name, value in values.items():
        key = dates.field_names.get(name, name)
        detail = origin if key == name or name == "extra" else f"{origin}, field {key!r}"
        provenance = FieldProvenance(source=source, detail=detail, note=notes.get(name))
        candidates.append(Candidate(name, value, provenance))
    return candidates


def _written_notes(found: tuple[str, Any] | None, dates: DateContext) -> dict[str, str]:
    """The `notes` on fields, by our field names; a note on a field we do not know is a warning."""
    if found is None:
        return {}
    key, notes = found
    if not isinstance(notes, dict):
        dates.problems.add(key, "is not a mapping of field: note; ignored")
        return {}
    known = {alias: name for name, aliases in FIELD_NAMES.items() for alias in aliases}
    kept = {}
    for field_key, note in notes.items():
        name = known.get(normalize_key(field_key))
        if name is None or name == "notes" or not isinstance(note, str):
            dates.problems.add(key, f"a note on {shorten(repr(field_key))}, not a field with a value; ignored")
            continue
        kept[name] = note
    return kept


def _update_time(key: str, value: Any, dates: DateContext) -> dt.date | dt.datetime | None:
    found = read_news_date(value, order=dates.date_order)
    if isinstance(found, NewsDate) and (found.read_as is None or found.read_as == "YYYYMMDD"):
        return found.moment or found.day
    reason = found.reason if isinstance(found, DateProblem) else "is a number, not a date"
    dates.problems.add(key, f"{shorten(repr(value))} {reason}; update time left unknown")
    return None


def _describe(error: ValidationError, names: dict[str, str] | None = None) -> str:
    """One line per problem: `published: Input should be a valid date (got '2024-13-45')`; `names` gives a field
    the key it was written under (`date`)."""
    parts = []
    for problem in error.errors():
        steps = [str(step) for step in problem["loc"]]
        if steps and names:
            steps[0] = names.get(steps[0], steps[0])
        where = ".".join(steps) or "(file)"
        where = where if where.isprintable() else shorten(repr(where))  # a key holding a newline: still one line
        got = f" (got {shorten(repr(problem['input']))})" if problem["type"] != "missing" else ""
        message = problem["msg"].removeprefix("Value error, ")  # our validators' own words need no prefix
        parts.append(f"{where}: {message}{got}")
    return "; ".join(parts)


def shorten(text: str, limit: int = MAX_SHOWN_INPUT) -> str:
    """`text`, cut to `limit` characters with an ellipsis: a quoted value never floods a report."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def take_date_order(data: dict[str, Any], *, origin: str, problems: Problems | None = None) -> DateOrder | None:
    """Remove `date_order` from hand-written metadata and return it; a value other than DMY/MDY is a line in
    `problems` (None: MetadataError)."""
    value = data.pop(DATE_ORDER_KEY, None)
    if value is None:
        return None
    try:
        return DateOrder.parse(value)
    except ValueError:
        if problems is not None:
            problems.add(DATE_ORDER_KEY, f"{shorten(repr(value))} is not DMY or MDY; ignored")
            return None
        raise MetadataError(
            f"{origin}: {DATE_ORDER_KEY} {shorten(repr(value))} is not DMY or MDY; "
            "write DMY (03/04/2024 is 3 April) or MDY (4 March)"
        ) from None


def yaml_problem(error: yaml.YAMLError) -> str:
    """A YAML error on one line: `line 1, column 9: expected ',' or ']'`."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return " ".join(f"{where}{problem}".split())


def find_sidecar(path: Path) -> Path | None:
    """`story.txt` may carry `story.meta.json` (or `.meta.yaml`) beside it."""
    stem = path.name.split(".", 1)[0]
    for suffix in SIDECAR_SUFFIXES:
        candidate = path.with_name(stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(SIDECAR_SUFFIXES)


@dataclass
class Sidecar:
    """What a sidecar says: candidates for the metadata fields, and how to read the file's numeric dates."""

    candidates: list[Candidate] = field(default_factory=list)
    date_order: DateOrder | None = None
    problems: Problems = field(default_factory=Problems)
    """Dates it gives that were left out (a year alone, an ambiguous day/month), for the article file's report."""


def read_sidecar(sidecar: Path, *, origin: str) -> Sidecar:
    try:
        with sidecar.open("rb") as file:
            data = file.read(MAX_METADATA_SIZE + 1)
        if len(data) > MAX_METADATA_SIZE:  # bytes, before decoding: a cut UTF-8 character is not the problem
            raise MetadataError(f"{origin}: is over {MAX_METADATA_SIZE // 1024} KB; a sidecar holds a few fields")
        raw = data.decode("utf-8")
        data = load_json(raw) if sidecar.name.endswith(".json") else load_yaml(raw)
    except yaml.YAMLError as error:
        raise MetadataError(f"{origin}: not valid YAML: {yaml_problem(error)}") from error
    except ValueRefusedError as error:
        raise MetadataError(f"{origin}: {error}; a sidecar holds a few fields") from error
    except (OSError, UnicodeDecodeError, ValueError) as error:  # ValueError: json.JSONDecodeError
        raise MetadataError(f"{origin}: cannot be read: {shorten(str(error), 200)}") from error
    if not isinstance(data, dict):
        raise MetadataError(f"{origin}: expected an object of metadata fields")
    dates = DateContext(Problems())
    dates.date_order = take_date_order(data, origin=origin, problems=dates.problems)
    candidates = explicit_candidates(data, origin=origin, source=MetadataSource.SIDECAR, dates=dates)
    return Sidecar(candidates, dates.date_order, dates.problems)
