"""Charts and tables out of the dashboard: PNG/SVG/PDF/HTML figures, CSV/XLSX tables, safe file names.

Static images are rendered by kaleido in Debian's Chromium. Starting a browser
costs seconds, so one kaleido server is kept per process (``ensure_renderer``);
each image after the first takes a fraction of a second. Every figure is given
the explicit brief template before export: importing streamlit switches
plotly's default template to one only a browser can resolve.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import shutil
import threading
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from lib import catalog, charts, figures
from lib.filters import Filters

STATIC_FORMATS = ("png", "svg", "pdf")
CHART_FORMATS = (*STATIC_FORMATS, "html")
TABLE_FORMATS = ("csv", "xlsx")
MIME = {
    "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf", "html": "text/html",
    "csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
INSTALL_HINT = "apt-get install -y --no-install-recommends chromium"
CHROMIUM_MISSING = (f"PNG, SVG, PDF, DOCX and PPTX exports need Chromium, and this server has none (no `chromium` on "
                    f"its PATH). Add it with `sudo {INSTALL_HINT}` (or `make chromium` as root), then restart the app.")
"""What an export button says when Chromium is missing: what is missing and the one command that adds it."""
PAPERS: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
"""Paper sizes a brief can be laid out for, in millimetres (width, height)."""
MARGIN_MM = 16.0
"""Page margin on every side of a printed brief."""
CSS_PX_PER_MM = 96 / 25.4


def print_width(paper: str = "A4") -> int:
    """The width between the margins of a page, in CSS pixels: a figure drawn this wide prints at its own font
    sizes (13 px text is 9.75 pt, the 11 px source line 8.25 pt) instead of being shrunk to fit."""
    return round((PAPERS[paper][0] - 2 * MARGIN_MM) * CSS_PX_PER_MM)


DEFAULT_WIDTH, DEFAULT_SCALE = print_width("A4"), 3.0
"""PNG exports are print-sized: the A4 text width at 3x (about 290 dpi), so text keeps its size on paper."""
MARKING_ENV = "STANCEWATCH_MARKING"


def default_marking() -> str:
    """The handling line printed on every exported page and image ($STANCEWATCH_MARKING), empty by default."""
    return " ".join(os.environ.get(MARKING_ENV, "").split())[:200]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_renderer_lock = threading.Lock()
_renderer_started = False


class ExportUnavailable(RuntimeError):
    """Static export needs Chromium; the message says how to install it."""


def chromium_path() -> str | None:
    """The Chromium kaleido will use, or None when the machine has none."""
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def ensure_renderer() -> None:
    """Start the process's one kaleido browser if it is not running yet (thread-safe, idempotent)."""
    global _renderer_started
    if _renderer_started:
        return
    if not chromium_path():
        raise ExportUnavailable(CHROMIUM_MISSING)
    import kaleido

    with _renderer_lock:
        if not _renderer_started:
            kaleido.start_sync_server(silence_warnings=True)
            _renderer_started = True


def print_figure(fig: go.Figure, marking: str | None = None) -> go.Figure:
    """A copy of the figure in the light print style (whatever the app's theme) carrying the marking line."""
    fig = go.Figure(fig)
    fig.update_layout(template=charts.BRIEF_TEMPLATE, paper_bgcolor="white", plot_bgcolor="white")
    marking = default_marking() if marking is None else marking
    if marking:
        fig.add_annotation(text=charts.escape_label(marking), xref="paper", yref="paper", x=1, y=1, xanchor="right",
                           yanchor="top", yshift=int(fig.layout.margin.t or 90) - 4, showarrow=False,
                           font=dict(size=11, color="#922b21"))
    return fig


def figure_bytes(fig: go.Figure, fmt: str, width: int = DEFAULT_WIDTH, scale: float = DEFAULT_SCALE,
                 marking: str | None = None) -> bytes:
    """Render a figure as PNG, SVG, PDF or self-contained HTML (plotly.js inlined, works offline).

    Always in the light print style, with the marking line (default: $STANCEWATCH_MARKING) when there is one.
    """
    if fmt not in CHART_FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}: use one of {', '.join(CHART_FORMATS)}")
    fig = print_figure(fig, marking)
    height = int(fig.layout.height or 480)
    if fmt == "html":
        return fig.to_html(include_plotlyjs=True, full_html=True, config={"displaylogo": False}).encode("utf-8")
    ensure_renderer()
    import kaleido

    with _renderer_lock:  # one browser tab serves the process; requests are serialised
        return kaleido.calc_fig_sync(fig, opts={"format": fmt, "width": width, "height": height, "scale": scale})


MAX_STEM = 90
"""A longer file name is cut and ends in a hash of everything it stood for, so it stays unique."""


def file_stem(kind: str, filters: Filters, *extra: str) -> str:
    """A name that says what the file is and is safe on any OS: 'stances_s400_2019-01-01_2025-09-30'.

    Every chosen filter is in it (``extra``: the page's own view, e.g. 'by-topic'). A name over
    MAX_STEM characters is cut and given a stable 8-character hash of the full name, so two views
    never share a name and no chosen actor disappears without trace.
    """
    full = re.sub(r"[^A-Za-z0-9._-]+", "-", "_".join([kind, filters.slug(), *extra])).strip("-.") or "export"
    if len(full) <= MAX_STEM:
        return full
    return f"{full[:MAX_STEM - 9].rstrip('-._')}_{hashlib.sha1(full.encode()).hexdigest()[:8]}"


def file_name(kind: str, filters: Filters, ext: str, *extra: str) -> str:
    """file_stem plus the extension: 'stances_s400_2019-01-01_2025-09-30.png'."""
    return f"{file_stem(kind, filters, *extra)}.{ext}"


# -- tables ----------------------------------------------------------------------------
def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with a quote; numbers and other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    safe = df.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    return safe


def table_bytes(df: pd.DataFrame, fmt: str, title: str, described: str, as_of: dt.datetime | catalog.AsOf | None) -> bytes:
    """CSV (with '#' header lines) or XLSX (with an 'About' sheet) of exactly these rows, formulas neutralised."""
    stamp = as_of.strftime("%Y-%m-%d %H:%M UTC") if as_of else "unknown"
    about = [("Table", title), ("Filters", described), ("Data as of", stamp), ("Rows", f"{len(df):,}"), ("Source", "Stancewatch")]
    safe = _safe_frame(df)
    if fmt == "csv":
        buffer = io.StringIO()
        # One quoted cell per header line, on one line: a comma or line break in the filter words (the
        # search text is typed by the analyst) must not start a new cell that a spreadsheet could run.
        header = csv.writer(buffer, lineterminator="\r\n")
        for key, value in about:
            header.writerow([f"# {key}: {' '.join(str(value).split())}"])
        # RFC 4180 line ends: with them the writer also quotes a field holding a bare carriage return
        safe.to_csv(buffer, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        return buffer.getvalue().encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            _without_timezones(safe).to_excel(writer, sheet_name="Data", index=False)
            pd.DataFrame(about, columns=["", ""]).map(neutralise).to_excel(writer, sheet_name="About", index=False, header=False)
        return buffer.getvalue()
    raise ValueError(f"unknown table format {fmt!r}: use one of {', '.join(TABLE_FORMATS)}")


def _without_timezones(df: pd.DataFrame) -> pd.DataFrame:
    """Excel cells cannot hold time zones; keep the wall time in UTC."""
    out = df.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


# -- the registry, as the CLI and the brief use it ------------------------------------------
def export_chart(con: duckdb.DuckDBPyConnection, chart: str, filters: Filters, fmt: str, out: Path,
                 width: int = DEFAULT_WIDTH, scale: float = DEFAULT_SCALE) -> Path:
    """Write one registry chart under these filters to ``out`` (a file, or a folder to name the file in)."""
    fig = figures.build_chart(chart, con, filters)
    target = Path(out) / file_name(chart, filters, fmt) if Path(out).is_dir() else Path(out)
    target.write_bytes(figure_bytes(fig, fmt, width, scale))
    return target


def export_table(con: duckdb.DuckDBPyConnection, table: str, filters: Filters, fmt: str, out: Path) -> Path:
    """Write one registry table under these filters to ``out`` as CSV or XLSX."""
    df = figures.build_table(table, con, filters)
    target = Path(out) / file_name(table, filters, fmt) if Path(out).is_dir() else Path(out)
    target.write_bytes(table_bytes(df, fmt, table, filters.describe(catalog.names(con)), catalog.data_as_of(con)))
    return target
