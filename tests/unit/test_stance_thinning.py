"""The Stances chart draws what is visible: overlapping marks merged (their hover counts them), flat steps dropped."""

from __future__ import annotations

import re

import numpy as np
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
    columns = charts._Columns(x.min(), (x.max() - x.min()) / 40 + pd.Timedelta(seconds=1), True)
    mx, my, mhover, symbols, counts = charts._merged(x, y, hover, ["circle"] * len(marks), columns, "reaffirmed statements")
    said = [int(m.group(1)) if (m := re.match(r"<b>(\d+) reaffirmed statements</b>", h)) else 1 for h in mhover]
    assert said == counts and sum(counts) == len(marks)
    column = ((x - columns.start) // columns.width).astype("int64")
    for xi, yi in zip(mx, my, strict=True):  # each drawn mark is the newest of its column and height
        assert xi == x[(column == (xi - columns.start) // columns.width) & (y.round(3) == yi)].max()
    assert len(symbols) == len(mx)


def test_a_small_record_is_drawn_mark_by_mark() -> None:
    """Under THIN_FROM marks nothing is merged, however close."""
    rows, claims = _record(days=[0] * 5, continuity=["reaffirmed"] * 5)
    columns = charts._columns(rows, claims)
    assert not columns.active
    x = pd.Series(pd.to_datetime(["2020-01-01"] * 5))
    assert charts._merged(x, pd.Series([1.0] * 5), list("abcde"), ["circle"] * 5, columns, "x")[4] == [1] * 5


POSITIONS = pd.DataFrame({"ordinal": [-1, 0, 1], "label": ["Against", "Undecided", "In favour"]})


def _record(days: list[int], continuity: list[str], series: list[str] | None = None, ordinals: list[int] | None = None,
            claim_days: tuple[int, ...] = (), claim_status: tuple[str, ...] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Judged rows (lib.stances.stance.judged) and reported shifts on topic T, as the chart takes them."""
    n = len(days)
    stated = pd.Timestamp("2025-01-01") + pd.to_timedelta(days, unit="D")
    rows = pd.DataFrame({
        "series_actor_id": series or ["A"] * n, "topic_id": "T", "statement_id": [f"s{i}" for i in range(n)],
        "actor_id": series or ["A"] * n, "stated_on": stated, "date_precision": "day", "period_end": stated,
        "position_code": "x", "position_label": "a position", "ordinal": ordinals or [1] * n, "self_declared": False,
        "own_continuity": continuity, "quote": [f"quote {i} " + "word " * 80 for i in range(n)], "source_id": "S",
        "grade": "B", "continuity": continuity,
    })
    claimed = pd.Timestamp("2025-01-01") + pd.to_timedelta(list(claim_days), unit="D")
    claims = pd.DataFrame({
        "series_actor_id": "A", "topic_id": "T", "claim_id": [f"c{i}" for i in range(len(claim_days))], "claimed_on": claimed,
        "date_precision": "day", "claim_end": claimed, "text": "a claim", "source_id": "S", "status": list(claim_status),
        "asserted_position_code": None,
    })
    return rows, claims


def _drawn(fig, name: str) -> list[int]:
    """How many statements or claims each mark of the named trace stands for, read from its hover as the analyst does."""
    trace = next(t for t in fig.data if t.name == name and t.mode == "markers")
    return [int(m.group(1)) if (m := re.match(r"<b>(\d+) ", h)) else 1 for h in trace.hovertext]


def test_a_large_record_keeps_shifts_reaffirmations_and_divergent_voices_within_the_mark_budget() -> None:
    """3,000 statements and 600 claims over a year (the 10M store's shape: most voices divergent) draw at most
    MARK_BUDGET marks; every statement and claim is counted once; each shift, the reaffirmations and the divergent
    voices keep their own marks at their own positions, and claims of each status their own row of the claims lane."""
    rng = np.random.default_rng(7)
    n = 3000
    continuity = rng.choice(["divergent", "reaffirmed", "shifted"], n, p=[0.85, 0.149, 0.001]).tolist()
    continuity[100], continuity[2900] = "shifted", "shifted"
    series = rng.choice(["A", "B", "C"], n).tolist()
    ordinals = rng.choice([-1, 0, 1], n).tolist()
    rows, claims = _record(sorted(rng.integers(0, 365, n).tolist()), continuity, series, ordinals,
                           tuple(rng.integers(0, 365, 600).tolist()), tuple(rng.choice(list(charts.CLAIM_ROWS), 600).tolist()))
    fig = charts.stance_figure(rows, claims, {"T": POSITIONS}, ["A", "B", "C"], {}, "Stances", "all dates", "footer")
    marks = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(t.x) for t in marks) <= charts.MARK_BUDGET
    for label in ("divergent", "reaffirmed", "shifted"):
        assert sum(_drawn(fig, label)) == continuity.count(label)
    for status in charts.CLAIM_ROWS:
        assert sum(_drawn(fig, f"claim {status}")) == claims.status.eq(status).sum()
        assert set(next(t for t in marks if t.name == f"claim {status}").y) == {2 + charts.CLAIM_ROWS[status]}
    shifted = next(t for t in marks if t.name == "shifted")
    assert {pd.Timestamp(x) for x in shifted.x} >= {rows.stated_on[100], rows.stated_on[2900]}  # each shift where it was
    assert set(np.round(next(t for t in marks if t.name == "divergent").y)) == {-1, 0, 1}  # at the voices' positions
    assert "A larger mark stands for several" in fig.layout.title.subtitle.text
    assert max(len(h) for t in marks for h in t.hovertext) < 700  # quotes shortened: the payload was mostly hover text
    assert len(fig.to_json()) < 250_000


@settings(deadline=None, max_examples=25)
@given(st.integers(charts.THIN_FROM, 1500), st.integers(1, 4000), st.integers(0, 2**31))
def test_the_columns_are_the_finest_that_fit_the_budget(n: int, span: int, seed: int) -> None:
    """The chosen columns keep the merged marks within MARK_BUDGET, and the next finer choice would not have."""
    rng = np.random.default_rng(seed)
    rows, claims = _record(rng.integers(0, span, n).tolist(), rng.choice(["divergent", "reaffirmed"], n).tolist(),
                           rng.choice(["A", "B"], n).tolist(), rng.choice([-1, 0, 1], n).tolist())
    columns = charts._columns(rows, claims)
    x = rows.stated_on

    def marks(width: pd.Timedelta) -> int:
        return len(rows.assign(c=((x - x.min()) // width)).drop_duplicates(["series_actor_id", "continuity", "ordinal", "c"]))

    assert columns.active and marks(columns.width) <= charts.MARK_BUDGET
    widths = [max((x.max() - x.min()) / c, pd.Timedelta(seconds=1)) for c in charts.COLUMN_CHOICES]
    finer = [w for w in widths if w < columns.width]
    if finer:
        assert marks(max(finer)) > charts.MARK_BUDGET
