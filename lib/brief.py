"""A brief: charts with the filters they were made under, captions, key judgements, and its exports.

A brief stores each chart as (registry name, URL filter parameters), not as a
picture, so it is rebuilt from the store when exported: the figures and the
numbered citations under them always agree with the data as of export time.
The PDF is the brief's HTML (charts as inline SVG, so vector) printed by the
same Chromium that renders the images, on A4 or Letter with page numbers and
the marking line; DOCX (python-docx) and PPTX (python-pptx) carry the same
figures as print-sized PNGs. Every format is built from one :func:`assemble`.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import subprocess
import tempfile
import uuid
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from lib import access, catalog, citations, export, figures, store
from lib.dates import format_partial_date
from lib.filters import Filters
from lib.safety import http_url
from lib.sources import claim_status, reliability


@dataclass
class BriefItem:
    """One chart of a brief: which chart, under which filters (URL parameters), with the analyst's caption."""

    chart: str
    params: dict[str, str | list[str]]
    caption: str = ""
    # stable across reordering, so the page's caption box follows its chart rather than its position
    item_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def filters(self) -> Filters:
        return Filters.from_query_params(self.params)

    def figure(self, con: duckdb.DuckDBPyConnection) -> go.Figure:
        """The chart as its page drew it: the filters and the page's own view (the Timeline's lanes)."""
        return figures.build_chart(self.chart, con, self.filters(), **figures.chart_options(self.chart, self.params))


@dataclass
class Brief:
    """What the analyst assembles on the Brief page; survives reruns as JSON in the session and in the store."""

    title: str = "Untitled brief"
    judgements: str = ""
    items: list[BriefItem] = field(default_factory=list)
    brief_id: str = ""
    paper: str = "A4"
    marking: str = ""
    # the store's state when saved (store.Snapshot): a DuckLake snapshot id reopens the brief as it was
    snapshot: int | None = None
    on_team_store: bool = False

    def marking_line(self) -> str:
        """The handling line on every page and export: the brief's own, else $STANCEWATCH_MARKING, else none."""
        return " ".join(self.marking.split())[:200] or export.default_marking()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Brief:
        data = json.loads(text)
        return cls(title=data.get("title", ""), judgements=data.get("judgements", ""), brief_id=data.get("brief_id", ""),
                   items=[BriefItem(**item) for item in data.get("items", [])],
                   paper=data.get("paper") if data.get("paper") in export.PAPERS else "A4", marking=data.get("marking", ""),
                   snapshot=data.get("snapshot") if isinstance(data.get("snapshot"), int) else None,
                   on_team_store=data.get("on_team_store") is True)

    def move(self, index: int, step: int) -> None:
        """Move item ``index`` up (step −1) or down (+1); out-of-range moves do nothing."""
        target = index + step
        if 0 <= index < len(self.items) and 0 <= target < len(self.items):
            self.items[index], self.items[target] = self.items[target], self.items[index]


# -- store ---------------------------------------------------------------------------------
def save(con: duckdb.DuckDBPyConnection, brief: Brief, who: access.Actor) -> str:
    """Save (or overwrite) the brief in the store, audited; returns its id.

    Anyone who may read may save briefs of their own; overwriting someone else's brief is an analyst's edit.
    """
    brief.brief_id = brief.brief_id or f"brief-{uuid.uuid4().hex[:10]}"
    before = con.execute("select content, who from briefs where brief_id = ?", [brief.brief_id]).fetchall()
    who = access.require_own(who, before[0][1] if before else None, access.WRITE, "overwrite the brief")
    seen = store.snapshot_of(con)  # the data the analyst was looking at, before this save makes a snapshot of its own
    brief.snapshot, brief.on_team_store = seen.number, seen.lake

    def write() -> None:  # a retry after a collision audits what the other write left
        with store.transaction(con, who, "save brief") as audit:
            kept = con.execute("select content from briefs where brief_id = ?", [brief.brief_id]).fetchall()
            con.execute(
                """merge into briefs using (select ? as brief_id, ? as title, ? as who, ?::json as content) new
                   on briefs.brief_id = new.brief_id
                   when matched then update set title = new.title, who = new.who, content = new.content, saved_at = now()
                   when not matched then insert (brief_id, title, who, content) values (new.brief_id, new.title, new.who, new.content)""",
                [brief.brief_id, brief.title, who, brief.to_json()],
            )
            audit.row("briefs", brief.brief_id, json.loads(kept[0][0]) if kept else None, json.loads(brief.to_json()))

    store.retry_on_conflict(write)
    return brief.brief_id


def as_it_was(setting: store.Store, brief: Brief) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the store as it was when ``brief`` was saved, to assemble or render it from.

    Only the team store keeps its past (DuckLake snapshots); for a brief saved on a store file this raises
    StoreError with :data:`store.NO_TIME_TRAVEL`, which the Brief page shows instead of a button.
    """
    if brief.snapshot is None or not brief.on_team_store:
        raise store.StoreError(store.NO_TIME_TRAVEL)
    return store.connect(setting, snapshot=brief.snapshot)


def saved_briefs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Briefs in the store, newest first: brief_id, title, saved_at, who."""
    return con.execute("select brief_id, title, saved_at, who from briefs order by saved_at desc").df()


def load(con: duckdb.DuckDBPyConnection, brief_id: str) -> Brief:
    """Reopen a saved brief."""
    rows = con.execute("select content from briefs where brief_id = ?", [brief_id]).fetchall()
    if not rows:
        raise KeyError(f"no saved brief {brief_id!r}")
    return Brief.from_json(rows[0][0])


# -- assembling -------------------------------------------------------------------------------
CITED_KINDS: dict[str, tuple[str, ...]] = {
    "timeline": ("event", "statement", "claim"), "stances": ("statement", "claim"), "sources": ("claim",),
}
"""What each chart draws, and so what its figure cites."""


@dataclass(frozen=True)
class Figure:
    """One chart of the brief as exported: the figure rebuilt from the store, its words and its citation numbers."""

    number: int
    title: str
    filters: str
    caption: str
    source_line: str
    fig: go.Figure
    refs: list[int]


@dataclass(frozen=True)
class Citation:
    """One numbered item the figures rest on, in words."""

    number: int
    when: str
    kind: str
    who: str
    text: str
    source: str
    grade: str
    url: str

    def line(self) -> str:
        """'3 Sep 2025 · claim · Nefes: “…” — Nefes (not yet judged (F); claim possibly true (3))'."""
        return f"{self.when} · {self.kind} · {self.who}: “{self.text}” — {self.source} ({self.grade})"


@dataclass(frozen=True)
class Assembled:
    """Everything every format prints, worked out once."""

    title: str
    made: str
    as_of: str
    judgements: list[str]
    figures: list[Figure]
    citations: list[Citation]
    marking: str
    paper: str

    def meta(self) -> str:
        return f"Prepared {self.made} with Stancewatch · data as of {self.as_of}"


def assemble(con: duckdb.DuckDBPyConnection, brief: Brief) -> Assembled:
    """Rebuild each chart from the store and number what it rests on, in order of first use across figures."""
    names = catalog.names(con)
    numbers: dict[tuple[str, str], int] = {}
    cited: list[tuple] = []
    built = []
    for number, item in enumerate(brief.items, start=1):
        filters = item.filters()
        fig = item.figure(con)
        refs = []
        for row in citations.brief_citations(con, filters, CITED_KINDS.get(item.chart, ("statement", "claim"))).itertuples(index=False):
            key = (row.kind, row.item_id)
            if key not in numbers:
                numbers[key] = len(numbers) + 1
                cited.append(row)
            refs.append(numbers[key])
        meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
        built.append(Figure(number, figures.TITLES.get(item.chart, item.chart), filters.describe(names), item.caption,
                            str(meta.get("source_line", "")), fig, refs))
    as_of = catalog.data_as_of(con)
    return Assembled(
        title=brief.title, made=dt.datetime.now(dt.UTC).strftime("%d %b %Y %H:%M UTC"),
        as_of=as_of.strftime("%d %b %Y %H:%M UTC") if as_of else "unknown",
        judgements=[line.lstrip("-• ").strip() for line in brief.judgements.splitlines() if line.strip()],
        figures=built, citations=_citations(con, cited), marking=brief.marking_line(), paper=brief.paper,
    )


def _citations(con: duckdb.DuckDBPyConnection, cited: list[tuple]) -> list[Citation]:
    """The cited rows in words: the outlet's grade in force and a claim's credibility spelled out."""
    grades = reliability.grades_in_force(con)
    credibility = claim_status.claim_credibility(con, [r.item_id for r in cited if r.kind == "claim"])
    out = []
    for number, row in enumerate(cited, start=1):
        grade = reliability.grade_phrase(grades.get(row.source_id))
        if row.kind == "claim":
            grade += f"; claim {reliability.credibility_phrase(credibility.get(row.item_id, 6))}"
        # only web links: an imported javascript: or data: URL must not become a live link
        url = http_url(row.url) or ""
        out.append(Citation(number, format_partial_date(row.dated, row.date_precision), row.kind,
                            str(row.who) if isinstance(row.who, str) else "unnamed", str(row.text),
                            str(row.source) if isinstance(row.source, str) else "no source", grade, url))
    return out


def cite_ranges(numbers: list[int]) -> str:
    """Citation numbers as compact ranges: [1, 2, 3, 4, 7, 9, 10] -> '[1–4, 7, 9–10]'."""
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for n in ordered:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "[" + ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs) + "]" if runs else ""


# -- HTML and PDF ---------------------------------------------------------------------------------
def render_html(con: duckdb.DuckDBPyConnection, brief: Brief, static: bool = True) -> str:
    """The brief as one self-contained HTML page: judgements, each chart with caption, numbered citations.

    ``static`` inlines SVG images drawn at the width of the chosen paper's text (print and PDF: text
    keeps its size); otherwise interactive plotly charts with plotly.js inlined once (works offline).
    """
    done = assemble(con, brief)
    width = export.print_width(done.paper)
    parts = []
    for figure in done.figures:
        if static:
            svg = export.figure_bytes(figure.fig, "svg", width=width, marking="").decode("utf-8")
            body = svg[svg.index("<svg"):]
        else:
            body = figure.fig.to_html(full_html=False, include_plotlyjs=(figure.number == 1))
        rests_on = f'<p class="refs">Rests on {cite_ranges(figure.refs)}</p>' if figure.refs else ""
        parts.append(
            f'<section class="chart"><h2>Figure {figure.number}. {html.escape(figure.title)}</h2>'
            f'<p class="filters">{html.escape(figure.filters)}</p>{body}'
            f'<p class="caption">{html.escape(figure.caption)}</p>{rests_on}</section>'
        )
    judgements = "".join(f"<li>{html.escape(line)}</li>" for line in done.judgements)
    marking = f'<p class="marking">{html.escape(done.marking)}</p>' if done.marking else ""
    return _PAGE.format(
        title=html.escape(done.title), meta=html.escape(done.meta()), marking=marking,
        page_css=_page_css(done.paper, done.marking),
        judgements=f"<h2>Key judgements</h2><ul>{judgements}</ul>" if judgements else "",
        charts="".join(parts), citations=_citations_html(done.citations),
    )


def _citations_html(cited: list[Citation]) -> str:
    if not cited:
        return ""
    rows = []
    for c in cited:
        link = f' <a href="{html.escape(c.url, quote=True)}">{html.escape(c.url)}</a>' if c.url else ""
        rows.append(f"<li value='{c.number}'>{html.escape(c.line())}{link}</li>")
    return f"<h2>Sources cited</h2><ol class='citations'>{''.join(rows)}</ol>"


def _css_string(text: str) -> str:
    """Text as a CSS string literal: everything but letters, digits and spaces hex-escaped (no way out of the rule)."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text) + '"'


def _page_css(paper: str, marking: str) -> str:
    """The printed page: paper, margins, the marking at the top of every page and 'Page n of N' at the foot."""
    top = f"@top-center {{ content: {_css_string(marking)}; color: #922b21; font-size: 9pt; font-weight: bold; }}" if marking else ""
    return (f"@page {{ size: {paper}; margin: {export.MARGIN_MM}mm; {top} "
            '@bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #566573; } }')


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
{page_css}
body {{ font-family: Helvetica, Arial, sans-serif; color: #1c2833; max-width: 900px; margin: 2em auto; font-size: 11pt; }}
@media print {{ body {{ max-width: none; margin: 0; }} .marking {{ display: none; }} }}
h1 {{ margin-bottom: 0; }} .meta, .filters {{ color: #566573; font-size: 9pt; }}
.marking {{ color: #922b21; font-weight: bold; text-align: center; font-size: 9pt; }}
section.chart {{ page-break-inside: avoid; margin: 1.5em 0; }} section.chart svg {{ width: 100%; height: auto; }}
.caption {{ font-style: italic; }} .refs {{ font-size: 9pt; color: #566573; }}
ol.citations li {{ margin-bottom: 0.4em; font-size: 9pt; }} a {{ word-break: break-all; }}
</style></head><body>
{marking}
<h1>{title}</h1>
<p class="meta">{meta}</p>
{judgements}
{charts}
{citations}
{marking}
</body></html>"""


def render_pdf(html_text: str) -> bytes:
    """Print the brief's HTML to PDF with Chromium (headless); charts stay vector because they are inline SVG.

    Paper, margins, page numbers and the marking come from the page's CSS (@page and its margin boxes).
    """
    browser = export.chromium_path()
    if not browser:
        raise export.ExportUnavailable(f"PDF export needs Chromium: {export.INSTALL_HINT}")
    with tempfile.TemporaryDirectory() as tmp:
        page, pdf = Path(tmp) / "brief.html", Path(tmp) / "brief.pdf"
        page.write_text(html_text, encoding="utf-8")
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp}/profile",
             "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
            check=True, capture_output=True, timeout=120,
        )
        return pdf.read_bytes()


# -- DOCX and PPTX -----------------------------------------------------------------------------------
def render_docx(con: duckdb.DuckDBPyConnection, brief: Brief) -> bytes:
    """The brief as a Word document: title, key judgements, each figure as a print-sized PNG with its caption and
    source line, and the citations as numbered notes with links; the marking in every page's header, page numbers
    in the footer, on the brief's paper."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    done = assemble(con, brief)
    doc = Document()
    section = doc.sections[0]
    width_mm, height_mm = export.PAPERS[done.paper]
    section.page_width, section.page_height = Mm(width_mm), Mm(height_mm)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(export.MARGIN_MM))
    if done.marking:
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.add_run(done.marking)
        run.bold, run.font.size, run.font.color.rgb = True, Pt(9), RGBColor(0x92, 0x2B, 0x21)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer.add_run("Page ").font.size = Pt(9)
    _field(footer, "PAGE")
    doc.add_heading(done.title, level=0)
    _small(doc.add_paragraph(done.meta()))
    if done.judgements:
        doc.add_heading("Key judgements", level=1)
        for line in done.judgements:
            doc.add_paragraph(line, style="List Bullet")
    text_width = Mm(width_mm - 2 * export.MARGIN_MM)
    for figure in done.figures:
        # the heading and filter line stay on the page of their picture
        doc.add_heading(f"Figure {figure.number}. {figure.title}", level=2).paragraph_format.keep_with_next = True
        _small(doc.add_paragraph(figure.filters)).paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
        png = export.figure_bytes(figure.fig, "png", width=export.print_width(done.paper), scale=3, marking="")
        doc.add_picture(io.BytesIO(png), width=text_width)
        if figure.caption:
            doc.add_paragraph().add_run(figure.caption).italic = True
        _small(doc.add_paragraph(figure.source_line))
        if figure.refs:
            _small(doc.add_paragraph(f"Rests on {cite_ranges(figure.refs)}"))
    if done.citations:
        doc.add_heading("Sources cited", level=1)
        for c in done.citations:
            note = doc.add_paragraph()
            note.add_run(f"[{c.number}] ").bold = True
            note.add_run(c.line())
            if c.url:
                note.add_run(" ")
                _hyperlink(note, c.url)
            _small(note)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _small(paragraph: object, size: int = 9) -> object:
    from docx.shared import Pt

    for run in paragraph.runs:  # type: ignore[attr-defined]
        run.font.size = Pt(size)
    return paragraph


def _field(paragraph: object, code: str) -> None:
    """A Word field (PAGE: the page number) that Word fills in when it lays the document out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)  # type: ignore[attr-defined]


def _hyperlink(paragraph: object, url: str) -> None:
    """An external link run (python-docx has no public API for one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)  # type: ignore[attr-defined]
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel)
    run, props, style, text = OxmlElement("w:r"), OxmlElement("w:rPr"), OxmlElement("w:rStyle"), OxmlElement("w:t")
    style.set(qn("w:val"), "Hyperlink")
    colour, underline = OxmlElement("w:color"), OxmlElement("w:u")
    colour.set(qn("w:val"), "1B4F72")
    underline.set(qn("w:val"), "single")
    props.extend([style, colour, underline])
    text.text = url
    run.extend([props, text])
    link.append(run)
    paragraph._p.append(link)  # type: ignore[attr-defined]


SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5


def render_pptx(con: duckdb.DuckDBPyConnection, brief: Brief) -> bytes:
    """The brief as slides (16:9): a title slide with the key judgements, then one slide per figure with its
    picture, caption and source line; the marking and the slide number on every slide."""
    from pptx import Presentation
    from pptx.util import Inches, Pt

    done = assemble(con, brief)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(SLIDE_W_IN), Inches(SLIDE_H_IN)
    blank = deck.slide_layouts[6]
    total = len(done.figures) + 1

    def slide_with(title: str, number: int, title_size: int = 28) -> object:
        slide = deck.slides.add_slide(blank)
        _text(slide, title, 0.5, 0.35, SLIDE_W_IN - 1, 0.8, Pt(title_size), bold=True)
        if done.marking:
            _text(slide, done.marking, 0.5, 0.05, SLIDE_W_IN - 1, 0.3, Pt(11), bold=True, colour=(0x92, 0x2B, 0x21), centre=True)
        _text(slide, f"{number} / {total}", SLIDE_W_IN - 1.5, SLIDE_H_IN - 0.45, 1.0, 0.3, Pt(10), right=True)
        return slide

    first = slide_with(done.title, 1, title_size=36)
    _text(first, done.meta(), 0.5, 1.25, SLIDE_W_IN - 1, 0.4, Pt(14), colour=(0x56, 0x65, 0x73))
    if done.judgements:
        _text(first, "Key judgements", 0.5, 1.9, SLIDE_W_IN - 1, 0.5, Pt(20), bold=True)
        _text(first, "\n".join(f"• {line}" for line in done.judgements), 0.5, 2.45, SLIDE_W_IN - 1, 4.3, Pt(16))
    for figure in done.figures:
        slide = slide_with(f"Figure {figure.number}. {figure.title}", figure.number + 1, title_size=24)
        _text(slide, figure.filters, 0.5, 1.0, SLIDE_W_IN - 1, 0.35, Pt(12), colour=(0x56, 0x65, 0x73))
        png = export.figure_bytes(figure.fig, "png", width=900, scale=2, marking="")
        box_w, box_h = SLIDE_W_IN - 1, 4.85
        aspect = (figure.fig.layout.height or 480) / 900
        pic_w = min(box_w, box_h / aspect)
        slide.shapes.add_picture(io.BytesIO(png), Inches((SLIDE_W_IN - pic_w) / 2), Inches(1.4), width=Inches(pic_w))  # type: ignore[attr-defined]
        if figure.caption:
            _text(slide, figure.caption, 0.5, 6.3, SLIDE_W_IN - 1, 0.45, Pt(14), italic=True)
        _text(slide, figure.source_line, 0.5, 6.8, SLIDE_W_IN - 2.2, 0.35, Pt(10), colour=(0x56, 0x65, 0x73))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def _text(slide: object, text: str, left: float, top: float, width: float, height: float, size: object, *,
          bold: bool = False, italic: bool = False, colour: tuple[int, int, int] | None = None, centre: bool = False,
          right: bool = False) -> None:
    """A word-wrapped text box on a slide, positioned in inches."""
    from pptx.dml.color import RGBColor
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))  # type: ignore[attr-defined]
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(text.split("\n")):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = PP_ALIGN.CENTER if centre else PP_ALIGN.RIGHT if right else PP_ALIGN.LEFT
        run = paragraph.add_run()
        run.text = line
        run.font.size, run.font.bold, run.font.italic = size, bold, italic
        if colour:
            run.font.color.rgb = RGBColor(*colour)


# -- zip ---------------------------------------------------------------------------------------------
def render_zip(con: duckdb.DuckDBPyConnection, brief: Brief) -> bytes:
    """The brief's HTML, each chart as PNG and SVG (with the marking), and each chart's data as CSV, in one zip."""
    buffer = io.BytesIO()
    marking = brief.marking_line()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("brief.html", render_html(con, brief))
        names, as_of = catalog.names(con), catalog.data_as_of(con)
        for number, item in enumerate(brief.items, start=1):
            filters = item.filters()
            fig = item.figure(con)
            for fmt in ("png", "svg"):
                archive.writestr(f"{number:02d}_{export.file_name(item.chart, filters, fmt)}",
                                 export.figure_bytes(fig, fmt, marking=marking))
            table = figures.build_table(item.chart, con, filters)
            archive.writestr(f"{number:02d}_{export.file_name(item.chart, filters, 'csv')}",
                             export.table_bytes(table, "csv", figures.TITLES[item.chart], filters.describe(names), as_of))
    return buffer.getvalue()
