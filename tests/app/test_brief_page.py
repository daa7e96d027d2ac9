"""AppTest of the Brief page: charts kept across reruns, captions, order, save and reopen, and the no-Chromium case."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib import export, store
from lib.brief import Brief, BriefItem
from tests.conftest import ROOT

BRIEF_KEY = "_brief"


def _with_two_charts(at: AppTest) -> AppTest:
    """Put the brief an analyst would have built on other pages into the session, and rerun."""
    at.session_state[BRIEF_KEY] = Brief(items=[
        BriefItem("stances", {"topic": ["s400"]}), BriefItem("stances", {"actor": ["TUR-MSB"], "children": "0"}),
    ]).to_json()
    return at.run()


def _brief(at: AppTest) -> Brief:
    return Brief.from_json(at.session_state[BRIEF_KEY])


def test_empty_brief_says_how_to_add_charts(app):
    """Without charts the page explains 'Add to brief' and the exports are disabled."""
    at = app("brief")
    assert "Add to brief" in at.info[0].value
    assert all(button.disabled for button in at.get("download_button"))


def test_add_to_brief_from_the_stances_page(app) -> None:
    """Pressing "Add to brief" under the Stances chart puts that chart, with the page's filters, into the brief."""
    at = app("stances", topic="s400")
    next(b for b in at.button if b.label == "Add to brief").click().run()
    assert [(i.chart, i.params.get("topic")) for i in _brief(at).items] == [("stances", ["s400"])]
    at.switch_page(str(ROOT / "views" / "brief.py")).run()
    assert any("Figure 1. Stances over time" in m.value for m in at.markdown)


def test_charts_show_with_their_filters_in_words(app):
    """Each chart of the brief is listed as a numbered figure with the filters it was added under."""
    at = _with_two_charts(app("brief"))
    shown = [t.value for t in at.text]
    assert "all dates · topic Turkey's S-400 systems" in shown
    assert "all dates · Ministry of National Defence (not their parts)" in shown
    assert not at.get("download_button")[0].disabled


def test_caption_follows_its_chart_when_reordered(app):
    """A caption typed for figure 1 moves with that chart when it is moved down, on screen and in the brief."""
    at = _with_two_charts(app("brief"))
    next(w for w in at.text_input if w.label == "Caption").input("Turkey keeps the systems").run()
    at.button(key="brief_down_0").click().run()
    brief = _brief(at)
    assert [item.params for item in brief.items] == [{"actor": ["TUR-MSB"], "children": "0"}, {"topic": ["s400"]}]
    assert [item.caption for item in brief.items] == ["", "Turkey keeps the systems"]
    captions = [w.value for w in at.text_input if w.label == "Caption"]
    assert captions == ["", "Turkey keeps the systems"]


def test_brief_survives_a_page_switch(app):
    """Switching to another page and back keeps the charts, title and captions."""
    at = _with_two_charts(app("brief"))
    at.text_input(key="brief_title").input("S-400: no change").run()
    at.switch_page("views/overview.py").run()
    at.switch_page("views/brief.py").run()
    assert _brief(at).title == "S-400: no change" and len(_brief(at).items) == 2
    assert at.text_input(key="brief_title").value == "S-400: no change"


def test_save_and_reopen_from_the_store(app, seeded_path):
    """Saving writes the brief to `briefs` with an audit row; reopening in a new session restores it."""
    at = _with_two_charts(app("brief"))
    at.text_input(key="brief_title").input("Saved brief").run()
    at.text_area(key="brief_judgements").input("Turkey has not changed its position.").run()
    at.button(key="brief_save").click().run()
    assert at.success and not at.exception
    brief_id = _brief(at).brief_id

    fresh = app("brief")
    fresh.selectbox(key="brief_saved").select(brief_id).run()
    fresh.button(key="brief_open").click().run()
    reopened = _brief(fresh)
    assert (reopened.title, reopened.judgements, len(reopened.items)) == ("Saved brief", "Turkey has not changed its position.", 2)
    assert fresh.text_input(key="brief_title").value == "Saved brief"

    con = store.connect(seeded_path)
    audited = con.execute("select action from audit_log where table_name = 'briefs' and row_key = ?", [brief_id]).fetchall()
    con.close()
    assert audited == [("save brief",)]


def test_without_chromium_html_export_still_works(app, monkeypatch: pytest.MonkeyPatch):
    """With no Chromium the page runs, PDF and zip are disabled with the install command, HTML stays enabled."""
    monkeypatch.setattr(export, "chromium_path", lambda: None)
    at = _with_two_charts(app("brief"))
    buttons = {b.label: b for b in at.get("download_button")}
    assert not buttons["Brief as HTML"].disabled
    for label in ("Brief as PDF", "Brief as DOCX", "Brief as PPTX", "Images and data (zip)"):
        assert buttons[label].disabled and export.INSTALL_HINT in buttons[label].help
    assert export.CHROMIUM_MISSING in at.warning[0].value


def test_paper_and_marking_are_kept_with_the_brief(app):
    """The paper and the marking line chosen on the page are part of the brief (and so of its exports and saves)."""
    at = _with_two_charts(app("brief"))
    assert [b.label for b in at.get("download_button")] == [
        "Brief as HTML", "Brief as PDF", "Brief as DOCX", "Brief as PPTX", "Images and data (zip)"]
    at.selectbox(key="brief_paper").select("Letter").run()
    at.text_input(key="brief_marking").input("FOR TRAINING ONLY").run()
    assert (_brief(at).paper, _brief(at).marking) == ("Letter", "FOR TRAINING ONLY")


def _chart_script() -> None:
    """A page with one chart shown the way every page shows it (run by AppTest as a script)."""
    import plotly.graph_objects as go

    from lib import charts, ui

    fig = charts.apply_style(go.Figure(go.Bar(x=["a"], y=[1])), "T", "S", "F", "x", "y")
    ui.show_chart(fig, "stances_s400_start_now", key="chart", brief_chart="stances")


def test_add_to_brief_keeps_the_chart_with_the_current_filters() -> None:
    """'Add to brief' under a chart stores its registry name and the filters in force, twice when pressed twice."""
    at = AppTest.from_function(_chart_script)
    at.query_params["topic"] = "s400"
    at.query_params["from"] = "2019-01-01"
    at.run()
    assert [b.label for b in at.download_button] == ["PNG", "SVG", "PDF", "HTML"]
    at.button(key="chart_brief").click().run()
    at.button(key="chart_brief").click().run()
    items = _brief(at).items
    assert [(i.chart, i.params) for i in items] == [("stances", {"from": "2019-01-01", "topic": ["s400"]})] * 2


def test_chart_exports_without_chromium_keep_html(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Chromium the PNG/SVG/PDF buttons are disabled and name the install command; HTML stays enabled."""
    monkeypatch.setattr(export, "chromium_path", lambda: None)
    at = AppTest.from_function(_chart_script).run()
    buttons = {b.label: b for b in at.download_button}
    assert not buttons["HTML"].disabled
    for fmt in ("PNG", "SVG", "PDF"):
        assert buttons[fmt].disabled and export.INSTALL_HINT in buttons[fmt].help


def test_a_saved_brief_reopens_as_it_was_on_the_team_store_only(any_seeded_setting: str, backend: str,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """After saving, the team store offers the brief as it was (its snapshot); a store file says that needs the team store."""
    from tests.app.conftest import _run

    monkeypatch.setenv("STANCEWATCH_DB", any_seeded_setting)
    at = _with_two_charts(_run("brief", {}))
    at.button(key="brief_save").click().run()
    assert not at.exception and _brief(at).snapshot is not None
    labels = [d.proto.label for d in at.get("download_button")]
    notes = " ".join(i.value for i in at.info)
    if backend == "lake":
        assert "Brief as it was (HTML)" in labels and "needs the team store" not in notes
    else:
        assert "Brief as it was (HTML)" not in labels and "needs the team store" in notes
