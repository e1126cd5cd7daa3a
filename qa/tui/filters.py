"""Filters as the user types them (outlets, date bounds) and as the UI shows them. No UI here."""

from __future__ import annotations

from qa.dates import parse_date_bound
from qa.errors import UsageError
from qa.models import SearchFilters, format_date


def filters_from_form(outlets: str, since: str, until: str) -> SearchFilters:
    """Filters from the three text fields of the filter form; raises UsageError naming a bad value."""
    names = [name.strip() for name in outlets.split(",") if name.strip()]
    since_date = parse_date_bound(since, end=False) if since.strip() else None
    until_date = parse_date_bound(until, end=True) if until.strip() else None
    if since_date and until_date and since_date > until_date:
        raise UsageError(f"The range is empty: {format_date(since_date)} is after {format_date(until_date)}.")
    return SearchFilters(outlets=names, since=since_date, until=until_date)


def describe_filters(filters: SearchFilters) -> str:
    """`outlet Forbes or Reuters · from 1 Jan 2024 · to 31 Dec 2024`, or `none`."""
    parts = []
    if filters.outlets:
        parts.append("outlet " + " or ".join(filters.outlets))
    if filters.since:
        parts.append(f"from {format_date(filters.since)}")
    if filters.until:
        parts.append(f"to {format_date(filters.until)}")
    return " · ".join(parts) or "none"
