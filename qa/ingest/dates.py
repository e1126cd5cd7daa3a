"""Read publication dates in the forms news uses, keeping the time and zone when the source gives them.

ISO 8601 and RFC 2822 are parsed exactly by the standard library; everything else ("11 Feb 2024",
"Feb. 11, 2024") goes to dateparser, which must find a day, a month and a year: a date without a
year ("Feb. 11") is not a date we may cite, so it is never completed from today's date.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass

_TIME = re.compile(r"\d{1,2}:\d{2}")
_HAS_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2\d\d\d)(?!\d)")
_EPOCH_MS_FROM = 10**11
"""A Unix timestamp above this counts milliseconds (10**11 seconds is the year 5138)."""
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


def parse_news_date(value: object) -> NewsDate | None:
    """The date in a field value or a line of text, or None when it holds no full date."""
    if isinstance(value, dt.datetime):
        return NewsDate(value.date(), value)
    if isinstance(value, dt.date):
        return NewsDate(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text or len(text) > 80:
        return None
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _from_epoch(float(text))
    return _iso(text) or _rfc2822(text) or _natural(text)


def _from_epoch(seconds: float) -> NewsDate | None:
    if seconds > _EPOCH_MS_FROM:
        seconds /= 1000
    try:
        moment = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None
    return NewsDate(moment.date(), moment)


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
