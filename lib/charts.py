"""DataFrame -> plotly Figure, in one brief-ready style.

Every chart is titled, has labelled axes with units, a subtitle with the active
filters in words and a source line, and stays readable in black-and-white
print: series differ by marker shape and line dash as well as by colour. The
template is explicit because importing streamlit changes plotly's default to
one only a browser can resolve (exported images would come out black).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import plotly.colors as pc
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from lib.dates import format_partial_date

if TYPE_CHECKING:
    from lib.catalog import AsOf

FONT = "Helvetica, Arial, sans-serif"
# Colours chosen to stay apart in grey-scale (light to dark), paired with shapes.
PALETTE = ("#1b4f72", "#e67e22", "#117a65", "#922b21", "#7d3c98", "#5d6d7e", "#b7950b", "#000000")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")

# Meaning-bearing encodings shared by every page, so "reaffirmed" looks the same everywhere.
CONTINUITY_STYLE: dict[str, dict[str, str]] = {
    "first": {"color": "#1b4f72", "symbol": "circle"},
    "reaffirmed": {"color": "#117a65", "symbol": "diamond"},
    "shifted": {"color": "#922b21", "symbol": "x"},
    "divergent": {"color": "#b9770e", "symbol": "star-triangle-down"},
    "pending": {"color": "#6c3483", "symbol": "hourglass"},
    "unclear": {"color": "#909497", "symbol": "circle-open"},
}
LINE_LABELS = ("first", "reaffirmed", "shifted")
"""Statements on a series' line; divergent and pending voices are marked off it (lib/stances/group_line.py)."""
CLAIM_STATUS_STYLE: dict[str, dict[str, str]] = {
    "corroborated": {"color": "#117a65", "symbol": "triangle-up"},
    "contradicted": {"color": "#922b21", "symbol": "triangle-down"},
    "contested": {"color": "#b7950b", "symbol": "hourglass"},
    "open": {"color": "#5d6d7e", "symbol": "triangle-up-open"},
}
KIND_SYMBOL: dict[str, str] = {"event": "square", "statement": "circle", "claim": "triangle-up"}

BRIEF_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#1c2833"),
        paper_bgcolor="white",
        plot_bgcolor="white",
        colorway=list(PALETTE),
        xaxis=dict(showline=True, linecolor="#34495e", ticks="outside", gridcolor="#e5e8e8", zeroline=False),
        yaxis=dict(showline=True, linecolor="#34495e", ticks="outside", gridcolor="#e5e8e8", zeroline=False),
        legend=dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0),
        hoverlabel=dict(font_family=FONT),
    )
)
pio.templates["stancewatch"] = BRIEF_TEMPLATE


DARK_BACKGROUND = "rgba(0,0,0,0)"
"""Transparent: a chart on a dark page shows the page's own dark ground."""
_ON_DARK = {"#1b4f72": "#5dade2", "#34495e": "#aeb6bf", "#922b21": "#ec7063", "#117a65": "#48c9b0",
            "#5d6d7e": "#aab7b8", "#566573": "#aab7b8", "#1c2833": "#e5e8e8", "#000000": "#ffffff",
            "#909497": "#bfc9ca", "#7d3c98": "#bb8fce", "#e5e8e8": "#2c3440", "rgba(52,73,94,0.22)": "rgba(174,182,191,0.35)"}
"""Each dark ink of the brief style and its lighter twin, so every mark keeps its meaning on a dark page."""
DARK_TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT, size=13, color="#e5e8e8"), paper_bgcolor=DARK_BACKGROUND, plot_bgcolor=DARK_BACKGROUND,
        colorway=[_ON_DARK.get(c, c) for c in PALETTE],
        xaxis=dict(showline=True, linecolor="#aab7b8", ticks="outside", gridcolor="#2c3440", zeroline=False),
        yaxis=dict(showline=True, linecolor="#aab7b8", ticks="outside", gridcolor="#2c3440", zeroline=False),
        legend=BRIEF_TEMPLATE.layout.legend, hoverlabel=dict(font_family=FONT),
    )
)


def for_dark_page(fig: go.Figure) -> go.Figure:
    """A copy of a brief-style figure for a page in the dark theme: dark ground, light ink, lighter marks.

    Only the page shows it; exports always print the light figure (lib.export.print_figure).
    """
    dark = go.Figure(fig)
    dark.update_layout(template=DARK_TEMPLATE, paper_bgcolor=DARK_BACKGROUND, plot_bgcolor=DARK_BACKGROUND)
    for trace in dark.data:
        for path in ("marker.color", "marker.line.color", "line.color", "error_y.color"):
            try:
                colour = trace[path]
            except (KeyError, ValueError):
                continue
            if isinstance(colour, str) and colour.lower() in _ON_DARK:
                trace[path] = _ON_DARK[colour.lower()]
    for note in dark.layout.annotations:
        if isinstance(note.font.color, str) and note.font.color.lower() in _ON_DARK:
            note.font.color = _ON_DARK[note.font.color.lower()]
    return dark


def source_line(n_items: int, n_sources: int, as_of: dt.datetime | AsOf | None, names: Sequence[str] = (), shown: int = 3) -> str:
    """The footer every chart carries: which outlets (the busiest ``shown`` by name), from Stancewatch, as of when.

    ``names``: the sources behind the items drawn, busiest first, e.g. 'Sources: TASS, Daily Sabah,
    Hürriyet Daily News and 20 others · Stancewatch · data as of …'. Without names (a chart that only
    counts them) the line gives the counts instead.
    """
    stamp = as_of.strftime("%d %b %Y %H:%M UTC") if as_of else "unknown time"
    if names:
        listed = ", ".join(names[:shown])
        rest = len(names) - shown
        if rest > 0:
            listed += f" and {rest:,} other{'' if rest == 1 else 's'}"
        elif len(names) > 1:
            listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        who = f"Source{'' if len(names) == 1 else 's'}: {listed}"
    else:
        who = f"{n_items:,} item{'' if n_items == 1 else 's'} from {n_sources:,} source{'' if n_sources == 1 else 's'}"
    return f"{who} · Stancewatch · data as of {stamp}"


def source_names(names: pd.Series) -> list[str]:
    """Source names for :func:`source_line`, busiest first (ties by name), from one name per item drawn."""
    counts = names.dropna().value_counts()
    return sorted(counts.index, key=lambda name: (-counts[name], name))


def apply_style(fig: go.Figure, title: str, subtitle: str, footer: str, x_title: str, y_title: str, height: int = 480) -> go.Figure:
    """Give a figure the brief style: title, filters as subtitle, axis titles, source line at the foot.

    A long subtitle (many actors, a note on what is drawn) is wrapped onto lines of ``SUBTITLE_WIDTH`` characters
    and the top margin (and the figure) grow by a line's height for each: one line ran off a page-wide chart.
    """
    wrapped = _wrap(subtitle, width=SUBTITLE_WIDTH, limit=len(subtitle) + 1)
    fig.update_layout(
        template=BRIEF_TEMPLATE,
        title=dict(text=_escape(title), subtitle=dict(text=wrapped), x=0, xanchor="left", pad=dict(l=14)),
        height=height + SUBTITLE_LINE * wrapped.count("<br>"),
        margin=dict(l=70, r=30, t=90 + SUBTITLE_LINE * wrapped.count("<br>"), b=120),
        meta={"source_line": footer},  # the words as given, for exports that print the line beside the picture
    )
    fig.update_xaxes(title_text=_escape(x_title))
    fig.update_yaxes(title_text=_escape(y_title))
    fig.add_annotation(
        text="<br>".join(_escape(line) for line in _footer_lines(footer)), xref="paper", yref="paper", x=0, y=0, yshift=-112,
        xanchor="left", yanchor="bottom", align="left", showarrow=False, font=dict(size=11, color="#566573"),
    )
    return fig


SUBTITLE_WIDTH = 90
"""Characters per line of a subtitle: what fits the A4 text width (673 px) at its font."""
SUBTITLE_LINE = 20
"""Pixels of a subtitle line."""
FOOTER_WIDTH = 80
"""Characters per line of the source line: at the A4 text width (673 px) a longer line would run off the page."""


def _footer_lines(footer: str, width: int = FOOTER_WIDTH) -> list[str]:
    """The source line broken at its ' · ' separators into lines of at most ``width`` characters where it can be."""
    lines: list[str] = []
    for part in footer.split(" · "):
        if lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines.append(part)
    return lines


def empty_figure(title: str, subtitle: str, footer: str, message: str) -> go.Figure:
    """A styled figure that says why there is nothing to draw (never a blank canvas)."""
    fig = go.Figure()
    fig.add_annotation(text=_escape(message), xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, font=dict(size=15))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return apply_style(fig, title, subtitle, footer, "", "")


def _escape(text: str) -> str:
    """Plotly renders a subset of HTML in titles; user text must show as typed, never as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_label(text: str) -> str:
    """Escape user text (actor names, quotes) for use in plotly labels and hover text."""
    return _escape(text)


# === Timeline charts (issue 3) =================================================
# builders: timeline_figure, density_figure
KIND_OFFSET: dict[str, float] = {"event": -0.02, "statement": 0.17, "claim": 0.36}
"""Within a lane, each kind keeps its own row, so an event and a statement on the same day never hide each other;
the top of the lane holds its name."""
EVENT_COLOR = "#34495e"


def _lane_axis(fig: go.Figure, lanes: list[str], names: dict[str, str]) -> None:
    """Lane names written inside the plot, at the top of each lane, in full: no margin for them, so the time axis
    gets the figure's whole width on a phone as on paper (a name is on one line, cut only past 60 characters).

    Annotations rather than inside tick labels: plotly hides the time axis's first tick labels under those.
    """
    fig.update_layout(yaxis=dict(tickvals=[i - 0.5 for i in range(len(lanes))], showticklabels=False, ticks="",
                                 range=[len(lanes) - 0.5, -0.5], showgrid=True, title_standoff=6))
    # in one update: each add_annotation validates every annotation already there again
    fig.update_layout(margin_l=48, annotations=[*fig.layout.annotations, *(
        dict(text=escape_label(_shortened(names.get(lane, lane), 60)), xref="paper", x=0, y=i - 0.5, xanchor="left",
             yanchor="top", xshift=4, showarrow=False, font=dict(size=12)) for i, lane in enumerate(lanes))])


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


LEGEND_ROW = 24
"""Height of one row of a horizontal legend, in pixels."""


def legend_on_top(fig: go.Figure, figure_width: int = 700) -> None:
    """A horizontal legend between the subtitle and the plot, so the time axis gets the figure's whole width.

    Plotly lays a horizontal legend out in equal columns across the plot's width; the top margin (and the
    figure) grow by the rows it needs when the figure is ``figure_width`` pixels wide, the width of the
    chart on a 1024 px screen. Wider screens and print need as many rows or fewer.
    """
    entries = [trace.name for trace in fig.data if trace.showlegend is not False and trace.name]
    if not entries:
        return
    plot_width = figure_width - int(fig.layout.margin.l or 80) - int(fig.layout.margin.r or 80)
    columns = max(1, plot_width // (40 + 7 * max(len(name) for name in entries)))
    extra = LEGEND_ROW * -(-len(entries) // columns) + 6
    height = int(fig.layout.height or 480) + extra
    # right under the subtitle (container coordinates): on a wide figure the rows it does not need stay below it
    below = 76 + int(fig.layout.margin.t or 90) - 90  # under the title and the subtitle's lines
    fig.update_layout(legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=1 - below / height, yanchor="top"),
                      title=dict(yref="container", y=1, yanchor="top", pad=dict(t=16)),
                      margin_t=int(fig.layout.margin.t or 90) + extra, height=height)


def timeline_figure(rows: pd.DataFrame, names: dict[str, str], lane_title: str, subtitle: str, footer: str) -> go.Figure:
    """One marker per item and lane: shape by kind, colour by continuity (statements) or status (claims).

    ``rows``: the columns of ``queries.timeline_items`` plus 'lane'. A month- or
    year-dated item is an open marker in the middle of its period with a bar
    across the whole period, never a dot on an invented day. customdata carries
    (kind, item_id) for click-to-open.
    """
    title = "Timeline of events, statements and claims"
    if rows.empty:
        return empty_figure(title, subtitle, footer, "No items match these filters.")
    order = rows.groupby("lane").size().sort_values(ascending=False, kind="stable")
    lanes = list(order.index)
    rows = rows.assign(y=rows.lane.map({lane: i for i, lane in enumerate(lanes)}) + rows.kind.map(KIND_OFFSET))
    coarse = rows.date_precision != "day"
    start = pd.to_datetime(rows.dated)
    end = pd.to_datetime(rows.period_end) + pd.Timedelta(days=1)
    rows = rows.assign(x=start.where(~coarse, start + (end - start) / 2), hover=_hover_texts(rows, names))

    fig = go.Figure()
    spans = rows[coarse]
    if len(spans):
        xs, ys = [], []
        for s, e, y in zip(pd.to_datetime(spans.dated), pd.to_datetime(spans.period_end) + pd.Timedelta(days=1), spans.y, strict=True):
            xs += [s, e, None]
            ys += [y, y, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(width=7, color="rgba(52,73,94,0.22)"),
                                 name="month or year span (open marker)", hoverinfo="skip"))
    for kind, column, styles in (("event", None, {None: {"color": EVENT_COLOR}}),
                                 ("statement", "continuity", CONTINUITY_STYLE), ("claim", "status", CLAIM_STATUS_STYLE)):
        of_kind = rows[rows.kind == kind]
        for key, style in styles.items():
            part = of_kind if column is None else of_kind[of_kind[column] == key]
            if part.empty:
                continue
            symbol = KIND_SYMBOL[kind]
            open_ = part.date_precision != "day"
            fig.add_trace(go.Scatter(
                x=part.x.to_numpy(), y=part.y.to_numpy(), mode="markers", name=kind if key is None else f"{kind}: {key}",
                marker=dict(symbol=np.where(open_, f"{symbol}-open", symbol).astype(object), size=11, color=style["color"],
                            line=dict(width=1.5, color=style["color"])),
                text=part.hover.to_numpy(), hovertemplate="%{text}<extra></extra>",
                # numpy arrays, not lists: plotly validates lists element by element (15x slower at 3,000 points)
                customdata=part[["kind", "item_id"]].to_numpy(dtype=object),
            ))
    apply_style(fig, title, subtitle, footer, "Date", lane_title,
                height=max(420, 200 + 52 * len(lanes)))
    _lane_axis(fig, lanes, names)
    legend_on_top(fig)
    # no dragmode: streamlit then lets a click select a point (a 'select' dragmode would turn click-selection off)
    fig.update_layout(selectdirection="h", margin_r=30)
    # the range is set, not left to plotly: its autorange would widen the axis to keep clear of the lane names
    first, last = start.min(), end.max()
    pad = max((last - first) * 0.03, pd.Timedelta(days=15))
    fig.update_xaxes(type="date", range=[first - pad, last + pad])
    return fig


def _hover_texts(rows: pd.DataFrame, names: dict[str, str]) -> list[str]:
    """Title, date with its precision, actor, source with grade, first words of the quote; user text escaped."""
    texts = []
    for row in rows.itertuples(index=False):
        day = row.dated.date() if hasattr(row.dated, "date") else row.dated
        when = format_partial_date(day, row.date_precision) + ("" if row.date_precision == "day" else f" ({row.date_precision})")
        source = escape_label(row.source_name) if isinstance(row.source_name, str) else "no source"
        if isinstance(row.grade, str) and row.grade:
            source += f", graded {row.grade}"
        label = {"statement": row.continuity, "claim": row.status}.get(row.kind)
        lines = [f"<b>{escape_label(str(row.title))[:90]}</b>" + (f" ({label})" if isinstance(label, str) else ""),
                 f"{row.kind} · {when}",
                 "actor: " + escape_label(", ".join(names.get(a, a) for a in row.actor_ids) or "none"),
                 f"source: {source}"]
        if isinstance(row.text, str) and row.text:
            words = row.text if len(row.text) <= 100 else row.text[:100].rsplit(" ", 1)[0] + " …"
            lines.append(f"“{escape_label(words)}”" if row.kind == "statement" else escape_label(words))
        texts.append("<br>".join(lines))
    return texts


DENSITY_FREQ: dict[str, str] = {"day": "D", "week": "W-MON", "month": "MS"}
"""Each density bucket as a pandas frequency anchored where DuckDB's date_trunc puts it (weeks start on Monday)."""
DENSITY_SCALE = [[(k / 6) ** 2, colour] for k, colour in enumerate(pc.sequential.Blues[2:])]
"""Light to dark blue (light to dark grey in print) with colour growing as the square root of the count, so a lane
of a few hundred items still shows beside one of thousands; the palest is darker than an empty (white) cell."""
NAME_BAND, LANE_GAP = 0.42, 0.06
"""Shares of a lane's height left empty above its cells for its name, and below them before the next lane."""
TOTALS_HEIGHT = 100
"""Pixels of the bars (and their 20 px label) of all lanes' items per period, above the lanes."""


def density_figure(counts: pd.DataFrame, names: dict[str, str], lane_title: str, subtitle: str, footer: str,
                   notice: str, bucket: str = "month", per_lane_events: bool = False) -> go.Figure:
    """Counts per lane and period (``queries.timeline_density``) as one heatmap, under one bar per period.

    A heatmap is one image in the browser whatever the periods and lanes (the markers it replaces were one SVG
    node each: 1,920 at 10M events, most of a later open's time, bench/RESULTS.md). Plotly cannot select a
    heatmap's cell, so the bars above it (all the lanes' items per period) are what a click or a box selects:
    customdata carries ('bucket', first day) so that clicking a period narrows the dates to it.
    ``per_lane_events``: an event counts once in each of its lanes (actors), and the bars say so.
    """
    title = "Timeline density: items per period"
    if counts.empty:
        return empty_figure(title, subtitle, footer, "No items match these filters.")
    per = counts.assign(bucket=pd.to_datetime(counts.bucket))
    lanes = list(per.groupby("lane").n.sum().sort_values(ascending=False, kind="stable").index)
    if "(other)" in lanes:
        lanes.remove("(other)")
        lanes.append("(other)")
    starts = pd.date_range(per.bucket.min(), per.bucket.max(), freq=DENSITY_FREQ[bucket])
    edges = starts.append(pd.DatetimeIndex([starts[-1] + pd.tseries.frequencies.to_offset(DENSITY_FREQ[bucket])]))
    texts_of = per.assign(text=[_density_hover(names.get(lane, lane), day, n, e, s, c) for lane, day, n, e, s, c in zip(
        per.lane, per.bucket, per.n, per.events, per.statements, per.claims, strict=True)]).set_index(["lane", "bucket"])
    grid = texts_of.n.unstack("bucket").reindex(index=lanes, columns=starts)
    hover = texts_of.text.unstack("bucket").reindex(index=lanes, columns=starts).astype(object)
    hover = hover.where(hover.notna(), "").to_numpy()
    empty_row = [np.full(len(starts), np.nan)]
    # each lane is two rows: an empty one under its name, then its cells
    z = np.vstack([row for values in grid.to_numpy(dtype=float) for row in (*empty_row, values)])
    # numpy arrays, not lists: plotly validates lists element by element
    texts = np.vstack([row for lane_texts in hover for row in (np.full(len(starts), "", dtype=object), lane_texts)])
    y_edges = [-0.5, *(y for i in range(len(lanes)) for y in (i - 0.5 + NAME_BAND, i + 0.5 - LANE_GAP))]
    # the scale follows the named lanes: '(other)' sums hundreds of lanes and would pale every named one
    named = per.n[per.lane != "(other)"]
    biggest = float(named.max() if len(named) else per.n.max())
    height = max(460, 240 + 48 * len(lanes)) + TOTALS_HEIGHT
    fig = go.Figure(go.Heatmap(
        x=edges, y=y_edges, z=z, zmin=0, zmax=biggest, colorscale=DENSITY_SCALE, hoverongaps=False,
        hovertext=texts, hovertemplate="%{hovertext}<extra></extra>", name="items per lane and period",
        colorbar=dict(title=dict(text="items"), thickness=12, y=0, yanchor="bottom"),
    ))
    totals = per.groupby("bucket")[["n", "events", "statements", "claims"]].sum().reindex(starts, fill_value=0)
    fig.add_trace(go.Bar(
        x=starts, y=totals.n.to_numpy(), width=(edges[1:] - edges[:-1]).total_seconds().to_numpy() * 1000, offset=0,
        yaxis="y2", marker=dict(color=EVENT_COLOR, line=dict(width=0)), name="items per period",
        hovertext=[_density_hover("all lanes", day, n, e, s, c) + ("<br>(an event counts once per actor)" if per_lane_events else "")
                   for day, n, e, s, c in zip(starts, totals.n, totals.events, totals.statements, totals.claims, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=np.array([["bucket", f"{day:%Y-%m-%d}"] for day in starts], dtype=object),
    ))
    apply_style(fig, title, subtitle, footer, "Date (start of each period)", lane_title, height=height)
    _lane_axis(fig, lanes, names)
    # the notice sits between the subtitle and the plot: a long subtitle (dates, actors) runs under neither
    top = int(fig.layout.margin.t) + 40
    fig.update_layout(margin_t=top, height=height + top - 130, title=dict(yref="container", y=1, yanchor="top", pad=dict(t=16)))
    plot = height - 250  # pixels between the margins
    lanes_share = 1 - (TOTALS_HEIGHT + 12) / plot
    fig.update_traces(colorbar_len=lanes_share, selector=dict(type="heatmap"))
    fig.update_layout(yaxis_domain=[0, lanes_share], bargap=0,
                      yaxis2=dict(domain=[lanes_share + 12 / plot, 1 - 20 / plot], anchor="x", rangemode="tozero",
                                  tickformat="~s", nticks=3, title_text=""))
    fig.add_annotation(text="Items per period, all lanes" + (" (an event once per actor)" if per_lane_events else ""),
                       xref="paper", yref="paper", x=0, y=1, xanchor="left", yanchor="top", showarrow=False, font=dict(size=12))
    fig.add_annotation(text="<br>".join(escape_label(part) for part in notice.split("\n")), xref="paper", yref="paper", x=0, y=1.0,
                       yshift=8, xanchor="left", align="left",
                       yanchor="bottom", showarrow=False, font=dict(size=12, color="#922b21"))
    fig.update_layout(selectdirection="h", showlegend=False)
    return fig


def _density_hover(lane: str, day: pd.Timestamp, n: int, events: int, statements: int, claims: int) -> str:
    return (f"{escape_label(lane)} · from {day:%d %b %Y}: <b>{n:,}</b> items<br>"
            f"{events:,} events, {statements:,} statements, {claims:,} claims")


# === Stance charts (issue 4) ===================================================
# builders: stance_figure
_UNCLEAR_LANE = "no position coded"
_CLAIM_LANE = "reported (claims)"
CLAIM_ROWS: dict[str, float] = {"corroborated": 0.3, "contested": 0.1, "open": -0.1, "contradicted": -0.3}
"""Each claim status keeps its own row in the claims lane, so merged marks of two statuses never cover each other."""


def _wrap(text: str, width: int = 70, limit: int = 400) -> str:
    """Escape and wrap a quote for hover text, shortened past ``limit`` characters."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(escape_label(part) for part in lines)


def _day_text(day: object, precision: str) -> str:
    value = day.date() if hasattr(day, "date") else day
    return format_partial_date(value, precision)  # type: ignore[arg-type]


def _midpoints(starts: pd.Series, ends: pd.Series) -> pd.Series:
    """Where an item of a period is drawn: the middle of its month or year, so it never reads as coming first in it."""
    return starts + (ends - starts) / 2


def _period_bars(fig: go.Figure, x0: pd.Series, x1: pd.Series, y: pd.Series, precision: pd.Series, colour: str,
                 group: str, at: dict[str, int]) -> None:
    """A pale bar over each month- or year-precision item's whole period (once: many statements share a month)."""
    xs: list[object] = []
    ys: list[object] = []
    for start, end, level in dict.fromkeys(
            (start, end, level) for start, end, level, p in zip(x0, x1, y, precision, strict=True) if p != "day"):
        xs += [start, end, None]
        ys += [level, level, None]
    if xs:
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, width=8), opacity=0.25,
                                 legendgroup=group, showlegend=False, hoverinfo="skip"), **at)


def _open_where_inexact(symbol: str, precision: pd.Series) -> list[str]:
    """Month- and year-precision items get the open form of their marker (as on the Timeline)."""
    open_symbol = symbol if symbol.endswith("-open") else f"{symbol}-open"
    return [symbol if p == "day" else open_symbol for p in precision]


def _tick_text(label: str, width: int = 18) -> str:
    """A position label wrapped onto short lines, so a long label does not squeeze the plot."""
    return _wrap(label, width=width)


THIN_FROM = 200
"""Marks in a chart below which none are merged (a small record is drawn one mark per statement)."""
MARK_BUDGET = 300
"""Statement and claim marks a Stances chart draws at most. Chromium draws each as an SVG node: at 10M events the
newest 2,000 statements and 1,000 claims, merged in 150 columns only, were 2,700 SVG elements and 800 kB of hover
text, about a second of every later open of the page (bench/RESULTS.md). The table below the chart lists every
statement, and a merged mark's hover says how many it stands for."""
COLUMN_CHOICES = (40, 25, 15, 10, 6, 4, 2, 1)
"""Columns across the time axis tried in turn, finest first, until the merged marks fit ``MARK_BUDGET``. 40 leaves a
13 px marker its width on an exported chart's 520 px plot: in finer columns marks covered each other anyway (150
columns, as before, drew rows of overlapping marks that read as one smear at 10M events)."""


@dataclass(frozen=True)
class _Columns:
    """The time axis cut into columns: marks of one kind at one height in one column are drawn as one."""

    start: pd.Timestamp
    width: pd.Timedelta
    active: bool


def _columns(rows: pd.DataFrame, claims: pd.DataFrame) -> _Columns:
    """The finest columns in which the chart's marks, merged, fit ``MARK_BUDGET`` (inactive under ``THIN_FROM``).

    A mark is a statement's (topic, series, continuity, position) or a claim's (topic, status) in a column: what
    :func:`_stance_panel` draws at one place, since merged marks are not stacked.
    """
    claims = claims.drop_duplicates(["topic_id", "claim_id"])
    keys = pd.concat([
        pd.DataFrame({"topic": rows.topic_id, "series": rows.series_actor_id, "label": rows.continuity,
                      "level": rows.ordinal.astype("float").fillna(-1e9), "x": _midpoints(rows.stated_on, rows.period_end)}),
        pd.DataFrame({"topic": claims.topic_id, "series": "", "label": claims.status, "level": 0.0,
                      "x": _midpoints(claims.claimed_on, claims.claim_end)}),
    ], ignore_index=True)
    if len(keys) < THIN_FROM:
        return _Columns(pd.Timestamp(0), pd.Timedelta(days=1), False)
    start, end = keys.x.min(), keys.x.max()
    for count in COLUMN_CHOICES:
        width = max((end - start) / count, pd.Timedelta(seconds=1))
        marks = keys.drop(columns="x").assign(column=((keys.x - start) // width).astype("int64")).drop_duplicates()
        if len(marks) <= MARK_BUDGET:
            break
    return _Columns(start, width, True)


def _merged(x: pd.Series, y: pd.Series, hover: list[str], symbols: list[str], columns: _Columns, what: str,
            ) -> tuple[pd.Series, pd.Series, list[str], list[str], list[int]]:
    """Marks of one trace that share a column and a height, as one mark at the newest of them; its hover says how many
    it stands for, over which days, then shows the newest. Returns x, y, hover, symbols and how many each mark stands for."""
    if not columns.active or len(x) < 2:
        return x, y, hover, symbols, [1] * len(x)
    marks = pd.DataFrame({"x": x.to_numpy(), "y": y.round(3).to_numpy(), "hover": hover, "symbol": symbols})
    marks["column"] = ((marks.x - columns.start) // columns.width).astype("int64")
    grouped = marks.groupby(["column", "y"], sort=False)
    newest = marks.loc[grouped.x.idxmax()]
    count = grouped.x.count().to_numpy()
    first, last = grouped.x.min().to_numpy(), grouped.x.max().to_numpy()
    texts = [
        h if n == 1 else f"<b>{n} {what}</b> drawn as one, {pd.Timestamp(a):%-d %b %Y} – {pd.Timestamp(b):%-d %b %Y}; "
                         f"the newest:<br>{h}"
        for h, n, a, b in zip(newest.hover, count, first, last, strict=True)
    ]
    return newest.x, newest.y, texts, list(newest.symbol), [int(n) for n in count]


def _mark_sizes(counts: list[int]) -> list[float]:
    """A mark's size grows with the log of how many statements or claims it stands for: 11 px for one, 19 px from 16."""
    return [13.0] * len(counts) if max(counts, default=1) == 1 else [round(min(11 + 2 * np.log2(n), 19), 1) for n in counts]


def _line_points(x: pd.Series, y: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The points a step line ("hv") needs: the first, the last, and each where the height changes; the others lie on a
    flat stretch and draw nothing (the picture is the same without them)."""
    if len(y) < 3:
        return x, y
    values = y.to_numpy()
    keep = [True, *(values[1:-1] != values[:-2]), True]
    return x[keep], y[keep]


def stance_figure(
    rows: pd.DataFrame, claims: pd.DataFrame, positions: dict[str, pd.DataFrame], actors: list[str], names: dict[str, str],
    title: str, subtitle: str, footer: str,
) -> go.Figure:
    """Step chart of position ordinal over time, one panel per topic on a shared time axis, one line per series.

    ``rows``: lib.stances.stance.judged rows; ``claims``: lib.stances.continuity.reported_shifts;
    ``positions``: each drawn topic's vocabulary, in panel order. The line of a
    series runs through its line statements (first, reaffirmed, shifted); a
    divergent or pending voice is marked at its own position, off the line, with
    the speaker named on hover. Month- and year-precision statements and claims
    sit mid-period with an open marker and a pale bar over the whole period, so
    they never read as exact days or as coming first in their month. Several
    series are nudged apart vertically so identical positions stay visible.
    Claims about the series sit in a lane above the positions, shaped by status.
    """
    topics = list(positions)
    fig = make_subplots(rows=len(topics), cols=1, shared_xaxes=True, vertical_spacing=0.12 if len(topics) > 1 else 0.0,
                        subplot_titles=[escape_label(names.get(t, t)) for t in topics] if len(topics) > 1 else None)
    widest, in_legend, merged = 0, set(), []
    columns = _columns(rows, claims)
    for panel, topic in enumerate(topics, start=1):
        ticks = _stance_panel(fig, panel, rows[rows.topic_id == topic], claims[claims.topic_id == topic], positions[topic],
                              actors, names, in_legend, columns, merged)
        widest = max([widest, *(len(part) for t in ticks.values() for part in t.split("<br>"))])
        fig.update_yaxes(tickmode="array", tickvals=list(ticks), ticktext=list(ticks.values()), title_standoff=12,
                         range=[min(ticks) - 0.5, max(ticks) + 0.5], row=panel, col=1, title_text="Position")
    if any(merged):
        subtitle += " · A larger mark stands for several close in time (its hover counts them)."
    apply_style(fig, title, subtitle, footer, "", "Position", height=540 if len(topics) == 1 else 360 * len(topics) + 120)
    fig.update_xaxes(title_text="Date stated (open marks and pale bars: month or year precision)", row=len(topics), col=1)
    # the legend lists series and marker meanings: beside the plot, clear of the axis title and source line
    if len(topics) > 1:  # the first panel's title sits above the plot, under the subtitle
        fig.update_layout(margin_t=int(fig.layout.margin.t) + 20)
    fig.update_layout(
        legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top", itemsizing="constant"),
        margin=dict(r=190, l=max(70, 50 + 8 * widest)),  # room for the wrapped position labels
        hovermode="closest",
    )
    return fig


def _stance_panel(fig: go.Figure, panel: int, rows: pd.DataFrame, claims: pd.DataFrame, positions: pd.DataFrame,
                  actors: list[str], names: dict[str, str], in_legend: set[str], columns: _Columns,
                  merged: list[bool]) -> dict[int, str]:
    """One topic's lines, markers and claims lane in row ``panel``; returns the panel's y ticks (ordinal -> label).

    ``in_legend`` holds the legend entries already drawn by an earlier panel, so each appears once. Marks that
    would overlap are merged (``_merged``, in ``columns``); ``merged`` collects whether any were.
    """
    def legend(name: str) -> bool:
        new = name not in in_legend
        in_legend.add(name)
        return new

    at = dict(row=panel, col=1)
    quote_limit = 160 if columns.active else 400  # a merged chart's hover texts were most of its 800 kB at 10M
    top = int(positions.ordinal.max()) if not positions.empty else 1
    bottom = int(positions.ordinal.min()) if not positions.empty else -1
    ticks = {int(o): _tick_text(label) for o, label in zip(positions.ordinal, positions.label, strict=True)}
    unclear_y, claim_y = bottom - 1, top + 1
    present = [a for a in actors if a in set(rows.series_actor_id)]
    step = 0.15 if len(present) > 1 else 0.0
    ys, xs = {}, {}
    for k, actor in enumerate(actors):
        if actor not in present:
            continue
        mine = rows[rows.series_actor_id == actor]
        offset = (present.index(actor) - (len(present) - 1) / 2) * step
        # concurrent statements at one date and position are stacked a little, so none hides another
        # (merged marks are not stacked: a mark there stands for all at its place and says how many)
        stacked = 0.0 if columns.active else mine.groupby([mine.stated_on, mine.ordinal.fillna(unclear_y)]).cumcount() * 0.12
        y = mine.ordinal.astype("float").fillna(unclear_y).add(offset + stacked)
        x = _midpoints(mine.stated_on, mine.period_end)
        ys[actor], xs[actor] = y, x
        colour, dash = PALETTE[k % len(PALETTE)], DASHES[k % len(DASHES)]  # an actor keeps its colour in every panel
        on_line = mine.ordinal.notna() & mine.continuity.isin(LINE_LABELS)
        name = escape_label(names.get(actor, actor))
        line_x, line_y = _line_points(x[on_line], y[on_line])
        fig.add_trace(go.Scatter(
            x=line_x, y=line_y, mode="lines", line=dict(shape="hv", color=colour, dash=dash, width=2),
            name=name, legendgroup=actor, showlegend=legend(name), hoverinfo="skip",
        ), **at)
        _period_bars(fig, mine.stated_on, mine.period_end, y, mine.date_precision, colour, actor, at)
    for label, style in CONTINUITY_STYLE.items():
        marked = rows[(rows.continuity == label) & rows.series_actor_id.isin(present)]
        if marked.empty:
            continue
        hover = [
            "<br>".join([
                f"<b>{escape_label(names.get(r.actor_id, r.actor_id))}</b>"
                f" · {escape_label(names.get(r.series_actor_id, r.series_actor_id))}",
                f"{_day_text(r.stated_on, r.date_precision)} ({r.date_precision} precision)",
                f"{escape_label(r.position_label) if isinstance(r.position_label, str) else 'no position coded'}: {label}"
                + (f" (own record: {r.own_continuity})" if isinstance(r.own_continuity, str) and r.own_continuity != label else "")
                + (' · says "no change"' if r.self_declared else ""),
                _wrap(f"“{r.quote}”", limit=quote_limit) if isinstance(r.quote, str) and r.quote else "(no quote)",
                escape_label(names.get(r.source_id, r.source_id) if isinstance(r.source_id, str) else "no source")
                + (f" · grade {escape_label(r.grade)}" if isinstance(r.grade, str) else ""),
            ])
            for r in marked.itertuples(index=False)
        ]
        x, y, hover, symbols, counts = _merged(
            pd.Series([xs[a].loc[i] for a, i in zip(marked.series_actor_id, marked.index, strict=True)], dtype="datetime64[ns]"),
            pd.Series([ys[a].loc[i] for a, i in zip(marked.series_actor_id, marked.index, strict=True)], dtype="float"),
            hover, _open_where_inexact(style["symbol"], marked.date_precision), columns, f"{label} statements")
        merged.append(max(counts) > 1)
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="markers", name=label, legendgroup=f"continuity-{label}", showlegend=legend(label),
            marker=dict(symbol=symbols, color=style["color"], size=_mark_sizes(counts), line=dict(color=style["color"], width=1.5)),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ), **at)
    shown_claims = claims[claims.series_actor_id.isin(present)].drop_duplicates("claim_id")
    for status, style in CLAIM_STATUS_STYLE.items():
        marked = shown_claims[shown_claims.status == status]
        if marked.empty:
            continue
        hover = [
            "<br>".join([
                f"<b>Claim ({escape_label(status)})</b> · {escape_label(names.get(c.source_id, c.source_id))}",
                f"{_day_text(c.claimed_on, c.date_precision)} ({c.date_precision} precision)",
                _wrap(c.text, limit=quote_limit),
                "asserts: "
                + (escape_label(c.asserted_position_code) if isinstance(c.asserted_position_code, str) else "a move (not coded)"),
            ])
            for c in marked.itertuples(index=False)
        ]
        level = pd.Series([claim_y + CLAIM_ROWS[status]] * len(marked), index=marked.index, dtype="float")
        name = f"claim {status}"
        _period_bars(fig, marked.claimed_on, marked.claim_end, level, marked.date_precision, style["color"], name, at)
        x, y, hover, symbols, counts = _merged(_midpoints(marked.claimed_on, marked.claim_end), level, hover,
                                               _open_where_inexact(style["symbol"], marked.date_precision), columns,
                                               f"{status} claims")
        merged.append(max(counts) > 1)
        fig.add_trace(go.Scatter(
            x=x, y=y, mode="markers", name=name, legendgroup=name, showlegend=legend(name),
            marker=dict(symbol=symbols, color=style["color"], size=_mark_sizes(counts), line=dict(color=style["color"], width=1.5)),
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
        ), **at)
    if not shown_claims.empty:
        ticks[claim_y] = _CLAIM_LANE
    if (rows.continuity == "unclear").any():
        ticks[unclear_y] = _UNCLEAR_LANE
    if rows.empty:
        fig.add_annotation(text="No statements on this topic for these actors and filters", showarrow=False,
                           xref="x domain", yref="y domain", x=0.5, y=0.5, **at)
    return ticks


# === Source reliability charts (issue 5) =======================================
GRADE_SYMBOL = {"A": "star", "B": "diamond", "C": "square", "D": "triangle-down", "E": "x", "F": "circle-open"}


LABELLED_SOURCES = 15
"""How many sources the reliability chart names on the plot at most (the most-judged); the rest are named on hover."""

LABEL_CHAR_SHARE = 1 / 110
"""A label character's width as a share of the plot's width (11 px text on the ~800 px plot of a page or a PNG)."""


def uncrowded_labels(df: pd.DataFrame, x_span: float) -> set[object]:
    """The index of the most-judged sources whose names fit beside their dots without running over a name already placed.

    A name is drawn to the right of its dot, so two names collide when their
    spans overlap on the x axis and their dots are under 6 points apart on the
    y axis; the more-judged source keeps its name, the other is named on hover.
    """
    placed: list[tuple[float, float, float]] = []  # (start, width, y) of each name drawn
    chosen: set[object] = set()
    for i, row in df.nlargest(LABELLED_SOURCES, "judged").iterrows():
        start, width, y = float(row.judged), (len(str(row["name"])) + 2) * LABEL_CHAR_SHARE * x_span, float(row["mean"])
        if all(abs(y - y2) >= 0.06 or start + width <= x2 or x2 + w2 <= start for x2, w2, y2 in placed):
            placed.append((start, width, y))
            chosen.add(i)
    return chosen


def reliability_figure(df: pd.DataFrame, subtitle: str, footer: str) -> go.Figure:
    """Estimate (dot) and 90 % interval (bar) per source against judged claims; marker shape = grade in force.

    Columns used: name, judged, mean, low, high, grade_in_force, derived_grade, claims. A source with
    few judged claims shows a long bar: the interval, not the dot, is the message.
    """
    if df.empty:
        return empty_figure("Source reliability", subtitle, footer, "No claims under these filters")
    fig = go.Figure()
    most = int(df.judged.max())
    x_span = most + 1.5 + most * 0.25  # room on the right for the names
    # names on the chart for the most-judged sources only, where they do not overlap (every name is in the hover)
    labelled = uncrowded_labels(df, x_span)
    crowded = len(df) > 200
    for grade, part in df.groupby("grade_in_force", sort=True):
        fig.add_trace(go.Scatter(
            # float32 and rounded hover values: 10,000 sources made a 1.2 MB figure that every run sends again
            x=part.judged, y=part["mean"].astype("float32"), mode="markers+text", name=f"{grade}: {grade_words(grade)}",
            text=[escape_label(n) if i in labelled else "" for i, n in zip(part.index, part.name, strict=True)],
            hovertext=[escape_label(n) for n in part.name], textposition="middle right",
            marker=dict(symbol=GRADE_SYMBOL.get(str(grade)[0], "circle"), size=6 if crowded else 12,
                        color=PALETTE[sorted(GRADE_SYMBOL).index(str(grade)[0])]),
            error_y=dict(type="data", symmetric=False, array=(part.high - part["mean"]).astype("float32"),
                         arrayminus=(part["mean"] - part.low).astype("float32"),
                         thickness=0.5 if crowded else 1.5, width=0 if crowded else 6),
            customdata=list(zip(part.low.round(4), part.high.round(4), part.claims, part.derived_grade, strict=True)),
            hovertemplate="%{hovertext}<br>estimate %{y:.2f} (90%% interval %{customdata[0]:.2f}–%{customdata[1]:.2f})"
                          "<br>%{x} judged of %{customdata[2]} claims · derived %{customdata[3]}<extra></extra>",
        ))
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    # one tick per claim on a small record, plotly's round steps on a large one
    fig.update_xaxes(range=[-0.5, x_span - 0.5], tickformat="d", dtick=1 if most <= 10 else None)
    return apply_style(fig, "Source reliability: how often their claims held up", subtitle, footer,
                       "Judged claims (corroborated + contradicted), count", "Claims borne out (mean, 90% interval)")


def grade_words(grade: str) -> str:
    """'F' -> 'not yet judged' (too little track record; F is unknown, not bad): the Admiralty words for a letter."""
    return {"A": "completely reliable", "B": "usually reliable", "C": "fairly reliable", "D": "not usually reliable",
            "E": "unreliable", "F": "not yet judged"}.get(str(grade)[:1], "")
