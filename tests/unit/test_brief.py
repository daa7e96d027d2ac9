"""The brief: saved and reopened through the audited store, rendered with escaped text, numbered citations, PDF and zip."""

from __future__ import annotations

import io
import re
import zipfile

import plotly.graph_objects as go
import pytest

from lib import brief, charts, export, figures, store
from lib.brief import Brief, BriefItem

needs_chromium = pytest.mark.skipif(export.chromium_path() is None, reason="NO CHROMIUM: brief PDF and zip not tested")
S400 = {"topic": ["s400"]}


def _plain_chart(con, filters) -> go.Figure:
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    return charts.apply_style(fig, "Plain", filters.describe(), "Source: Stancewatch, 2 items from 1 source", "x", "y")


def test_move_reorders_and_ignores_moves_off_the_ends() -> None:
    """Moving the first chart down swaps it with the second; moving it up does nothing."""
    two = Brief(items=[BriefItem("stances", {}, "a"), BriefItem("stances", {}, "b")])
    two.move(0, -1)
    assert [i.caption for i in two.items] == ["a", "b"]
    two.move(0, 1)
    assert [i.caption for i in two.items] == ["b", "a"]


def test_save_overwrite_and_load_are_audited(seeded) -> None:
    """Saving twice keeps one row, writes two audit rows (the second with the old content), and reopens the latest."""
    draft = Brief(title="First", judgements="J", items=[BriefItem("stances", S400, "cap")])
    brief_id = brief.save(seeded, draft, who="analyst")
    version = store.data_version(seeded)
    draft.title = "Second"
    assert brief.save(seeded, draft, who="analyst") == brief_id
    assert store.data_version(seeded) == version + 1
    reopened = brief.load(seeded, brief_id)
    assert (reopened.title, reopened.items[0].params, reopened.items[0].caption) == ("Second", S400, "cap")
    assert list(brief.saved_briefs(seeded).title) == ["Second"]
    audit = seeded.execute(
        "select before->>'title', after->>'title' from audit_log where table_name = 'briefs' order by audit_id"
    ).fetchall()
    assert audit == [(None, "First"), ("First", "Second")]


def test_html_shows_user_text_as_text(seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Title, judgements and captions holding markup come out escaped, never as live HTML."""
    monkeypatch.setattr(figures, "build_chart", lambda name, con, filters: _plain_chart(con, filters))
    evil = "<script>alert(1)</script>"
    page = brief.render_html(seeded, Brief(title=evil, judgements=f"- {evil}", items=[BriefItem("stances", {}, evil)]), static=False)
    assert evil not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 4  # <title>, <h1>, judgement, caption


def test_citations_are_numbered_with_grades_and_web_links_only(seeded) -> None:
    """Each figure names the statements and claims it rests on; the list gives source grades and only http(s) links."""
    with store.transaction(seeded, "tests", "grade and a bad link") as audit:
        seeded.execute("update sources set analyst_grade = 'F' where source_id = 'nefes'")
        seeded.execute("update documents set url = 'javascript:alert(1)' where document_id = 'ria-2025-09'")
        audit.bulk("sources", {"test": "grade nefes, bad url on ria"})
    two = Brief(items=[BriefItem("stances", S400), BriefItem("stances", {"topic": ["s400"], "actor": ["TUR-MSB"]})])
    page = brief.render_html(seeded, two, static=False)
    cited = re.findall(r"<li value='(\d+)'>(.*?)</li>", page)
    assert len(cited) == 4  # two statements and two claims on the S-400
    text = {n: body for n, body in cited}
    nefes = next(body for body in text.values() if "Russia approached Ankara" in body)
    assert "Nefes (grade F · credibility " in nefes
    ria = next(body for body in text.values() if "no plan to return or sell the S-400s" in body)
    assert re.search(r"RIA Novosti \(grade [A-F][1-6]?\b", ria)  # every cited outlet shows the grade in force
    assert 'href="https://newsaboutturkey.com/"' in page
    assert "javascript:" not in page.split("<h2>Sources cited</h2>")[1]
    refs = re.findall(r'<p class="refs">Rests on (.*?)</p>', page)
    assert refs[0] == "[1], [2], [3], [4]"
    assert set(refs[1].split(", ")) < set(refs[0].split(", "))  # the ministry's chart reuses the same numbers


@needs_chromium
def test_pdf_has_a_page_per_content_and_vector_charts(seeded) -> None:
    """The brief's PDF is a PDF with pages, and its charts are vector (no embedded raster images)."""
    pdf = brief.render_pdf(brief.render_html(seeded, Brief(title="S-400", items=[BriefItem("stances", S400, "Caption")])))
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 1
    assert b"/Subtype /Image" not in pdf


@needs_chromium
def test_zip_holds_the_brief_each_chart_image_and_its_data(seeded) -> None:
    """The zip has the brief's HTML, a PNG and an SVG per chart, and the chart's rows as CSV, numbered in brief order."""
    two = Brief(items=[BriefItem("stances", S400), BriefItem("stances", {"actor": ["TUR"]})])
    names = zipfile.ZipFile(io.BytesIO(brief.render_zip(seeded, two))).namelist()
    assert names == [
        "brief.html",
        "01_stances_s400_start_now.png", "01_stances_s400_start_now.svg", "01_stances_s400_start_now.csv",
        "02_stances_TUR_start_now.png", "02_stances_TUR_start_now.svg", "02_stances_TUR_start_now.csv",
    ]


def test_interactive_html_inlines_plotly_once(seeded) -> None:
    """The interactive brief (no Chromium needed) carries plotly.js once, so it opens offline."""
    two = Brief(items=[BriefItem("stances", S400), BriefItem("stances", {})])
    page = brief.render_html(seeded, two, static=False)
    assert page.count("plotly.js v") <= 2 and "<script src=" not in page
