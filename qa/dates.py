"""Date bounds for filters, from what people type (`2024-02-11`, `February 2024`, `2024`, `last week`), and the
one rule for numeric dates whose day and month could be either, shared with ingest (`qa.ingest.dates`)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from enum import StrEnum

from qa.errors import UsageError

_YEAR = re.compile(r"^\d{4}$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
NUMERIC_DAY_MONTH = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})[/.-](\d{4})(?![\d/.-])")
"""`03/04/2024`, `3.4.2024`, `03-04-2024` (or `03/04-2024`): day and month in an order only the writer knows."""
DATE_ORDER_KEY = "date_order"
"""The field (sidecar, front matter, record) saying how a file's numeric dates read: DMY or MDY."""


class DateOrder(StrEnum):
    """Which comes first in a numeric date such as 03/04/2024: the day (DMY, 3 April) or the month (MDY, 4 March)."""

    DMY = "DMY"
    MDY = "MDY"

    @classmethod
    def parse(cls, value: object) -> DateOrder:
        """`dmy`, ` MDY ` -> a DateOrder; ValueError for anything else (the caller names where it came from)."""
        return cls(str(value).strip().upper())


def both_readings(first: int, second: int, year: int) -> str | None:
    """`3 April or 4 March 2024` when either number could be the day; None when only one reading is a date."""
    if first == second or first > 12 or second > 12 or min(first, second) < 1:
        return None
    return f"{first} {calendar.month_name[second]} or {second} {calendar.month_name[first]} {year}"


def parse_date_bound(text: str, *, end: bool, today: dt.date | None = None) -> dt.date:
    """The first day a bound covers (`end=False`, for --since) or the last (`end=True`, for --until).

    `February 2024` as --until means up to 29 Feb 2024, as --since from 1 Feb 2024; a bare year
    likewise. Relative phrases ("last week", "3 days ago") count back from `today`.
    """
    value = text.strip()
    if not value:
        raise UsageError("An empty date was given; use e.g. 2024-02-11, 'February 2024' or 'last week'.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        pass
    if _YEAR.match(value):
        year = int(value)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if match := _YEAR_MONTH.match(value):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise UsageError(f"Cannot read {value!r} as a date: there is no month {month}.")
        return _month_bound(year, month, end=end)
    if match := NUMERIC_DAY_MONTH.search(value):
        first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if readings := both_readings(first, second, year):  # either could be the day: never guess
            raise UsageError(
                f"{value!r} could be {readings}; write it as {year}-{second:02d}-{first:02d} "
                f"or {year}-{first:02d}-{second:02d}."
            )
    return _natural(value, end=end, today=today or dt.date.today())


def _natural(value: str, *, end: bool, today: dt.date) -> dt.date:
    import dateparser  # slow to import: only when a phrase needs it

    base = dt.datetime.combine(today, dt.time(12))
    settings = {
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DAY_OF_MONTH": "last" if end else "first",
        "PREFER_MONTH_OF_YEAR": "last" if end else "first",
    }
    parsed = dateparser.parse(value, settings=settings)
    if parsed is None:
        raise UsageError(
            f"Cannot read {value!r} as a date. Use an ISO date (2024-02-11), a month "
            "('February 2024'), a year (2024) or a phrase like 'last week'."
        )
    if _names_a_month(value):
        return _month_bound(parsed.year, parsed.month, end=end)
    return parsed.date()


def _names_a_month(value: str) -> bool:
    """'February 2024' names a whole month; 'Feb 11 2024' or 'last week' do not."""
    words = re.findall(r"[A-Za-z]+|\d+", value)
    has_month_name = any(word.lower()[:3] in _MONTH_PREFIXES for word in words if word.isalpha())
    numbers = [word for word in words if word.isdigit()]
    return has_month_name and all(len(number) == 4 for number in numbers)


_MONTH_PREFIXES = {name.lower()[:3] for name in calendar.month_name if name}


def _month_bound(year: int, month: int, *, end: bool) -> dt.date:
    last_day = calendar.monthrange(year, month)[1]
    return dt.date(year, month, last_day if end else 1)
