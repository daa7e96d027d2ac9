"""The charts and tables that can leave the dashboard, by name: the page, the CLI and the brief build them alike.

``CHARTS[name](con, filters) -> go.Figure`` and ``TABLES[name](con, filters) ->
DataFrame`` return what the named page shows for those filters, so an exported,
scheduled or briefed chart is the page's chart. Each entry imports its module
on first call: the export machinery loads without every page's code, and a
page module may import this one without a cycle.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

import duckdb
import pandas as pd
import plotly.graph_objects as go

from lib.filters import Filters, TimelineView

ChartBuilder = Callable[[duckdb.DuckDBPyConnection, Filters], go.Figure]
TableBuilder = Callable[[duckdb.DuckDBPyConnection, Filters], pd.DataFrame]

MODULES: dict[str, str] = {"timeline": "lib.timeline.timeline", "stances": "lib.stances.stance", "sources": "lib.sources.reliability"}
TITLES: dict[str, str] = {"timeline": "Timeline", "stances": "Stances over time", "sources": "Source reliability"}


def _lazy(module: str, function: str) -> Callable[..., object]:
    def build(con: duckdb.DuckDBPyConnection, filters: Filters, **options: object) -> object:
        return getattr(importlib.import_module(module), function)(con, filters, **options)

    build.__qualname__ = f"{module}.{function}"
    return build


CHARTS: dict[str, ChartBuilder] = {name: _lazy(module, "build_chart") for name, module in MODULES.items()}  # type: ignore[misc]
TABLES: dict[str, TableBuilder] = {name: _lazy(module, "build_table") for name, module in MODULES.items()}  # type: ignore[misc]


def build_chart(name: str, con: duckdb.DuckDBPyConnection, filters: Filters, **options: object) -> go.Figure:
    """The named page's chart under these filters; ``options`` are the page's own view (the Timeline's lanes)."""
    return CHARTS[name](con, filters, **options)


def chart_options(name: str, params: Mapping[str, str | list[str]]) -> dict[str, object]:
    """The keyword arguments a chart's builder takes from URL parameters beyond the filters (the Timeline's lanes)."""
    if name != "timeline":
        return {}
    view = TimelineView.from_query_params(params)
    return {"lane": view.lanes, "lane_count": view.lane_count}


def build_table(name: str, con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The named page's table under these filters."""
    return TABLES[name](con, filters)
