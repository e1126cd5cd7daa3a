"""Read publication dates in the forms news uses, keeping the time and zone when the source gives them.

ISO 8601 and RFC 2822 are parsed exactly by the standard library; everything else ("11 Feb 2024",
"Feb. 11, 2024") goes to dateparser, which must find a day, a month and a year: a date without a
year ("Feb. 11") is not a date we may cite, so it is never completed from today's date.

Numbers are never turned into dates by accident: an 8-digit number is YYYYMMDD, a 4-digit one only
a year (not a citable date), and any other is Unix time only within PLAUSIBLE_FROM..now, recorded
as such. A numeric day and month that could be either ("03/04/2024") are read only with a
DateOrder hint, otherwise left unknown with a reason (the rule and DateOrder live in `qa.dates`, shared with the
filters people type).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass

from qa.dates import NUMERIC_DAY_MONTH, DateOrder, both_readings  # DateOrder: also imported from here

_TIME = re.compile(r"\d{1,2}:\d{2}")
_HAS_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_EPOCH_MS_FROM = 10**11
"""A Unix timestamp above this counts milliseconds (10**11 seconds is the year 5138)."""
PLAUSIBLE_FROM = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
"""The earliest Unix time read as a publication date: news exports with Unix times start with the web;
a smaller number (2024, 20240211 as seconds) is a year or a date misread, never 1970."""
PLAUSIBLE_AHEAD = dt.timedelta(days=2)
"""How far after now a Unix time may be (time zones, clocks); later is no publication date."""
_SIMPLE_TIME = re.compile(r"(?:T|\s+)(\d{1,2}:\d{2}(?::\d{2})?)(?!\d)")
"""A time of day right after a numeric date, kept only when nothing (no zone) follows it."""
_DATEPARSER_SETTINGS = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_TIME_AS_PERIOD": False,
}


@dataclass(frozen=True)
class NewsDate:
    """A parsed date; `moment` is set only when the source gave a time of day."""

    day: dt.date
    moment: dt.datetime | None = None
    read_as: str | None = None
    """How a number or a numeric date was read (`Unix time in seconds`, `YYYYMMDD`, `day first`), for the provenance."""


@dataclass(frozen=True)
class DateProblem:
    """Why a value holds no date we may cite, and what would make it one."""

    reason: str
    """`is only a year, not a full date`, `could be 3 April or 4 March 2024`."""
    hint: str | None = None
    """What to do, when it is not simply fixing the value."""

    def __str__(self) -> str:
        return self.reason


AMBIGUOUS_HINT = "say which: qa add --date-order DMY or MDY, or date_order in a sidecar or the record"
YEAR_ONLY = "is only a year, not a full date"
"""Why `2024` is no date qa cites: an article's day is unknown, and a year is never read as Unix time."""


def names_a_date(text: str) -> bool:
    """Whether a line gives a date, read or not: a full date, or a numeric one only an order hint settles
    ("Published 03/04/2024" is a dateline, never an outlet's label or a headline)."""
    found = read_news_date(text)
    return isinstance(found, NewsDate) or found.hint is not None


def parse_news_date(value: object, *, order: DateOrder | None = None) -> NewsDate | None:
    """The date in a field value or a line of text, or None when it holds no full date."""
    found = read_news_date(value, order=order)
    return found if isinstance(found, NewsDate) else None


def read_news_date(value: object, *, order: DateOrder | None = None) -> NewsDate | DateProblem:
    """The date in a field value or a line of text, or why it holds none (`is only a year`)."""
    if isinstance(value, dt.datetime):
        return NewsDate(value.date(), value)
    if isinstance(value, dt.date):
        return NewsDate(value)
    if isinstance(value, bool):
        return DateProblem("is not a date")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return _from_integer(value)
    if isinstance(value, float):
        return _from_epoch(value)
    if not isinstance(value, str):
        return DateProblem("is not a date")
    text = " ".join(value.split())
    if not text or len(text) > 80:
        return DateProblem("is not a full date")
    if text.isascii() and text.isdigit():
        return _from_integer(int(text))
    if re.fullmatch(r"\d{9,13}\.\d+", text):
        return _from_epoch(float(text))
    numeric = NUMERIC_DAY_MONTH.search(text)
    if numeric is not None:
        return _day_month(numeric, text, order)
    return _iso(text) or _rfc2822(text) or _natural(text) or DateProblem("is not a full date")


def _from_integer(number: int) -> NewsDate | DateProblem:
    """YYYYMMDD for 8 digits; a year alone is no date; otherwise Unix time, if plausible."""
    if 1000 <= number <= 9999:
        return DateProblem(YEAR_ONLY)
    if 10_000_000 <= number <= 99_999_999:
        try:
            return NewsDate(dt.date(number // 10_000, number // 100 % 100, number % 100), read_as="YYYYMMDD")
        except ValueError:
            return DateProblem("is an 8-digit number but no YYYYMMDD date")
    return _from_epoch(number)


def _from_epoch(seconds: float) -> NewsDate | DateProblem:
    unit = "seconds"
    if seconds > _EPOCH_MS_FROM:
        seconds, unit = seconds / 1000, "milliseconds"
    try:
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        moment = None
    now = dt.datetime.now(dt.UTC)
    if moment is None or not PLAUSIBLE_FROM <= moment <= now + PLAUSIBLE_AHEAD:
        return DateProblem(f"is a number but no Unix time between {PLAUSIBLE_FROM.year} and now")
    return NewsDate(moment.date(), moment, read_as=f"Unix time in {unit}")


def _day_month(match: re.Match[str], text: str, order: DateOrder | None) -> NewsDate | DateProblem:
    """`03/04/2024`: read only when the order is given or only one reading is a date (13/04/2024, 04/04/2024)."""
    first, second, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    readings = both_readings(first, second, year)
    if readings is None:
        day, month, read_as = (first, second, None) if first > 12 or first == second else (second, first, None)
    elif order is None:
        return DateProblem(f"could be {readings}", hint=AMBIGUOUS_HINT)
    elif order is DateOrder.DMY:
        day, month, read_as = first, second, "day first (DMY)"
    else:
        day, month, read_as = second, first, "month first (MDY)"
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        return DateProblem("is not a valid date")
    time = _SIMPLE_TIME.match(text, match.end())
    if time is None or text[time.end() :].strip():  # a zone or more words after the time: the day alone is sure
        return NewsDate(day_value, read_as=read_as)
    hour, minute, *second = (int(part) for part in time.group(1).split(":"))
    try:
        moment = dt.datetime.combine(day_value, dt.time(hour, minute, *second))
    except ValueError:
        return NewsDate(day_value, read_as=read_as)
    return NewsDate(day_value, moment, read_as=read_as)


def _iso(text: str) -> NewsDate | None:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return NewsDate(dt.date.fromisoformat(text))
        if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
            return None
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return NewsDate(moment.date(), moment)


def _rfc2822(text: str) -> NewsDate | None:
    if not re.search(r"\d{1,2} [A-Za-z]{3} \d{4} \d{1,2}:\d{2}", text):
        return None
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return NewsDate(moment.date(), moment)


def _natural(text: str) -> NewsDate | None:
    if not _HAS_YEAR.search(text) or not re.search(r"[A-Za-z]{3}|\d[-/.]\d", text):
        return None
    import dateparser  # slow to import; only free-form dates need it

    moment = dateparser.parse(text, languages=["en"], settings=_DATEPARSER_SETTINGS)
    if moment is None:
        return None
    if moment.tzinfo is not None:  # a fixed offset, so the value stores and compares plainly
        moment = moment.astimezone(dt.timezone(moment.utcoffset() or dt.timedelta()))
    return NewsDate(moment.date(), moment if _TIME.search(text) else None)
