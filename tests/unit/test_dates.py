"""Partial dates: parsing, showing, and the span a month or year covers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.dates import format_partial_date, parse_partial_date, period_end, year_range

days = st.dates(min_value=dt.date(year_range()[0], 1, 1), max_value=dt.date(year_range()[1], 12, 31))


@given(days)
def test_day_precision_round_trips(day: dt.date) -> None:
    """YYYY-MM-DD parses to that day with day precision."""
    assert parse_partial_date(day.isoformat()) == (day, "day")


@given(days)
def test_month_and_year_take_the_first_day(day: dt.date) -> None:
    """YYYY-MM and YYYY parse to the first day of the period, with their precision."""
    assert parse_partial_date(day.isoformat()[:7]) == (day.replace(day=1), "month")
    assert parse_partial_date(day.isoformat()[:4]) == (dt.date(day.year, 1, 1), "year")


@given(days, st.sampled_from(["day", "month", "year"]))
def test_period_end_contains_the_day(day: dt.date, precision: str) -> None:
    """The period of a partial date starts at or before the day and ends at or after it."""
    first = parse_partial_date({"day": day.isoformat(), "month": day.isoformat()[:7], "year": day.isoformat()[:4]}[precision]).first_day
    assert first <= day <= period_end(first, precision)


@given(st.text(max_size=12))
def test_garbage_is_refused_with_a_reason(text: str) -> None:
    """Any text that is not one of the three forms raises ValueError naming the forms, never another error."""
    try:
        parse_partial_date(text)
    except ValueError as exc:
        assert "date" in str(exc)


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13", "25-09-03", "2025/09/03", "0999", "0001-01-01", "9999-12-31"])
def test_impossible_dates_are_refused(text: str) -> None:
    """Impossible or oddly written dates are refused rather than guessed."""
    with pytest.raises(ValueError):
        parse_partial_date(text)


def test_formatting_shows_no_more_precision_than_known() -> None:
    """A month reads 'Sep 2025', a year '2017', a day '3 Sep 2025'."""
    day = dt.date(2025, 9, 3)
    assert format_partial_date(day.replace(day=1), "month") == "Sep 2025"
    assert format_partial_date(dt.date(2017, 1, 1), "year") == "2017"
    assert format_partial_date(day, "day") == "3 Sep 2025"
    assert period_end(dt.date(2024, 2, 1), "month") == dt.date(2024, 2, 29)


def test_year_range_is_year_1000_to_next_year() -> None:
    """The range every stored date must lie in: from 1000 to the year after today's."""
    assert year_range(dt.date(2026, 12, 1)) == (1000, 2027)
    assert parse_partial_date(f"{dt.date.today().year + 1}-12-31").precision == "day"
    with pytest.raises(ValueError, match="outside the years 1000"):
        parse_partial_date(f"{dt.date.today().year + 2}")
