"""Partial dates: analysts and sources give a year, a month or a day.

A partial date is stored as its first day plus a precision, so that sorting and
range filters work in SQL while charts can still show "Dec 2017" as a month.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

_PATTERN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")

MIN_YEAR = 1000
YEARS_AHEAD = 1
"""Every date the store takes lies in the years MIN_YEAR .. this year + YEARS_AHEAD (curated bundles and event datasets alike).

Year 1 or 9999 is a placeholder or a typo, never an event: taken as data it
stretches every chart's axis over two millennia. One year ahead allows dated
announcements and time-zone edges.
"""


RANGE_RULE = f"before the year {MIN_YEAR} or after next year"


def year_range(today: dt.date | None = None) -> tuple[int, int]:
    """The first and last year a stored date may have, as of ``today``."""
    return MIN_YEAR, (today or dt.date.today()).year + YEARS_AHEAD


def day_range(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day a stored date may have: the bounds of the date filter and its widget too."""
    first, last = year_range(today)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def year_out_of_range_sql(year: str) -> str:
    """SQL that is true when the year expression ``year`` falls outside `year_range` (DuckDB's current_date is today)."""
    return f"{year} not between {MIN_YEAR} and year(current_date) + {YEARS_AHEAD}"


def range_words() -> str:
    """The rule in words, for refusals: 'outside the years 1000–2027'."""
    first, last = year_range()
    return f"outside the years {first}–{last}"


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
    first_year, last_year = year_range()
    if not first_year <= first.year <= last_year:
        raise ValueError(f"'{text}' is {range_words()}")
    precision = "day" if day else "month" if month else "year"
    return PartialDate(first, precision)


def storable(text: str) -> PartialDate | None:
    """The partial date if the store can hold it, else None: for lookups that only ask "is this already stored?"."""
    try:
        return parse_partial_date(text)
    except ValueError:
        return None


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


PERIOD_END: dict[str, str] = {
    "e": "case e.date_precision when 'day' then e.occurred_on when 'month' then last_day(e.occurred_on)"
         " else make_date(year(e.occurred_on), 12, 31) end",
    "s": "case s.date_precision when 'day' then s.stated_on when 'month' then last_day(s.stated_on)"
         " else make_date(year(s.stated_on), 12, 31) end",
    "c": "case c.date_precision when 'day' then c.claimed_on when 'month' then last_day(c.claimed_on)"
         " else make_date(year(c.claimed_on), 12, 31) end",
}
"""The last day of an item's period (its day, month or year by ``date_precision``) as SQL, per table alias:
``e`` events, ``s`` statements, ``c`` claims. The Timeline and the Stances' series compare items by it."""
