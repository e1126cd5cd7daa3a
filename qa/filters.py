"""Search filters as people type them (outlets, date bounds in words) and as answers describe them.

One module for the command line (`--outlet`, `--since`, `--until`), the chat's filter form and the
answer's "no article matches the filters (…)", so the three read and say filters the same way.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from qa.dates import parse_date_bound
from qa.errors import UsageError
from qa.models import SearchFilters, format_date
from qa.store.outlets import outlet_key

SUGGESTED_OUTLETS = 3
"""The most outlet names one "did you mean" offers."""
SIMILAR_ENOUGH = 0.6
"""difflib's ratio a folded outlet name must reach to be suggested (its default: catches a letter or two off)."""
PART_OF_NAME = 3
"""The fewest characters of a typed outlet for suggesting the names it is part of ("Kyiv": "The Kyiv Independent")."""


def parse_filters(outlets: Iterable[str] = (), since: str | None = None, until: str | None = None) -> SearchFilters:
    """Filters from typed values: blank outlets dropped, dates in any form `parse_date_bound` reads.

    A blank date means no bound; an unreadable date, or a range that ends before it starts, raises
    UsageError naming the value.
    """
    since_date = parse_date_bound(since, end=False) if since and since.strip() else None
    until_date = parse_date_bound(until, end=True) if until and until.strip() else None
    if since_date and until_date and since_date > until_date:
        raise UsageError(
            f"The date range is empty: since {format_date(since_date)} is after until {format_date(until_date)}."
        )
    return SearchFilters(
        outlets=[outlet.strip() for outlet in outlets if outlet.strip()], since=since_date, until=until_date
    )


def filters_from_form(outlets: str, since: str, until: str) -> SearchFilters:
    """Filters from three text fields (the chat's form): outlets comma-separated, blank fields unset."""
    return parse_filters(outlets.split(","), since, until)


def describe_filters(filters: SearchFilters) -> str:
    """`outlet Forbes or Reuters · since 1 Jan 2024 · until 31 Dec 2024`, or `none`: as a reader would say them."""
    parts = []
    if filters.outlets:
        parts.append("outlet " + " or ".join(filters.outlets))
    if filters.since:
        parts.append(f"since {format_date(filters.since)}")
    if filters.until:
        parts.append(f"until {format_date(filters.until)}")
    return " · ".join(parts) or "none"


def closest_outlets(wanted: str, known: Iterable[str]) -> list[str]:
    """The outlet names in `known` a person typing `wanted` most likely meant, closest first.

    Names compare folded as filters fold them (`outlet_key`): close spellings by difflib, then names
    that contain what was typed.
    """
    names: dict[str, str] = {}
    for name in known:
        names.setdefault(outlet_key(name), name)
    key = outlet_key(wanted)
    close = difflib.get_close_matches(key, list(names), n=SUGGESTED_OUTLETS, cutoff=SIMILAR_ENOUGH)
    containing = sorted(each for each in names if len(key) >= PART_OF_NAME and key in each) if key else []
    return [names[each] for each in dict.fromkeys(close + containing)][:SUGGESTED_OUTLETS]


def unknown_outlets_note(unmatched: Iterable[str], known: Iterable[str]) -> str | None:
    """`No outlet "Kyiv Indepndent" in the index; did you mean "The Kyiv Independent"?`, one sentence per
    filter outlet that matches none of `known`; None when there are none."""
    known = list(known)
    sentences = []
    for wanted in unmatched:
        suggested = closest_outlets(wanted, known)
        if suggested:
            sentences.append(
                f'No outlet "{wanted}" in the index; did you mean ' + " or ".join(f'"{n}"' for n in suggested) + "?"
            )
        else:
            sentences.append(f'No outlet "{wanted}" in the index (`qa outlets` lists them).')
    return " ".join(sentences) or None
