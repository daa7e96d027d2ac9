"""The page cache (lib/ui.cached) keeps a figure as its plain spec and gives the page back the same figure."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import pytest

from lib import ui

built: list[str] = []


def _figure(_con: duckdb.DuckDBPyConnection, title: str) -> go.Figure:
    built.append(title)
    figure = go.Figure(go.Scatter(x=["2019-07-12", "2020-10-16"], y=[1, -1], mode="markers+lines", name="Turkey"))
    figure.update_layout(title=title, template="plotly_white", yaxis={"tickvals": [-1, 1], "ticktext": ["return", "retain"]})
    return figure


def test_a_cached_figure_comes_back_as_it_was_built(con: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The first call builds and keeps its spec; the second builds nothing and returns an equal figure."""
    monkeypatch.setenv("STANCEWATCH_DB", str(tmp_path / "test.duckdb"))
    ui.store_path.cache_clear()
    built.clear()
    try:
        first = ui.cached(_figure)(con, "S-400 positions")
        again = ui.cached(_figure)(con, "S-400 positions")
    finally:
        ui.store_path.cache_clear()
    assert built == ["S-400 positions"]
    assert isinstance(first, go.Figure) and isinstance(again, go.Figure)
    assert json.loads(again.to_json()) == json.loads(_figure(con, "S-400 positions").to_json())
    assert again is not first  # each page run gets a copy of its own to change
