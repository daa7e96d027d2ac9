"""Exports: images that stand alone, tables that cannot run formulas, file names safe anywhere."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from PIL import Image

from lib import charts, export, figures
from lib.filters import Filters

needs_chromium = pytest.mark.skipif(export.chromium_path() is None, reason="NO CHROMIUM: static export not tested")


def _figure() -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3], mode="lines+markers", name="series"))
    return charts.apply_style(fig, "Test chart title", "all dates · Turkey", "Source: Stancewatch, 3 items", "Time (days)", "Count")


@needs_chromium
def test_png_has_requested_size_and_is_not_blank() -> None:
    """A PNG at width 800, scale 2 is 1600 px wide, decodes, and has more than one colour (not the black-chart trap)."""
    image = Image.open(io.BytesIO(export.figure_bytes(_figure(), "png", width=800, scale=2)))
    assert image.size == (1600, 960)
    colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 10
    assert max(colours)[1] == (255, 255, 255)  # a white page, not a black one


@needs_chromium
def test_svg_carries_the_title_and_pdf_has_a_page() -> None:
    """The SVG contains the title text; the PDF is a PDF with at least one page."""
    assert "Test chart title" in export.figure_bytes(_figure(), "svg").decode("utf-8")
    pdf = export.figure_bytes(_figure(), "pdf")
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf


def test_html_is_self_contained() -> None:
    """The HTML export inlines plotly.js, so it works offline."""
    page = export.figure_bytes(_figure(), "html").decode("utf-8")
    assert "Test chart title" in page and "<script src=" not in page and len(page) > 1_000_000


def test_without_chromium_static_export_says_how_and_html_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no browser on the machine a PNG asks for the one install command, and HTML export still works."""
    monkeypatch.setattr(export, "chromium_path", lambda: None)
    monkeypatch.setattr(export, "_renderer_started", False)
    with pytest.raises(export.ExportUnavailable, match=re.escape(export.INSTALL_HINT)):
        export.figure_bytes(_figure(), "png")
    assert b"Test chart title" in export.figure_bytes(_figure(), "html")


FORMULAS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_csv_neutralises_formula_cells_and_names_filters() -> None:
    """Every formula-like text cell gets a leading quote; numbers stay numbers; the header says filters and date."""
    df = pd.DataFrame({"text": [*FORMULAS, "plain"], "n": [-1, 2, 3, 4, 5, 6, 7]})
    data = export.table_bytes(df, "csv", "claims", "all dates", dt.datetime(2025, 9, 30, 12, 0)).decode("utf-8")
    assert data.startswith("# Table: claims\r\n# Filters: all dates\r\n# Data as of: 2025-09-30 12:00 UTC")
    rows = list(csv.reader(io.StringIO(data.split("\r\n", 5)[5], newline="")))
    assert [r[0] for r in rows[1:]] == [f"'{f}" for f in FORMULAS] + ["plain"]
    assert [r[1] for r in rows[1:]] == ["-1", "2", "3", "4", "5", "6", "7"]


def test_csv_header_keeps_typed_filter_words_in_one_cell() -> None:
    """Search text with commas and line breaks stays inside the header's one '#' cell: no cell starts a formula."""
    described = 'all dates · matching "a,=HYPERLINK(1)\n=cmd|x"'
    data = export.table_bytes(pd.DataFrame({"n": [1]}), "csv", "claims", described, None).decode("utf-8")
    rows = list(csv.reader(io.StringIO(data, newline="")))
    assert rows[1] == ['# Filters: all dates · matching "a,=HYPERLINK(1) =cmd|x"']
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]


def test_xlsx_neutralises_formula_cells_and_has_an_about_sheet() -> None:
    """The XLSX has no formula cell anywhere and an About sheet naming the filters."""
    df = pd.DataFrame({"text": FORMULAS, "n": range(6)})
    book = load_workbook(io.BytesIO(export.table_bytes(df, "xlsx", "claims", "=evil filter", None)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert book["About"]["B2"].value == "'=evil filter"
    assert book["Data"]["B2"].value == 0


@given(st.text(max_size=60), st.text(max_size=30))
def test_file_names_are_safe_on_any_os(topic: str, actor: str) -> None:
    """Whatever the filters hold, the file name has only safe characters, no path parts, and a sane length."""
    name = export.file_name("stances", Filters(topics=(topic,), actors=(actor,)), "png")
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.png", name) and len(name) <= 160 and not name.startswith(".")


def test_file_name_says_what_it_is() -> None:
    """The name carries the chart, the topic and the date range."""
    filters = Filters(topics=("s400",), date_from=dt.date(2019, 1, 1), date_to=dt.date(2025, 9, 30))
    assert export.file_name("stances", filters, "png") == "stances_s400_2019-01-01_2025-09-30.png"


# -- the registry on the seed store: these need every page's builder (lib.timeline.timeline, lib.stances.stance,
# lib.sources.reliability), so the timeline and sources cases pass once those branches are merged.
S400 = Filters(topics=("s400",))


@pytest.mark.parametrize("chart", figures.CHARTS)
def test_every_registry_chart_is_styled_for_a_brief(chart: str, seeded) -> None:
    """Each exportable chart builds on the seed store with a title, the filters in words and the source line."""
    fig = figures.CHARTS[chart](seeded, S400)
    assert fig.layout.title.text
    assert "topic Turkey's S-400 systems" in fig.layout.title.subtitle.text
    assert " · Stancewatch · data as of " in fig.layout.meta["source_line"]
    assert any("Stancewatch" in (a.text or "") for a in fig.layout.annotations)
    assert fig.layout.template.layout.paper_bgcolor == "white"  # explicit template: no black exports
    assert not figures.TABLES[chart](seeded, S400).empty


def _check_chart_file(path, fmt: str, width: int, scale: float) -> None:
    data = path.read_bytes()
    if fmt == "png":
        image = Image.open(io.BytesIO(data))
        assert image.width == int(width * scale)
        assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 10
    elif fmt == "svg":
        assert data.lstrip().startswith(b"<svg") and b"S-400" in data
    elif fmt == "pdf":
        assert data.startswith(b"%PDF") and re.search(rb"/Type\s*/Page\b", data)
    else:
        assert b"plotly" in data and b"<script src=" not in data


@needs_chromium
@pytest.mark.parametrize("fmt", export.CHART_FORMATS)
@pytest.mark.parametrize("chart", figures.CHARTS)
def test_export_chart_writes_a_checked_file(chart: str, fmt: str, seeded, tmp_path) -> None:
    """export_chart (the CLI's call) writes each registry chart in each format, named after chart and filters."""
    path = export.export_chart(seeded, chart, S400, fmt, tmp_path, width=900, scale=1.5)
    assert path.name == f"{chart}_s400_start_now.{fmt}"
    _check_chart_file(path, fmt, 900, 1.5)


@pytest.mark.parametrize("fmt", export.TABLE_FORMATS)
@pytest.mark.parametrize("table", figures.TABLES)
def test_export_table_writes_exactly_the_filtered_rows(table: str, fmt: str, seeded, tmp_path) -> None:
    """export_table writes the page's table rows under the filters, with the filters named in the header block."""
    expected = figures.TABLES[table](seeded, S400)
    path = export.export_table(seeded, table, S400, fmt, tmp_path / f"out.{fmt}")
    if fmt == "csv":
        text = path.read_text(encoding="utf-8")
        assert "# Filters: all dates · topic Turkey's S-400 systems" in text
        body = pd.read_csv(io.StringIO(text), comment=None, skiprows=5)
    else:
        book = load_workbook(path)
        assert book["About"]["B2"].value == "all dates · topic Turkey's S-400 systems"
        body = pd.read_excel(path, sheet_name="Data")
    assert len(body) == len(expected) and list(body.columns) == [str(c) for c in expected.columns]


@needs_chromium
def test_cli_writes_the_same_png_as_the_page_button(seeded_path, tmp_path) -> None:
    """`export chart stances --topic s400` gives the bytes the page's PNG button gives for those filters."""
    from lib import cli, store

    con = store.connect(seeded_path)
    page_button = export.figure_bytes(figures.CHARTS["stances"](con, S400), "png")
    con.close()
    out = tmp_path / "cli.png"
    assert cli.main(["--db", str(seeded_path), "export", "chart", "stances", "--format", "png", "--out", str(out), "--topic", "s400"]) == 0
    assert out.read_bytes() == page_button


def test_source_line_names_the_busiest_sources() -> None:
    """The source line names up to three outlets, busiest first, and counts the rest; without names it counts."""
    from lib import charts

    many = ["TASS", "Daily Sabah", "Hürriyet Daily News", *[f"outlet {i}" for i in range(20)]]
    assert charts.source_line(29, 23, None, many) == (
        "Sources: TASS, Daily Sabah, Hürriyet Daily News and 20 others · Stancewatch · data as of unknown time")
    assert charts.source_line(2, 2, None, ["Nefes", "RIA Novosti"]).startswith("Sources: Nefes and RIA Novosti · ")
    assert charts.source_line(1, 1, None, ["Nefes"]).startswith("Source: Nefes · Stancewatch")
    assert charts.source_line(1, 1, None) == "1 item from 1 source · Stancewatch · data as of unknown time"
    assert charts.source_names(pd.Series(["b", "a", "a", None, "c", "b", "a"])) == ["a", "b", "c"]


def test_timeline_source_line_names_its_outlets(seeded) -> None:
    """The Timeline's chart names the outlets of the items it draws."""
    from lib.timeline import timeline

    footer = timeline.build_chart(seeded, Filters(topics=("s400",))).layout.meta["source_line"]
    assert footer.startswith("Sources: News About Turkey") and "Stancewatch · data as of" in footer


def test_dark_page_copy_lightens_marks_and_exports_stay_light(seeded) -> None:
    """The dark-theme copy has a transparent ground and lighter marks; the figure itself, and every export, stays light."""
    from lib.timeline import timeline

    fig = timeline.build_chart(seeded, S400)
    dark = charts.for_dark_page(fig)
    assert dark.layout.paper_bgcolor == charts.DARK_BACKGROUND and dark.layout.template.layout.font.color == "#e5e8e8"
    contradicted = next(t for t in dark.data if t.name == "claim: contradicted")
    assert contradicted.marker.color == "#ec7063"
    assert next(t for t in fig.data if t.name == "claim: contradicted").marker.color == "#922b21"  # original untouched
    printed = export.print_figure(dark)
    assert printed.layout.paper_bgcolor == "white" and printed.layout.template.layout.font.color == "#1c2833"


@pytest.mark.parametrize("chart", figures.CHARTS)
def test_no_text_under_8_points_when_printed(chart: str, seeded) -> None:
    """Drawn at the print width (1 CSS px = 0.75 pt), every font a chart sets is at least 11 px, i.e. 8.25 pt."""
    fig = export.print_figure(figures.CHARTS[chart](seeded, S400))
    sizes = [fig.layout.template.layout.font.size, fig.layout.font.size, fig.layout.legend.font.size,
             *(a.font.size for a in fig.layout.annotations), fig.layout.yaxis.tickfont.size, fig.layout.xaxis.tickfont.size]
    assert min(size for size in sizes if size is not None) >= 11
