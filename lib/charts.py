"""DataFrame -> plotly Figure, in one brief-ready style.

Every chart is titled, has labelled axes with units, a subtitle with the active
filters in words and a source line, and stays readable in black-and-white
print: series differ by marker shape and line dash as well as by colour. The
template is explicit because importing streamlit changes plotly's default to
one only a browser can resolve (exported images would come out black).
"""

from __future__ import annotations

import datetime as dt

import plotly.graph_objects as go
import plotly.io as pio

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
    "unclear": {"color": "#909497", "symbol": "circle-open"},
}
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


def source_line(n_items: int, n_sources: int, as_of: dt.datetime | None) -> str:
    """The footer every chart carries: how much data, from how many outlets, as of when."""
    stamp = as_of.strftime("%d %b %Y %H:%M UTC") if as_of else "unknown time"
    return f"Source: Stancewatch, {n_items:,} items from {n_sources:,} sources · data as of {stamp}"


def apply_style(fig: go.Figure, title: str, subtitle: str, footer: str, x_title: str, y_title: str, height: int = 480) -> go.Figure:
    """Give a figure the brief style: title, filters as subtitle, axis titles, source line at the foot."""
    fig.update_layout(
        template=BRIEF_TEMPLATE,
        title=dict(text=_escape(title), subtitle=dict(text=_escape(subtitle)), x=0, xanchor="left"),
        height=height,
        margin=dict(l=70, r=30, t=90, b=120),
    )
    fig.update_xaxes(title_text=_escape(x_title))
    fig.update_yaxes(title_text=_escape(y_title))
    fig.add_annotation(
        text=_escape(footer), xref="paper", yref="paper", x=0, y=0, yshift=-105,
        xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=10, color="#566573"),
    )
    return fig


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
#

# === Stance charts (issue 4) ===================================================
# builders: stance_figure
#

# === Source reliability charts (issue 5) =======================================
# builders: reliability_figure
#
