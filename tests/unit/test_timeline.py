"""lib/timeline/timeline.py and the timeline chart builders: points or density, precision marks, hover, table, detail."""

from __future__ import annotations

import datetime as dt
import inspect
import json
from dataclasses import replace

import duckdb
import numpy as np
import pandas as pd
import pytest

from lib import catalog, charts, store
from lib.filters import Filters
from lib.timeline import queries, timeline
from tests.conftest import count_calls


def _points(fig) -> dict[str, dict]:
    """Marker traces' items by id: trace name, symbol and hover text."""
    found = {}
    for trace in fig.data:
        if trace.mode != "markers" or trace.customdata is None:
            continue
        symbols = [trace.marker.symbol] * len(trace.x) if isinstance(trace.marker.symbol, str) else list(trace.marker.symbol)
        for (kind, item_id), symbol, text, x in zip(trace.customdata, symbols, trace.text, trace.x, strict=True):
            found[item_id] = {"kind": kind, "trace": trace.name, "symbol": symbol, "hover": text, "x": x}
    return found


def test_chart_draws_each_item_with_kind_shape_and_colour_meaning(seeded: duckdb.DuckDBPyConnection) -> None:
    """Points mode: every item once per lane, statements by continuity, claims by status, shapes by kind."""
    fig = timeline.build_chart(seeded, Filters())
    points = _points(fig)
    assert {"s400-contract", "stmt-msb-no-change", "claim-nefes-buyback"} <= set(points)
    assert points["stmt-msb-no-change"]["trace"] == "statement: reaffirmed"
    assert points["claim-nefes-buyback"]["trace"] == "claim: contradicted"
    assert points["claim-nefes-buyback"]["symbol"] == "triangle-up"  # exact day: filled
    assert points["s400-contract"]["symbol"] == "square-open"  # month precision: open marker
    assert sum(1 for t in fig.data for c in (t.customdata if t.customdata is not None else []) if c[1] == "s400-contract") == 2  # TUR and RUS lanes


def test_month_items_sit_mid_month_with_a_span(seeded: duckdb.DuckDBPyConnection) -> None:
    """'Dec 2017' is drawn mid-December with a bar over the whole month, never on 1 Dec."""
    fig = timeline.build_chart(seeded, Filters(text="contract"))
    x = str(_points(fig)["s400-contract"]["x"])
    assert x.startswith("2017-12-16")
    span = next(t for t in fig.data if t.mode == "lines")
    assert str(span.x[0]).startswith("2017-12-01") and str(span.x[1]).startswith("2018-01-01")


def test_hover_gives_date_precision_actor_source_and_quote(seeded: duckdb.DuckDBPyConnection) -> None:
    """Hover names the precision, the actor, the source, and opens with the quote's first words."""
    hover = _points(timeline.build_chart(seeded, Filters()))["stmt-msb-no-change"]["hover"]
    assert "Sep 2025 (month)" in hover
    assert "Ministry of National Defence" in hover and "News About Turkey" in hover
    assert "The S-400 air defense systems are in our inventory" in hover
    assert "News About Turkey, graded F" in hover  # the derived grade in force: too few judged claims


def test_claim_hover_gives_grade_and_credibility(seeded: duckdb.DuckDBPyConnection) -> None:
    """A claim's hover names its outlet with the grade in force and the claim's credibility (Nefes: F, improbable)."""
    hover = _points(timeline.build_chart(seeded, Filters()))["claim-nefes-buyback"]["hover"]
    assert "Nefes, graded F · credibility 5" in hover


def test_user_text_is_escaped_in_hover(seeded: duckdb.DuckDBPyConnection) -> None:
    """A title with markup shows as typed (escaped), not as HTML."""
    with store.transaction(seeded, "tests", "edit events") as audit:  # audited, so the search index follows
        seeded.execute("update events set title = '<b>bold</b> & co' where event_id = 's400-contract'")
        audit.row("events", "s400-contract", None, {"title": "<b>bold</b> & co"})
    hover = _points(timeline.build_chart(seeded, Filters(text="bold")))["s400-contract"]["hover"]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in hover


def test_lanes_switch_to_source(seeded: duckdb.DuckDBPyConnection) -> None:
    """Lanes by source label the y axis with source names."""
    fig = timeline.build_chart(seeded, Filters(), lane="source")
    lane_names = {a.text for a in fig.layout.annotations if a.yanchor == "top" and a.xref == "paper" and a.x == 0}
    assert lane_names == {"News About Turkey", "Nefes", "RIA Novosti"}  # written in full at the top of each lane
    assert fig.layout.margin.l < 60  # no margin for names: the time axis gets the width
    with pytest.raises(ValueError):
        timeline.build_chart(seeded, Filters(), lane="nonsense")


def test_density_above_the_point_limit_and_back(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the limit the chart shows counts and says so; a narrower range returns to single items."""
    monkeypatch.setattr(timeline, "POINT_LIMIT", 4)
    fig = timeline.build_chart(seeded, Filters())
    assert fig.layout.title.text.startswith("Timeline density")
    assert any("items in range: showing counts per month" in a.text for a in fig.layout.annotations)
    cells, bars = fig.data
    assert (cells.type, bars.type) == ("heatmap", "bar")
    assert np.nansum(np.array(cells.z, dtype=float)) == sum(bars.y) == 13  # per actor lane, an event once per actor
    assert sum(int(t.split("<b>")[1].split("</b>")[0]) for row in cells.hovertext for t in row if t) == 13
    narrow = timeline.build_chart(seeded, Filters(date_from=dt.date(2025, 9, 1), date_to=dt.date(2025, 9, 30)))
    assert narrow.layout.title.text.startswith("Timeline of")


def test_density_is_one_heatmap_of_lanes_under_one_bar_per_period() -> None:
    """Each lane's row holds its counts per period (empty where none), under its name; each bar sums its period's column
    and carries the period's first day for a click; the drawing grows with the periods, never with lanes x periods."""
    counts = pd.DataFrame({
        "lane": ["TUR", "TUR", "TUR", "RUS", "RUS", "(other)"],
        "bucket": pd.to_datetime(["2020-01-01", "2020-02-01", "2020-04-01", "2020-02-01", "2020-03-01", "2020-01-01"]),
        "n": [5, 7, 1, 2, 4, 40], "events": [1, 2, 1, 2, 0, 40], "statements": [4, 5, 0, 0, 4, 0], "claims": [0, 0, 0, 0, 0, 0],
    })
    fig = charts.density_figure(counts, {"TUR": "Turkey", "RUS": "Russia"}, "Actor", "all dates", "footer", "many items",
                                "month", per_lane_events=True)
    assert [t.type for t in fig.data] == ["heatmap", "bar"]
    cells, bars = fig.data
    z = np.array(cells.z, dtype=float)
    assert z.shape == (6, 4)  # three lanes, each a name row and a row of cells; Jan to Apr, March empty for Turkey
    assert np.isnan(z[0::2]).all()  # the name rows are empty
    np.testing.assert_array_equal(z[1], [5, 7, np.nan, 1])  # busiest first
    np.testing.assert_array_equal(z[3], [np.nan, 2, 4, np.nan])
    np.testing.assert_array_equal(z[5], [40, np.nan, np.nan, np.nan])  # '(other)' last, however busy
    assert cells.zmax == 7  # the colours follow the named lanes: '(other)' is darkest, not every named lane pale
    assert [pd.Timestamp(x) for x in cells.x] == list(pd.to_datetime(["2020-01-01", "2020-02-01", "2020-03-01", "2020-04-01", "2020-05-01"]))
    assert all(np.diff(cells.y) > 0)  # row edges in order, lanes top to bottom
    assert list(bars.y) == [45, 9, 4, 1]
    assert [tuple(c) for c in bars.customdata] == [("bucket", "2020-01-01"), ("bucket", "2020-02-01"), ("bucket", "2020-03-01"),
                                                   ("bucket", "2020-04-01")]
    assert bars.width[0] == 31 * 86_400_000 and bars.offset == 0  # each bar spans its month
    assert "Turkey · from 01 Feb 2020: <b>7</b> items" in cells.hovertext[1][1] and "once per actor" in bars.hovertext[0]
    assert timeline.selection_action({"points": [{"customdata": list(bars.customdata[1])}], "box": []}, "month") == (
        "dates", (dt.date(2020, 2, 1), dt.date(2020, 2, 29)))
    names = {a.text for a in fig.layout.annotations}
    assert {"Turkey", "Russia", "(other)"} <= names


def test_density_axis_spans_the_dates_asked_for(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dense items between two dates are drawn on an axis from the first period's start to the last day asked for."""
    monkeypatch.setattr(timeline, "POINT_LIMIT", 2)
    fig = timeline.build_chart(seeded, Filters(date_from=dt.date(2019, 7, 10), date_to=dt.date(2021, 6, 30)))
    assert fig.layout.title.text.startswith("Timeline density")
    start, end = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    first_week = pd.Timestamp(min(fig.data[0].x))
    assert first_week <= pd.Timestamp("2019-07-10") and start < first_week and end > pd.Timestamp("2021-06-30")


def test_text_matches_over_the_limit_turn_to_density(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search whose matches overflow the point limit is drawn as density too (matches are fetched first, then counted)."""
    monkeypatch.setattr(timeline, "POINT_LIMIT", 2)
    assert timeline.build_chart(seeded, Filters(text="S-400")).layout.title.text.startswith("Timeline density")
    assert timeline.build_chart(seeded, Filters(text="caatsa")).layout.title.text.startswith("Timeline of")


@pytest.mark.parametrize(("text", "described"), [("S-400", 0), ("caatsa", 1)])
def test_a_search_scans_once_and_describes_only_what_it_draws(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
                                                               text: str, described: int) -> None:
    """Under the page's cache the search runs its filtered scan once; rows are described only when they are drawn."""
    monkeypatch.setattr(timeline, "POINT_LIMIT", 2)
    newest, described_ = (count_calls(monkeypatch, queries, name) for name in ("timeline_newest", "timeline_described"))
    timeline.build_chart(seeded, Filters(text=text), cache=_page_cache())
    assert len(newest) == 1 and len(described_) == described


def _page_cache():
    """A cache like the page's: each function's result kept by its arguments, lib functions given the same cache."""
    memo: dict[tuple, object] = {}

    def page_cache(func):
        def call(con, *args, **kwargs):
            key = (func.__name__, args, tuple(sorted(kwargs.items())))
            if key not in memo:
                shares = "cache" in inspect.signature(func).parameters
                memo[key] = func(con, *args, **kwargs, cache=page_cache) if shares else func(con, *args, **kwargs)
            return memo[key]
        return call

    return page_cache


def test_dates_holding_every_item_query_as_no_dates(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """The data's full span (or wider) selects every item: its count, rows and density are the opening view's, found in
    the page's cache, while the chart's axis keeps the dates asked for; a day less on either side queries the dates."""
    monkeypatch.setattr(timeline, "POINT_LIMIT", 2)  # density, as at scale
    span = Filters.from_query_params({"range": ["span"]})
    summary = catalog.store_summary(seeded)
    span = span.resolved(summary["first_day"], summary["last_day"], None)
    wider = Filters(date_from=dt.date(1990, 1, 1), date_to=dt.date(2100, 1, 1))
    assert timeline.queried(seeded, span) == timeline.queried(seeded, wider) == Filters()
    for narrower in (replace(span, date_from=summary["first_day"] + dt.timedelta(days=1)),
                     replace(span, date_to=summary["last_day"] - dt.timedelta(days=1)), Filters(date_from=summary["last_day"])):
        assert timeline.queried(seeded, narrower) == narrower
    cache = _page_cache()
    opening = timeline.chart_data(seeded, Filters(), cache=cache)
    timeline.build_table(seeded, Filters(), cache=cache)
    calls = [count_calls(monkeypatch, queries, name) for name in ("timeline_count", "timeline_newest", "timeline_density")]
    shown = timeline.chart_data(seeded, span, cache=cache)
    table = timeline.build_table(seeded, span, cache=cache)
    assert not any(calls)  # every query found in the cache the opening view filled
    assert shown[0] == opening[0] and shown[1].equals(opening[1])
    assert table.equals(timeline.build_table(seeded, Filters()))
    live = queries.timeline_density(seeded, span, "actor", shown[0].bucket, timeline.MAX_LANES)
    assert live.equals(opening[1])  # the same counts as the dates queried
    start, end = (pd.Timestamp(x) for x in timeline.build_chart(seeded, span, cache=cache).layout.xaxis.range)
    assert start < pd.Timestamp(summary["first_day"]) and end > pd.Timestamp(summary["last_day"])


@pytest.mark.parametrize(("days", "bucket"), [(30, "day"), (92, "day"), (93, "week"), (365 * 3, "week"), (3653, "month")])
def test_density_bucket_follows_the_span(days: int, bucket: str) -> None:
    """Days up to three months, weeks up to three years, months beyond."""
    start = dt.date(2020, 1, 1)
    assert timeline.density_bucket(start, start + dt.timedelta(days=days)) == bucket


def test_clicked_bucket_and_box_give_date_ranges() -> None:
    """A clicked week bucket covers seven days, a month to its last day; a box gives its x bounds in order."""
    assert timeline.selection_dates({"customdata": ["bucket", "2024-02-05"]}, "week") == (dt.date(2024, 2, 5), dt.date(2024, 2, 11))
    assert timeline.selection_dates({"customdata": ["bucket", "2024-02-01"]}, "month") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert timeline.selection_dates({"customdata": ["event", "x"]}, None) is None
    assert timeline.box_dates({"x": ["2020-05-01 12:00", "2019-01-01"]}) == (dt.date(2019, 1, 1), dt.date(2020, 5, 1))


def test_empty_filters_give_a_figure_that_says_so(seeded: duckdb.DuckDBPyConnection) -> None:
    """No matching items: a styled figure with a message, not a blank canvas."""
    fig = timeline.build_chart(seeded, Filters(text="nothing matches this"))
    assert any("No items match" in a.text for a in fig.layout.annotations)


def test_table_lists_the_same_items_with_precise_dates(seeded: duckdb.DuckDBPyConnection) -> None:
    """The table has the chart's items, dates no more precise than known, and names not ids."""
    table = timeline.build_table(seeded, Filters(actors=("TUR",)))
    chart_ids = set(_points(timeline.build_chart(seeded, Filters(actors=("TUR",)))))
    assert set(table.item_id) == chart_ids
    row = table.set_index("item_id").loc["stmt-msb-no-change"]
    assert row["date"] == "Sep 2025" and row["actors"] == "Ministry of National Defence" and row["continuity"] == "reaffirmed"
    assert timeline.table_note(seeded, Filters(), 9) == "9 items in range."


def test_table_note_counts_when_the_table_is_full(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """A table cut at its limit says how many items it leaves out."""
    monkeypatch.setattr(timeline, "TABLE_LIMIT", 3)
    assert len(timeline.build_table(seeded, Filters())) == 3
    assert "newest 3 of 9" in timeline.table_note(seeded, Filters(), 3)


def test_item_detail_of_a_claim(seeded: duckdb.DuckDBPyConnection) -> None:
    """A claim's detail has its text, date, source document and evidence chain."""
    detail = timeline.item_detail(seeded, "claim", "claim-nefes-buyback")
    assert detail["when"] == "3 Sep 2025" and detail["actors"] == ["Russia"]
    assert list(detail["documents"].document_id) == ["nefes-2025-09-03"]
    assert len(detail["evidence"]) == 2 and "date" in detail["evidence"].columns
    assert timeline.item_detail(seeded, "claim", "missing") is None


def test_figure_payload_stays_small_at_the_point_limit(seeded: duckdb.DuckDBPyConnection) -> None:
    """The seed chart's JSON is a few kilobytes (the benchmark checks the 2 MB bound at scale)."""
    assert len(json.dumps(timeline.build_chart(seeded, Filters()).to_plotly_json(), default=str)) < 60_000


def test_a_box_narrows_the_dates_even_over_points_and_a_click_opens() -> None:
    """Box select reports the points inside the box too: the box's dates win; a lone click opens its item."""
    point = {"customdata": ["event", "s400-first-delivery"]}
    box = {"x": ["2019-06-01 05:00", "2019-09-30 18:00"], "y": [-0.5, 2.5]}
    assert timeline.selection_action({"points": [point], "box": [box]}, None) == ("dates", (dt.date(2019, 6, 1), dt.date(2019, 9, 30)))
    assert timeline.selection_action({"points": [], "box": [box]}, None) == ("dates", (dt.date(2019, 6, 1), dt.date(2019, 9, 30)))
    assert timeline.selection_action({"points": [point], "box": []}, None) == ("open", ("event", "s400-first-delivery"))
    density_point = {"customdata": ["bucket", "2019-07-01"]}
    assert timeline.selection_action({"points": [density_point], "box": []}, "month") == ("dates", (dt.date(2019, 7, 1), dt.date(2019, 7, 31)))
    assert timeline.selection_action({"points": [], "box": [], "lasso": []}, None) is None


def test_an_empty_stretch_keeps_its_time_axis(seeded: duckdb.DuckDBPyConnection) -> None:
    """A date range with nothing in it says so and keeps the time axis, so another stretch can be box-selected."""
    fig = timeline.build_chart(seeded, Filters(date_from=dt.date(2018, 2, 1), date_to=dt.date(2018, 6, 30)))
    assert any("No items match" in a.text for a in fig.layout.annotations)
    assert fig.layout.xaxis.visible and fig.layout.xaxis.type == "date"
    assert str(fig.layout.xaxis.range[0])[:10] == "2018-02-01"
