"""The Timeline page's logic without streamlit: which items, drawn as points or as density, and their detail.

The page, the CLI export and the brief all call :func:`build_chart` and
:func:`build_table`, so an exported timeline is the one on screen. Every query
runs in DuckDB; Python only shapes the few thousand rows (or the counts) that
come back. ``cache`` lets the page wrap each query in ``ui.cached`` (keyed on
the filters and the store's data version) while this module stays free of streamlit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import duckdb
import pandas as pd
import plotly.graph_objects as go

from lib import catalog, charts
from lib.caching import Cache, direct
from lib.dates import format_partial_date
from lib.filters import Filters
from lib.sources import claim_status, reliability
from lib.timeline import queries

POINT_LIMIT = 3000
"""Above this many items in range the chart draws density instead of single items."""
TABLE_LIMIT = 2000
"""The table lists at most this many items (the newest), and says so."""
MAX_LANES = 15
LANES: dict[str, str] = {"actor": "Actor", "topic": "Topic", "source": "Source", "kind": "Item kind"}

@dataclass(frozen=True)
class Density:
    """Why and how the chart shows counts: items in range, the bucket size, and the sentence that says so."""

    items: int
    bucket: str

    def sentence(self) -> str:
        """What the analyst reads on the chart."""
        return (f"{self.items:,} items in range: showing counts per {self.bucket}.\n"
                f"Narrow the dates (box-select, or click a period) below {POINT_LIMIT:,} items to see each one.")


_HALF_BUCKET = {"day": 1, "week": 4, "month": 15}


def density_bucket(start: dt.date, end: dt.date) -> str:
    """Bucket for a span: days up to three months, weeks up to three years, months beyond."""
    days = (end - start).days
    return "day" if days <= 92 else "week" if days <= 3 * 366 else "month"


def date_span(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> tuple[dt.date, dt.date] | None:
    """The span the chart covers: the filter's dates, completed from the store's first and last dated item."""
    summary = cache(catalog.store_summary)(con)
    first, last = summary["first_day"], summary["last_day"]
    if first is None and not filters.date_from:
        return None
    return (filters.date_from or first or filters.date_to, filters.date_to or last or filters.date_from)


def queried(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> Filters:
    """The filters the Timeline's queries run under: dates that hold every dated item in the store are left out.

    An item is in range when its period overlaps the dates, and every item's period starts within the store's first
    and last day (``catalog.store_summary``), so dates from on or before the first to on or after the last select
    every item: the data's full span (the 'span' preset) is the opening view's count, rows and density, which the
    first load has computed and cached, and which read the kept ``timeline_actor_months`` rather than grouping
    every item in range (the full span's first change took 2.2-2.9 s of server run at 10M events). The chart's axis,
    subtitle and bucket still follow the dates asked for.
    """
    if not (filters.date_from or filters.date_to):
        return filters
    summary = cache(catalog.store_summary)(con)
    first, last = summary["first_day"], summary["last_day"]
    if first is None or (filters.date_from and filters.date_from > first) or (filters.date_to and filters.date_to < last):
        return filters
    return replace(filters, preset=Filters().preset, date_from=None, date_to=None)


def chart_mode(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> Density | None:
    """None when the items in range are few enough to draw one by one, else how to draw their density."""
    total = sum(cache(queries.timeline_count)(con, queried(con, filters, cache)).values())
    if total <= POINT_LIMIT:
        return None
    span = date_span(con, filters, cache)
    return Density(total, density_bucket(*span) if span else "month")


def chart_data(con: duckdb.DuckDBPyConnection, filters: Filters, lane: str = "actor",
               cache: Cache = direct, lane_count: int = MAX_LANES) -> tuple[Density | None, pd.DataFrame]:
    """What the chart needs from the store: (None, the items) or (how to draw density, the counts in ``lane_count`` lanes)."""
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}: use one of {', '.join(LANES)}")
    # counting text matches costs a full scan, as much as finding the newest: find one more than the
    # chart draws, describe them only when they fit (the table reuses the cached rows), and count only
    # when they overflow
    if filters.text and len(cache(queries.timeline_newest)(con, queried(con, filters, cache), POINT_LIMIT + 1)) <= POINT_LIMIT:
        return None, graded_items(con, filters, cache)
    density = chart_mode(con, filters, cache)
    if density:
        return density, cache(queries.timeline_density)(con, queried(con, filters, cache), lane, density.bucket, lane_count)
    return None, graded_items(con, filters, cache)


def graded_items(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> pd.DataFrame:
    """The chart's items with each source's grade in force and, for a claim, its credibility: 'F · credibility 5'.

    The grades are those of the whole store's track records (lib.sources.reliability), for the sources of these
    rows only; credibility is looked up for the claims shown only.
    """
    items = cache(queries.timeline_items)(con, queried(con, filters, cache), POINT_LIMIT + 1)
    grades = reliability.grades_of(con, sorted(items.source_id.dropna().unique()))
    claims = items.item_id[items.kind == "claim"]
    claim_credibility = items.item_id.where(items.kind == "claim").map(claim_status.claim_credibility(con, list(claims)))
    grade = items.source_id.map(grades)
    return items.assign(grade=[
        None if not isinstance(g, str) else g + (f" · credibility {int(c)}" if pd.notna(c) else "")
        for g, c in zip(grade, claim_credibility, strict=True)
    ])


def build_chart(con: duckdb.DuckDBPyConnection, filters: Filters, lane: str = "actor", cache: Cache = direct,
                lane_count: int = MAX_LANES) -> go.Figure:
    """The timeline under these filters: one marker per item, or counts per lane and period above POINT_LIMIT items.

    ``lane_count`` lanes are named (the busiest); the rest are gathered as '(other)'.
    """
    density, data = chart_data(con, filters, lane, cache, lane_count)
    names = cache(catalog.names)(con)
    subtitle = filters.describe(names)
    if density:
        # counting the distinct sources in range would cost another pass over every item: name the store's sources
        footer = charts.source_line(int(data.n.sum()), int(cache(catalog.store_summary)(con)["sources"]), catalog.data_as_of(con))
        fig = charts.density_figure(data, names, LANES[lane], subtitle, footer, density.sentence(), density.bucket,
                                    per_lane_events=lane == "actor")
        if filters.date_from and filters.date_to and len(data):
            # the range asked for, from the first period's start (a week or month may begin before it), half a period aside
            pad = dt.timedelta(days=_HALF_BUCKET[density.bucket])
            start = min(filters.date_from, pd.to_datetime(data.bucket).min().date())
            fig.update_xaxes(range=[start - pad, filters.date_to + pad])
        return fig
    footer = charts.source_line(len(data), int(data.source_id.nunique()) if len(data) else 0, catalog.data_as_of(con),
                                charts.source_names(data.source_name) if len(data) else ())
    fig = charts.timeline_figure(lane_rows(data, lane, lane_count), names, LANES[lane], subtitle, footer)
    if filters.date_from and filters.date_to:
        # the axis shows the range asked for, so an empty stretch reads as "nothing happened", not as cropped;
        # with nothing in it the time axis stays, so the analyst can box-select another stretch
        fig.update_xaxes(range=[filters.date_from, filters.date_to + dt.timedelta(days=1)], type="date", visible=True,
                         title_text="Date")
        if not len(data):  # plotly offers box select only over a trace: an invisible one spans the range
            fig.add_trace(go.Scatter(x=[filters.date_from, filters.date_to], y=[0, 0], mode="markers", marker_opacity=0,
                                     hoverinfo="skip", showlegend=False))
    return fig


def lane_rows(items: pd.DataFrame, lane: str, lane_count: int = MAX_LANES) -> pd.DataFrame:
    """One row per item and lane it belongs to: an event with two actors sits in both actors' lanes.

    Adds 'lane' (an id, '(none)', or '(other)' beyond the ``lane_count`` busiest) to the
    columns of ``queries.timeline_items``.
    """
    if lane == "actor":
        rows = items.assign(lane=[list(a) if len(a) else ["(none)"] for a in items.actor_ids]).explode("lane")
    else:
        rows = items.assign(lane=items[{"topic": "topic_id", "source": "source_id", "kind": "kind"}[lane]].fillna("(none)"))
    busiest = rows.lane.value_counts().index[:lane_count]
    rows["lane"] = rows.lane.where(rows.lane.isin(busiest), "(other)")
    return rows.reset_index(drop=True)


def build_table(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> pd.DataFrame:
    """The filtered items as the page lists them (newest first, at most TABLE_LIMIT), ready to show and download.

    Columns: date (as precise as known), kind, title (an event's title, a statement's quote, a claim's
    text: what the analyst reads, not 'claim' or the position code), position (a statement's position),
    actors, topic, source, grade, continuity, claim status, description (an event's), item_id.
    """
    items = graded_items(con, filters, cache).head(TABLE_LIMIT)  # the chart's cached rows
    names = cache(catalog.names)(con)
    worded = (items.kind != "event") & items.text.notna() & (items.text.fillna("") != "")
    return pd.DataFrame({
        "date": [format_partial_date(d, p) for d, p in zip(items.dated, items.date_precision, strict=True)],
        "kind": items.kind,
        "title": items.text.where(worded, items.title),
        "position": items.title.where(items.kind == "statement", ""),
        "actors": [", ".join(names.get(a, a) for a in ids) for ids in items.actor_ids],
        "topic": [names.get(t, t) if isinstance(t, str) else "" for t in items.topic_id],
        "source": items.source_name.fillna(""),
        "grade": items.grade.fillna(""),
        "continuity": items.continuity.fillna(""),
        "claim status": items.status.fillna(""),
        "description": items.text.where(items.kind == "event", "").fillna(""),
        "item_id": items.item_id,
    })


def table_note(con: duckdb.DuckDBPyConnection, filters: Filters, shown: int, cache: Cache = direct) -> str:
    """One line under the table: how many items it lists of how many in range (counted only when it shows fewer)."""
    total = shown if shown < TABLE_LIMIT else sum(cache(queries.timeline_count)(con, queried(con, filters, cache)).values())
    if shown < total:
        return f"Showing the newest {shown:,} of {total:,} items in range; narrow the filters to list the rest."
    return f"{total:,} item{'' if total == 1 else 's'} in range."


def item_detail(con: duckdb.DuckDBPyConnection, kind: str, item_id: str) -> dict[str, Any] | None:
    """Everything the detail panel shows for one item, or None if it is not in the store.

    Keys: 'item' (the row of ``queries.timeline_items``), 'when' (date as precise as
    known), 'actors' (names), 'documents' (DataFrame of ``queries.timeline_item_documents``),
    'evidence' (a claim's evidence chain, DataFrame; empty for other kinds).
    """
    item = queries.timeline_item(con, kind, item_id)
    if item is None:
        return None
    names = catalog.names(con)
    evidence = claim_status.claim_evidence(con, [item_id]) if kind == "claim" else pd.DataFrame()
    if len(evidence):
        evidence.insert(0, "date", [format_partial_date(d, p) if not pd.isna(d) else ""
                                    for d, p in zip(evidence.dated, evidence.date_precision, strict=True)])
        evidence = evidence[["relation", "date", "what", "who", "evidence_type", "evidence_id", "url", "noted_on", "note"]]
    return {
        "item": item,
        "when": format_partial_date(item["dated"].date() if hasattr(item["dated"], "date") else item["dated"], item["date_precision"]),
        "actors": [names.get(a, a) for a in item["actor_ids"]],
        "documents": queries.timeline_item_documents(con, kind, item_id),
        "evidence": evidence,
    }


def selection_dates(point: dict[str, Any], bucket: str | None) -> tuple[dt.date, dt.date] | None:
    """The date range a clicked density bucket stands for (its first to last day), from the point's customdata."""
    data = point.get("customdata") or []
    if bucket is None or len(data) < 2 or data[0] != "bucket":
        return None
    start = dt.date.fromisoformat(str(data[1])[:10])
    if bucket == "day":
        return start, start
    if bucket == "week":
        return start, start + dt.timedelta(days=6)
    return start, (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()


def selection_action(selection: Mapping[str, Any], bucket: str | None) -> tuple[str, Any] | None:
    """What a chart selection asks for: ('dates', (start, end)) or ('open', (kind, item_id)), or None.

    A box drawn with the toolbar's box select wins over the points inside it: the
    analyst marked a stretch of time, not an item (box select reports both). A
    single clicked point opens its item, or, in density, narrows to its period.
    """
    boxes = selection.get("box") or []
    if boxes and (span := box_dates(boxes[0])):
        return "dates", span
    points = selection.get("points") or []
    if not points:
        return None
    if span := selection_dates(points[0], bucket):
        return "dates", span
    data = points[0].get("customdata") or []
    return ("open", (data[0], data[1])) if len(data) >= 2 and data[0] != "bucket" else None


def box_dates(box: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    """The date range of a box selection on the time axis (plotly sends the x bounds as date strings)."""
    xs = box.get("x") or []
    if len(xs) < 2:
        return None
    start, end = sorted(pd.Timestamp(x).date() for x in xs[:2])
    return start, end
