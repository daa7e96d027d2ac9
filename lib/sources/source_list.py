"""Which part of the Sources list a run draws: an order, a search by name, and one page of it.

At 10M events the store has 10,000 sources, and drawing them all on every run
(a 10,000-point chart, a 10,000-row table and a 10,000-option picker) made a
later open of the page take 6 s in the browser (bench/RESULTS.md). An analyst
reads the top of the list, or looks one source up by name; the page draws a
page of ``PAGE_SIZE`` rows in the chosen order and says which part it shows.
The exports (CSV, XLSX, the chart's files) still carry the whole list.
"""

from __future__ import annotations

import math

import pandas as pd

PAGE_SIZE = 50
"""Sources a run draws in the chart, the table and the picker."""

ORDERS: dict[str, tuple[str, str, list[str], list[bool]]] = {
    "claims": ("most claims", "with most claims", ["claims", "name"], [False, True]),
    "judged": ("most judged claims", "with most judged claims", ["judged", "claims", "name"], [False, False, True]),
    "best": ("highest estimate", "with the highest estimate", ["mean", "judged", "name"], [False, False, True]),
    "worst": ("lowest estimate", "with the lowest estimate", ["mean", "judged", "name"], [True, False, True]),
    "name": ("name", "by name", ["name"], [True]),
}
"""The orders the page offers: key -> (label, words for the note, columns of ``reliability.track_records``, ascending)."""


def ordered(records: pd.DataFrame, order: str) -> pd.DataFrame:
    """``records`` in one of ``ORDERS`` (an unknown key is refused: it names the columns sorted on)."""
    _, _, columns, ascending = ORDERS[order]
    return records.sort_values(columns, ascending=ascending, kind="stable")


def matching(records: pd.DataFrame, text: str) -> pd.DataFrame:
    """The rows whose name contains ``text`` (any case, taken literally: not a pattern); all when it is blank."""
    text = text.strip()
    return records[records.name.str.contains(text, case=False, regex=False, na=False)] if text else records


def page_count(rows: int, size: int = PAGE_SIZE) -> int:
    """Pages of ``size`` rows needed for ``rows`` (one, even when empty)."""
    return max(1, math.ceil(rows / size))


def page(records: pd.DataFrame, number: int, size: int = PAGE_SIZE) -> pd.DataFrame:
    """Page ``number`` (from 1; clamped to the pages there are) of ``records``."""
    number = min(max(1, number), page_count(len(records), size))
    return records.iloc[(number - 1) * size:number * size]


def shown_note(shown: int, first: int, matched: int, total: int, order: str, text: str = "") -> str:
    """What part of the list is drawn, in words: 'The 50 sources with most claims, of 10,000.'

    ``first`` is the position (from 1) of the first row drawn among the ``matched`` rows (those the search
    ``text`` finds); ``total`` counts the list before the search. The words are plain text, the search is the
    user's: show them with st.text or escaped.
    """
    text = text.strip()
    where = f" whose name contains “{text}”" if text else ""
    if not shown:
        return f"No source of {total:,}{where}." if text else "No source to list."
    if shown == matched:
        return f"{'All' if matched > 1 else 'The'} {_sources(matched)}{where}, by {ORDERS[order][0]}."
    span = f"The {_sources(shown)} {ORDERS[order][1]}" + (f" from number {first:,} on" if first > 1 else "")
    of = f"{matched:,}{where}, of {total:,} listed" if text else f"{total:,}"
    return f"{span}, of {of}. The CSV, XLSX and chart files hold all {total:,}."


def _sources(count: int) -> str:
    return f"{count:,} source{'s' if count != 1 else ''}"
