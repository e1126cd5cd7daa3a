"""qa.filters: one reading of typed filters and one description, for the command line, the chat and answers."""

from __future__ import annotations

import datetime as dt

import pytest

from qa.errors import UsageError
from qa.filters import closest_outlets, describe_filters, filters_from_form, parse_filters, unknown_outlets_note
from qa.models import SearchFilters


def test_typed_values_become_filters_with_bounds_covering_whole_months():
    filters = parse_filters([" Forbes ", "", "Reuters"], "February 2024", "February 2024")
    assert filters == SearchFilters(
        outlets=["Forbes", "Reuters"], since=dt.date(2024, 2, 1), until=dt.date(2024, 2, 29)
    )


def test_blank_values_mean_no_filter():
    assert parse_filters([" "], "", "  ") == SearchFilters()
    assert not parse_filters().active


def test_the_form_and_the_flags_read_the_same_filters():
    assert filters_from_form(" Forbes, The Kyiv Independent ,", "2024-02-01", "") == parse_filters(
        ["Forbes", "The Kyiv Independent"], "2024-02-01", None
    )


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2024-03-01", "2024-02-01", "The date range is empty: since 1 Mar 2024 is after until 1 Feb 2024."),
        ("the day after never", None, "the day after never"),
    ],
)
def test_an_impossible_or_unreadable_range_is_a_usage_error_naming_it(since, until, message):
    with pytest.raises(UsageError) as raised:
        parse_filters([], since, until)
    assert message in str(raised.value)


def test_filters_are_described_in_the_words_of_the_flags():
    filters = parse_filters(["Forbes", "Reuters"], "2024-01-01", "2024-12-31")
    assert describe_filters(filters) == "outlet Forbes or Reuters · since 1 Jan 2024 · until 31 Dec 2024"
    assert describe_filters(SearchFilters(until=dt.date(2024, 2, 29))) == "until 29 Feb 2024"
    assert describe_filters(SearchFilters()) == "none"


KNOWN_OUTLETS = ["The Kyiv Independent", "Le Monde", "Reuters", "Reuters Africa", "Forbes"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Kyiv Indepndent", ["The Kyiv Independent"]),  # a letter off, and without "The"
        ("LE MÖNDE", ["Le Monde"]),  # case and accents folded before comparing
        ("Reuter", ["Reuters", "Reuters Africa"]),  # close first, then names containing it
        ("Kyiv", ["The Kyiv Independent"]),  # part of the name
        ("Nowhere Gazette", []),
        ("Fo", []),  # too little to be part of a name
    ],
)
def test_the_closest_outlets_are_suggested(typed, meant):
    assert closest_outlets(typed, KNOWN_OUTLETS) == meant


def test_the_note_names_each_unknown_outlet_with_its_suggestions():
    assert unknown_outlets_note(["Forbs", "Nowhere"], KNOWN_OUTLETS) == (
        'No outlet "Forbs" in the index; did you mean "Forbes"? '
        'No outlet "Nowhere" in the index (`qa outlets` lists them).'
    )
    assert unknown_outlets_note([], KNOWN_OUTLETS) is None
