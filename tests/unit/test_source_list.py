"""Which part of the Sources list a run draws: order, search by name, pages, and the note that says so."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.sources import source_list


def _records(n: int) -> pd.DataFrame:
    return pd.DataFrame({
        "source_id": [f"s{i}" for i in range(n)], "name": [f"Outlet {i:03d}" for i in range(n)],
        "claims": [n - i for i in range(n)], "judged": [i % 7 for i in range(n)], "mean": [(i % 10) / 10 for i in range(n)],
    })


@settings(deadline=None)  # pandas per example: slow on the shared host
@given(rows=st.integers(0, 400), size=st.integers(1, 60))
def test_pages_cover_every_row_once_in_order(rows: int, size: int) -> None:
    """Page 1, 2, … together are the rows, each once, in their order; a page past the last is the last."""
    records = _records(rows)
    pages = source_list.page_count(rows, size)
    joined = pd.concat([source_list.page(records, n, size) for n in range(1, pages + 1)])
    assert list(joined.source_id) == list(records.source_id)
    assert all(len(source_list.page(records, n, size)) <= size for n in range(1, pages + 1))
    assert list(source_list.page(records, pages + 5, size).source_id) == list(source_list.page(records, pages, size).source_id)


def test_search_is_literal_and_ignores_case() -> None:
    """'outlet 01' finds ten names; a regex character is a character, not a pattern."""
    records = _records(120)
    assert len(source_list.matching(records, " OUTLET 01")) == 10
    assert source_list.matching(records, "Outlet .*").empty
    assert len(source_list.matching(records, "   ")) == 120


@pytest.mark.parametrize(("order", "first"), [("claims", "s0"), ("name", "s0"), ("best", "s19"), ("worst", "s20"), ("judged", "s6")])
def test_orders(order: str, first: str) -> None:
    """Each order puts the expected source first (ties broken as the order's later columns say)."""
    assert source_list.ordered(_records(30), order).source_id.iloc[0] == first


def test_the_note_says_which_part_is_drawn() -> None:
    """The note names how many are drawn, in which order, of how many, and that the files hold them all."""
    assert source_list.shown_note(50, 1, 10_000, 10_000, "judged") == (
        "The 50 sources with most judged claims, of 10,000. The CSV, XLSX and chart files hold all 10,000.")
    assert source_list.shown_note(50, 51, 300, 10_000, "name", "ria") == (
        "The 50 sources by name from number 51 on, of 300 whose name contains “ria”, of 10,000 listed. "
        "The CSV, XLSX and chart files hold all 10,000.")
    assert source_list.shown_note(1, 1, 1, 10_000, "claims", "nef") == "The 1 source whose name contains “nef”, by most claims."
    assert source_list.shown_note(0, 1, 0, 10_000, "claims", "zz") == "No source of 10,000 whose name contains “zz”."
