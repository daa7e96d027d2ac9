"""Brief assembly: HTML with escaped text and numbered citations, PDF, zip, and saving."""

from __future__ import annotations

import io
import zipfile

import pytest

from lib import brief as briefs
from lib import export
from lib.brief import Brief, BriefItem

needs_chromium = pytest.mark.skipif(export.chromium_path() is None, reason="NO CHROMIUM: static brief export not tested")


def _brief() -> Brief:
    return Brief(title="<b>S-400</b> & Turkey", judgements="- Turkey keeps the systems\n- <script>x</script>",
                 items=[BriefItem("stances", {"topic": ["s400"]}, "Caption <i>one</i>")])


@needs_chromium
def test_html_escapes_user_text_and_cites_sources(seeded) -> None:
    """Title, judgements and captions appear escaped; the seed's statements and claims are numbered citations with sources."""
    page = briefs.render_html(seeded, _brief())
    assert "&lt;b&gt;S-400&lt;/b&gt; &amp; Turkey" in page and "<script>x</script>" not in page
    assert "Caption &lt;i&gt;one&lt;/i&gt;" in page
    assert "<svg" in page and "Sources cited" in page
    assert "no change in our position" in page and "RIA Novosti" in page and "Nefes" in page


def test_interactive_html_inlines_plotly_once(seeded) -> None:
    """The interactive brief carries plotly.js once, so it opens offline."""
    brief = _brief()
    brief.items.append(BriefItem("stances", {}))
    page = briefs.render_html(seeded, brief, static=False)
    assert page.count("plotly.js v") <= 2 and "<script src=" not in page


@needs_chromium
def test_pdf_and_zip(seeded) -> None:
    """The PDF is a PDF; the zip holds the HTML, a PNG and SVG per chart, and the chart's data as CSV."""
    pdf = briefs.render_pdf(briefs.render_html(seeded, _brief()))
    assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
    names = zipfile.ZipFile(io.BytesIO(briefs.render_zip(seeded, _brief()))).namelist()
    assert "brief.html" in names and {n.rsplit(".", 1)[1] for n in names} == {"html", "png", "svg", "csv"}


def test_save_and_load_round_trip_with_audit(seeded) -> None:
    """A saved brief reopens equal, and the save is in the audit log."""
    brief = _brief()
    brief_id = briefs.save(seeded, brief, who="analyst")
    assert briefs.load(seeded, brief_id) == brief
    assert seeded.execute("select count(*) from audit_log where table_name = 'briefs' and who = 'analyst'").fetchall() == [(1,)]
    assert list(briefs.saved_briefs(seeded).brief_id) == [brief_id]


def test_move_stays_in_range() -> None:
    """Moving the first item up or the last down does nothing; other moves swap neighbours."""
    brief = Brief(items=[BriefItem("a", {}), BriefItem("b", {}), BriefItem("c", {})])
    brief.move(0, -1)
    brief.move(2, 1)
    brief.move(2, -1)
    assert [i.chart for i in brief.items] == ["a", "c", "b"]
