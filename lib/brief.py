"""A brief: charts with the filters they were made under, captions, key judgements, and its exports.

A brief stores each chart as (registry name, URL filter parameters), not as a
picture, so it is rebuilt from the store when exported: the figures and the
numbered citations under them always agree with the data as of export time.
The PDF is the brief's HTML (charts as inline SVG, so vector) printed by the
same Chromium that renders the images.
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

from lib import export, figures, queries, reliability, store
from lib.dates import format_partial_date
from lib.filters import Filters
from lib.safety import http_url


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


@dataclass
class Brief:
    """What the analyst assembles on the Brief page; survives reruns as JSON in the session and in the store."""

    title: str = "Untitled brief"
    judgements: str = ""
    items: list[BriefItem] = field(default_factory=list)
    brief_id: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Brief:
        data = json.loads(text)
        return cls(title=data.get("title", ""), judgements=data.get("judgements", ""), brief_id=data.get("brief_id", ""),
                   items=[BriefItem(**item) for item in data.get("items", [])])

    def move(self, index: int, step: int) -> None:
        """Move item ``index`` up (step −1) or down (+1); out-of-range moves do nothing."""
        target = index + step
        if 0 <= index < len(self.items) and 0 <= target < len(self.items):
            self.items[index], self.items[target] = self.items[target], self.items[index]


# -- store ---------------------------------------------------------------------------------
def save(con: duckdb.DuckDBPyConnection, brief: Brief, who: str) -> str:
    """Save (or overwrite) the brief in the store, audited; returns its id."""
    brief.brief_id = brief.brief_id or f"brief-{uuid.uuid4().hex[:10]}"
    before = con.execute("select content from briefs where brief_id = ?", [brief.brief_id]).fetchall()
    with store.transaction(con, who, "save brief") as audit:
        con.execute(
            """insert into briefs (brief_id, title, who, content) values (?, ?, ?, ?)
               on conflict (brief_id) do update set title = excluded.title, who = excluded.who,
                   content = excluded.content, saved_at = now()""",
            [brief.brief_id, brief.title, who, brief.to_json()],
        )
        audit.row("briefs", brief.brief_id, json.loads(before[0][0]) if before else None, json.loads(brief.to_json()))
    return brief.brief_id


def saved_briefs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Briefs in the store, newest first: brief_id, title, saved_at, who."""
    return con.execute("select brief_id, title, saved_at, who from briefs order by saved_at desc").df()


def load(con: duckdb.DuckDBPyConnection, brief_id: str) -> Brief:
    """Reopen a saved brief."""
    rows = con.execute("select content from briefs where brief_id = ?", [brief_id]).fetchall()
    if not rows:
        raise KeyError(f"no saved brief {brief_id!r}")
    return Brief.from_json(rows[0][0])


# -- rendering -------------------------------------------------------------------------------
def render_html(con: duckdb.DuckDBPyConnection, brief: Brief, static: bool = True) -> str:
    """The brief as one self-contained HTML page: judgements, each chart with caption, numbered citations.

    ``static`` inlines SVG images (print and PDF); otherwise interactive plotly
    charts with plotly.js inlined once (works offline).
    """
    names = queries.names(con)
    parts: list[str] = []
    numbers: dict[str, int] = {}  # citation number by statement/claim id, in order of first use
    cited_rows: list[tuple] = []
    for number, item in enumerate(brief.items, start=1):
        filters = item.filters()
        fig = figures.build_chart(item.chart, con, filters)
        body = _svg_body(fig) if static else fig.to_html(full_html=False, include_plotlyjs=(number == 1))
        refs = []
        for row in queries.brief_citations(con, filters).itertuples(index=False):
            if row.item_id not in numbers:
                numbers[row.item_id] = len(numbers) + 1
                cited_rows.append(row)
            refs.append(numbers[row.item_id])
        rests_on = f'<p class="refs">Rests on {", ".join(f"[{n}]" for n in refs)}</p>' if refs else ""
        parts.append(
            f'<section class="chart"><h2>Figure {number}. {html.escape(figures.TITLES.get(item.chart, item.chart))}</h2>'
            f'<p class="filters">{html.escape(filters.describe(names))}</p>{body}'
            f'<p class="caption">{html.escape(item.caption)}</p>{rests_on}</section>'
        )
    as_of = queries.data_as_of(con)
    stamp = as_of.strftime("%d %b %Y %H:%M UTC") if as_of else "unknown"
    judgements = "".join(f"<li>{html.escape(line.lstrip('-• ').strip())}</li>" for line in brief.judgements.splitlines() if line.strip())
    return _PAGE.format(
        title=html.escape(brief.title), made=dt.datetime.now(dt.UTC).strftime("%d %b %Y %H:%M UTC"), as_of=stamp,
        judgements=f"<h2>Key judgements</h2><ul>{judgements}</ul>" if judgements else "",
        charts="".join(parts), citations=_citations_html(
            cited_rows, reliability.grades_in_force(con),
            queries.claim_credibility(con, [r.item_id for r in cited_rows if r.kind == "claim"])),
    )


def _svg_body(fig: object) -> str:
    svg = export.figure_bytes(fig, "svg").decode("utf-8")
    return svg[svg.index("<svg"):]


def _citations_html(cited: list[tuple], grades: dict[str, str], credibility: dict[str, int]) -> str:
    """Numbered citations: date, kind, who, the words, the outlet with its grade (and a claim's credibility), the link."""
    if not cited:
        return ""
    rows = []
    for number, row in enumerate(cited, start=1):
        grade = f"grade {grades[row.source_id]}" if row.source_id in grades else "not graded"
        if row.kind == "claim":
            grade += f" · credibility {credibility.get(row.item_id, 6)}"
        # only web links: an imported javascript: or data: URL must not become a live link
        url = http_url(row.url) or ""
        link = f' <a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>' if url else ""
        rows.append(
            f"<li value='{number}'>{html.escape(format_partial_date(row.dated, row.date_precision))} · {row.kind} · "
            f"{html.escape(str(row.who))}: “{html.escape(str(row.text))}” — {html.escape(str(row.source))}"
            f" ({html.escape(grade)}){link}</li>"
        )
    return f"<h2>Sources cited</h2><ol class='citations'>{''.join(rows)}</ol>"


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; color: #1c2833; max-width: 900px; margin: 2em auto; }}
h1 {{ margin-bottom: 0; }} .meta, .filters {{ color: #566573; font-size: 0.9em; }}
section.chart {{ page-break-inside: avoid; margin: 2em 0; }} section.chart svg {{ width: 100%; height: auto; }}
.caption {{ font-style: italic; }} .refs {{ font-size: 0.85em; color: #566573; }} ol.citations li {{ margin-bottom: 0.4em; font-size: 0.9em; }}
</style></head><body>
<h1>{title}</h1>
<p class="meta">Prepared {made} with Stancewatch · data as of {as_of}</p>
{judgements}
{charts}
{citations}
</body></html>"""


def render_pdf(html_text: str) -> bytes:
    """Print the brief's HTML to PDF with Chromium (headless); charts stay vector because they are inline SVG."""
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


def render_zip(con: duckdb.DuckDBPyConnection, brief: Brief) -> bytes:
    """The brief's HTML, each chart as PNG and SVG, and each chart's data as CSV, in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("brief.html", render_html(con, brief))
        names, as_of = queries.names(con), queries.data_as_of(con)
        for number, item in enumerate(brief.items, start=1):
            filters = item.filters()
            fig = figures.build_chart(item.chart, con, filters)
            for fmt in ("png", "svg"):
                archive.writestr(f"{number:02d}_{export.file_name(item.chart, filters, fmt)}", export.figure_bytes(fig, fmt))
            table = figures.build_table(item.chart, con, filters)
            archive.writestr(f"{number:02d}_{export.file_name(item.chart, filters, 'csv')}",
                             export.table_bytes(table, "csv", figures.TITLES[item.chart], filters.describe(names), as_of))
    return buffer.getvalue()
