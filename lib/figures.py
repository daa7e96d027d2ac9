"""The charts and tables that can leave the dashboard, by name: the page, the CLI and the brief build them alike.

Each named module exposes ``build_chart(con, filters)`` and
``build_table(con, filters)`` returning what its page shows for those filters,
so an exported or scheduled chart is the page's chart.
"""

from __future__ import annotations

import importlib

import duckdb
import pandas as pd
import plotly.graph_objects as go

from lib.filters import Filters

MODULES: dict[str, str] = {"timeline": "lib.timeline", "stances": "lib.stance", "sources": "lib.reliability"}
CHARTS: tuple[str, ...] = tuple(MODULES)
TITLES: dict[str, str] = {"timeline": "Timeline", "stances": "Stances over time", "sources": "Source reliability"}


def build_chart(name: str, con: duckdb.DuckDBPyConnection, filters: Filters) -> go.Figure:
    """The named page's chart under these filters."""
    return importlib.import_module(MODULES[name]).build_chart(con, filters)


def build_table(name: str, con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """The named page's table under these filters."""
    return importlib.import_module(MODULES[name]).build_table(con, filters)
