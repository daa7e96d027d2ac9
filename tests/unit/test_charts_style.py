"""The brief style's subtitle: a long one is wrapped and given room, never run off the chart."""

from __future__ import annotations

import html

import plotly.graph_objects as go

from lib import charts


def test_a_long_subtitle_wraps_and_the_figure_grows_by_its_lines() -> None:
    words = "all dates · The newest 2,000 of 63,305 statements and 1,000 of 63,305 claims; narrow the dates <b>to</b> see older ones."
    short = charts.apply_style(go.Figure(), "T", "all dates", "footer", "x", "y")
    long = charts.apply_style(go.Figure(), "T", words, "footer", "x", "y")
    lines = long.layout.title.subtitle.text.split("<br>")
    assert len(lines) == 2 and all(len(html.unescape(line)) <= charts.SUBTITLE_WIDTH for line in lines)
    assert "&lt;b&gt;to&lt;/b&gt;" in long.layout.title.subtitle.text  # typed text stays text
    assert long.layout.margin.t == short.layout.margin.t + charts.SUBTITLE_LINE
    assert long.layout.height == short.layout.height + charts.SUBTITLE_LINE
    assert short.layout.title.subtitle.text == "all dates"
