"""Date bounds for --since / --until: ISO, months, years and relative phrases."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.dates import parse_date_bound
from qa.errors import UsageError

TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("2024-02-11", dt.date(2024, 2, 11), dt.date(2024, 2, 11)),
        ("2024-02-11T09:00:00+02:00", dt.date(2024, 2, 11), dt.date(2024, 2, 11)),
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("February 2024", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("Feb 2023", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("Feb. 11, 2024", dt.date(2024, 2, 11), dt.date(2024, 2, 11)),
        ("11 Feb 2024", dt.date(2024, 2, 11), dt.date(2024, 2, 11)),
        ("last week", dt.date(2026, 11, 16), dt.date(2026, 11, 16)),
        ("3 days ago", dt.date(2026, 11, 20), dt.date(2026, 11, 20)),
    ],
)
def test_bounds(text, since, until):
    assert parse_date_bound(text, end=False, today=TODAY) == since
    assert parse_date_bound(text, end=True, today=TODAY) == until


@pytest.mark.parametrize("text", ["not a date", "2024-13", "", "   "])
def test_unreadable_dates_are_usage_errors_naming_the_value(text):
    with pytest.raises(UsageError) as error:
        parse_date_bound(text, end=False, today=TODAY)
    if text.strip():
        assert repr(text.strip()) in str(error.value)


@pytest.mark.parametrize("text", ["03/04/2024", "3.4.2024", "03-04-2024"])
def test_an_ambiguous_numeric_day_and_month_is_refused_with_both_readings(text):
    with pytest.raises(UsageError, match="could be 3 April or 4 March 2024; write it as 2024-04-03 or 2024-03-04"):
        parse_date_bound(text, end=False, today=TODAY)


@pytest.mark.parametrize("text,day", [("13/04/2024", dt.date(2024, 4, 13)), ("04/04/2024", dt.date(2024, 4, 4))])
def test_a_numeric_date_with_only_one_reading_is_read(text, day):
    assert parse_date_bound(text, end=False, today=TODAY) == day


@pytest.mark.parametrize("text", ["03/04/2024", "3.4.2024", "03-04-2024", "13/04/2024", "0/04/2024", "03/04-2024"])
def test_filters_and_ingest_share_one_day_month_rule(text):
    """A date the filter refuses as ambiguous is the one ingest leaves undated, in the same words (review 15)."""
    from qa.ingest.dates import DateProblem, read_news_date

    found = read_news_date(text)
    ambiguous = isinstance(found, DateProblem) and found.hint is not None
    try:
        parse_date_bound(text, end=False, today=TODAY)
        refused = None
    except UsageError as error:
        refused = str(error)
    assert ambiguous == (refused is not None and "could be" in refused)
    if ambiguous:
        assert f"{found.reason};" in refused
