"""Partial dates: analysts and sources give a year, a month or a day.

A partial date is stored as its first day plus a precision, so that sorting and
range filters work in SQL while charts can still show "Dec 2017" as a month.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


class PartialDate(NamedTuple):
    """First day of the period and how precise the source was: 'day', 'month' or 'year'."""

    first_day: dt.date
    precision: str


def parse_partial_date(text: str) -> PartialDate:
    """Parse YYYY, YYYY-MM or YYYY-MM-DD; raise ValueError with a reason an analyst can act on."""
    cleaned = text.strip()
    match = _PATTERN.fullmatch(cleaned)
    if not match:
        raise ValueError(f"'{text}' is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        first = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise ValueError(f"'{text}' is not a real date ({exc})") from None
    if first.year < 1000:
        raise ValueError(f"'{text}' is before the year 1000")
    precision = "day" if day else "month" if month else "year"
    return PartialDate(first, precision)


def format_partial_date(day: dt.date, precision: str) -> str:
    """Show a date no more precisely than it is known: '2025', 'Sep 2025' or '3 Sep 2025'."""
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return day.strftime("%b %Y")
    return f"{day.day} {day.strftime('%b %Y')}"


def period_end(day: dt.date, precision: str) -> dt.date:
    """Last day of the period a partial date stands for (charts draw month items as spans)."""
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        following = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return day
