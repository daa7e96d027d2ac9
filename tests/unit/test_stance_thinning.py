"""The Stances chart draws what is visible: overlapping marks merged (their hover counts them), flat steps dropped."""

from __future__ import annotations

import re

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import charts


def _step_path(x: pd.Series, y: pd.Series) -> list[tuple[object, float]]:
    """The corners of an "hv" step line, with the corners on flat stretches removed: what the eye sees."""
    corners: list[tuple[object, float]] = []
    for i, (xi, yi) in enumerate(zip(x, y, strict=True)):
        if i:
            corners.append((xi, corners[-1][1]))
        corners.append((xi, yi))
    seen: list[tuple[object, float]] = []
    for point in corners:
        if len(seen) >= 2 and seen[-1][1] == seen[-2][1] == point[1]:
            seen[-1] = point  # a horizontal run: keep its ends
        elif not seen or seen[-1] != point:
            seen.append(point)
    return seen


@given(st.lists(st.integers(0, 3), min_size=0, max_size=60))
def test_a_step_line_keeps_its_shape(levels: list[int]) -> None:
    """The points kept draw the same step line as all of them."""
    x = pd.Series(pd.date_range("2020-01-01", periods=len(levels), freq="D"))
    y = pd.Series(levels, dtype="float")
    kept_x, kept_y = charts._line_points(x, y)
    assert _step_path(kept_x, kept_y) == _step_path(x, y)
    assert len(kept_x) <= len(x)


@settings(deadline=None, max_examples=40)  # pandas per example: slow on the shared host
@given(st.lists(st.tuples(st.integers(0, 3650), st.sampled_from([1.0, 2.0, 2.15])), min_size=charts.THIN_FROM, max_size=400))
def test_merged_marks_stand_for_every_mark_once(marks: list[tuple[int, float]]) -> None:
    """Each mark is drawn, or counted in the one drawn at the newest of its column and height; the counts add up."""
    x = pd.Series(pd.Timestamp("2015-01-01") + pd.to_timedelta([d for d, _ in marks], unit="D"))
    y = pd.Series([h for _, h in marks])
    hover = [f"mark {i}" for i in range(len(marks))]
    columns = charts._columns([x])
    mx, my, mhover, symbols, merged = charts._merged(x, y, hover, ["circle"] * len(marks), columns, "reaffirmed statements")
    counts = [int(m.group(1)) if (m := re.match(r"<b>(\d+) reaffirmed statements</b>", h)) else 1 for h in mhover]
    assert sum(counts) == len(marks)
    assert merged == (len(mx) < len(marks))
    column = ((x - columns.start) // columns.width).astype("int64")
    for xi, yi in zip(mx, my, strict=True):  # each drawn mark is the newest of its column and height
        assert xi == x[(column == (xi - columns.start) // columns.width) & (y.round(3) == yi)].max()
    assert len(symbols) == len(mx)


def test_a_small_record_is_drawn_mark_by_mark() -> None:
    """Under THIN_FROM marks nothing is merged, however close."""
    x = pd.Series(pd.to_datetime(["2020-01-01"] * 5))
    columns = charts._columns([x])
    assert charts._merged(x, pd.Series([1.0] * 5), list("abcde"), ["circle"] * 5, columns, "x")[4] is False
