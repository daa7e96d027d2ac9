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
    assert "Nefes (not yet judged (F); claim improbable (5))" in nefes  # grades in words, not a bare letter
    ria = next(body for body in text.values() if "no plan to return or sell the S-400s" in body)
    assert re.search(r"RIA Novosti \([a-z ,]+ \([A-F][1-6]?\)", ria)  # every cited outlet shows the grade in force
    assert 'href="https://newsaboutturkey.com/"' in page
    assert "javascript:" not in page.split("<h2>Sources cited</h2>")[1]
    refs = re.findall(r'<p class="refs">Rests on (.*?)</p>', page)
    assert refs[0] == "[1–4]"
    assert refs[1] == "[3]"  # the ministry's chart reuses its statement's number


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


def test_cite_ranges_compress_runs() -> None:
    """Consecutive numbers read as a range: [1, 2, 3, 4, 7, 9, 10] is '[1–4, 7, 9–10]'."""
    assert brief.cite_ranges([1, 2, 3, 4, 7, 9, 10]) == "[1–4, 7, 9–10]"
    assert brief.cite_ranges(list(range(1, 30))) == "[1–29]"
    assert brief.cite_ranges([5]) == "[5]" and brief.cite_ranges([]) == ""


def test_a_timeline_figure_cites_its_events_too(seeded) -> None:
    """A Timeline figure cites the events it draws as well as statements and claims; a Stances figure no events."""
    timeline_brief = brief.assemble(seeded, Brief(items=[BriefItem("timeline", {"topic": ["s400"]})]))
    assert {c.kind for c in timeline_brief.citations} == {"event", "statement", "claim"}
    contract = next(c for c in timeline_brief.citations if "contract" in c.text.lower())
    assert contract.when == "Dec 2017" and "Turkey" in contract.who
    stances_brief = brief.assemble(seeded, Brief(items=[BriefItem("stances", S400)]))
    assert {c.kind for c in stances_brief.citations} == {"statement", "claim"}
    assert timeline_brief.figures[0].source_line.startswith("Sources: ")


def test_marking_and_paper_reach_the_printed_page(seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """The marking (brief field, else $STANCEWATCH_MARKING, else none) tops every page; the paper sizes the page."""
    monkeypatch.setattr(figures, "build_chart", lambda name, con, filters, **options: _plain_chart(con, filters))
    monkeypatch.delenv(export.MARKING_ENV, raising=False)
    plain = brief.render_html(seeded, Brief(items=[BriefItem("stances", {})]), static=False)
    assert "@top-center" not in plain and "size: A4" in plain and "counter(pages)" in plain
    monkeypatch.setenv(export.MARKING_ENV, "OFFICIAL </style><script>")
    marked = brief.render_html(seeded, Brief(items=[BriefItem("stances", {})], paper="Letter"), static=False)
    assert "size: Letter" in marked and "@top-center" in marked and "</style><script>" not in marked
    assert Brief(marking="Handle via channels").marking_line() == "Handle via channels"
    assert Brief.from_json(Brief(paper="Letter", marking="X").to_json()).paper == "Letter"
    assert Brief.from_json('{"paper": "A0"}').paper == "A4"


@needs_chromium
def test_docx_holds_title_judgements_figures_and_linked_notes(seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """The DOCX opens back with the title, the judgements as bullets, a picture and caption per figure, numbered
    notes with their links, the marking in the header and the paper size asked for."""
    import docx
    from docx.shared import Mm

    monkeypatch.setenv(export.MARKING_ENV, "FOR TRAINING ONLY")
    two = Brief(title="S-400: no change", judgements="- Turkey keeps the systems\n- Nefes was contradicted",
                items=[BriefItem("stances", S400, "Turkey reaffirmed"), BriefItem("timeline", S400, "The affair")],
                paper="Letter")
    document = docx.Document(io.BytesIO(brief.render_docx(seeded, two)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "S-400: no change"
    assert "Turkey keeps the systems" in texts and "Nefes was contradicted" in texts
    assert [t for t in texts if t.startswith("Figure ")] == ["Figure 1. Stances over time", "Figure 2. Timeline"]
    assert "Turkey reaffirmed" in texts and "The affair" in texts
    assert len(document.inline_shapes) == 2
    notes = [t for t in texts if re.match(r"\[\d+\] ", t)]
    assert len(notes) >= 9 and notes[0].startswith("[1] ")
    links = [r.target_ref for r in document.part.rels.values() if r.reltype.endswith("/hyperlink")]
    assert "https://newsaboutturkey.com/" in links
    section = document.sections[0]
    assert abs(section.page_width - Mm(215.9)) < Mm(1)
    assert section.header.paragraphs[0].text == "FOR TRAINING ONLY"
    assert any("Rests on [" in t for t in texts)


@needs_chromium
def test_pptx_has_a_title_slide_and_a_slide_per_figure(seeded) -> None:
    """The PPTX opens back with a title slide and one slide per figure holding its picture, caption and source line."""
    import pptx

    two = Brief(title="S-400", judgements="Turkey keeps the systems",
                items=[BriefItem("stances", S400, "Turkey reaffirmed"), BriefItem("timeline", S400)])
    deck = pptx.Presentation(io.BytesIO(brief.render_pptx(seeded, two)))
    slides = list(deck.slides)
    assert len(slides) == 3
    def words(slide) -> str:
        return " | ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert "S-400" in words(slides[0]) and "Turkey keeps the systems" in words(slides[0])
    for slide, title in zip(slides[1:], ("Figure 1. Stances over time", "Figure 2. Timeline"), strict=True):
        assert title in words(slide) and "Stancewatch · data as of" in words(slide)
        assert sum(1 for shape in slide.shapes if shape.shape_type == 13) == 1  # one picture
    assert "Turkey reaffirmed" in words(slides[1])
