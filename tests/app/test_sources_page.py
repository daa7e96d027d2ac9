"""The Sources page on the seed case: table, chart, drill-down, and the analyst grade form."""

from __future__ import annotations

import json

from lib import store


def test_table_and_chart_show_the_seed_outlets(app) -> None:
    """Nefes and RIA Novosti are listed with grade F; the chart has a point per source with an interval."""
    at = app("sources")
    table = at.dataframe[0].value
    assert set(table.source) == {"Nefes", "RIA Novosti"} and set(table.grade) == {"F"}
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    points = [name for trace in spec["data"] for name in trace["text"]]
    assert sorted(points) == ["Nefes", "RIA Novosti"]
    assert all("error_y" in trace for trace in spec["data"])


def test_drill_down_shows_claims_and_evidence(app) -> None:
    """Choosing Nefes lists its claim as contradicted and both contradicting statements as evidence."""
    at = app("sources")
    at.selectbox(key="source_pick").select("nefes").run()
    claims = at.dataframe[1].value
    assert list(claims.status) == ["contradicted"] and list(claims.independent_contradicting) == [2]
    evidence = at.dataframe[2].value
    assert set(evidence.evidence_id) == {"stmt-anon-ria", "stmt-msb-no-change"}


def test_setting_a_grade_is_saved_and_audited(app, seeded_path) -> None:
    """Saving B2 for Nefes makes it the grade in force and writes the audit log."""
    at = app("sources")
    at.selectbox(key="source_pick").select("nefes").run()
    form_grade = next(s for s in at.selectbox if s.label == "Grade")
    form_grade.select("B2")
    next(t for t in at.text_input if t.label == "Note").input("known record")
    next(b for b in at.button if b.label == "Save grade").click().run()
    assert not at.exception
    assert "Saved grade B2." in [s.value for s in at.success]
    assert next(m for m in at.metric if m.label == "Grade in force").value == "B2"
    con = store.connect(seeded_path)  # the same process shares the app's open database
    assert con.execute("select after ->> 'analyst_grade' from audit_log where action = 'set analyst grade'").fetchall() == [("B2",)]


def test_a_grade_saved_while_the_store_stays_busy_is_a_plain_message(app, seeded_path, monkeypatch) -> None:
    """A grade that waits past STANCEWATCH_WRITE_WAIT says what held the store, not 'internal error', and saves nothing."""
    from tests.conftest import holding_write

    monkeypatch.setenv(store.WRITE_WAIT_ENV, "0.2")
    at = app("sources")
    at.selectbox(key="source_pick").select("nefes").run()
    next(s for s in at.selectbox if s.label == "Grade").select("B2")
    holder = store.connect(seeded_path).cursor()  # the same database instance as the page's connection
    with holding_write(holder, "another-session", "import bundle"):
        next(b for b in at.button if b.label == "Save grade").click().run()
    errors = [e.value for e in at.error]
    assert not at.exception and not [e for e in errors if "internal error" in e]
    assert any("set analyst grade was not saved" in e and "busy with import bundle by another\\-session" in e for e in errors), errors
    assert not at.success
    assert holder.execute("select analyst_grade from sources where source_id = 'nefes'").fetchall() == [(None,)]


def test_a_run_draws_one_page_and_says_so(app, monkeypatch) -> None:
    """With pages of one source, the chart, table and picker hold one source and the note says which; page 2 draws
    the other. (The downloads, built on the click, are not made in AppTest.)"""
    from lib.sources import source_list

    monkeypatch.setattr(source_list, "PAGE_SIZE", 1)
    at = app("sources")
    assert len(at.dataframe[0].value) == 1
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert sum(len(trace["hovertext"]) for trace in spec["data"]) == 1
    assert at.selectbox(key="source_pick").options == [at.dataframe[0].value.source.iloc[0]]
    notes = [t.value for t in at.text]
    assert "The 1 source with most claims, of 2. The CSV, XLSX and chart files hold all 2." in notes
    first = at.dataframe[0].value.source.iloc[0]
    at.number_input(key="source_page").set_value(2).run()
    assert not at.exception
    assert list(at.dataframe[0].value.source) == sorted({"Nefes", "RIA Novosti"} - {first})


def test_the_search_narrows_the_list_and_names_itself_as_text(app) -> None:
    """Searching 'nef' (any case) lists Nefes alone; a search that finds nothing says so and draws no source."""
    at = app("sources")
    at.text_input(key="source_search").input("NEF").run()
    assert list(at.dataframe[0].value.source) == ["Nefes"]
    assert "The 1 source whose name contains “NEF”, by most claims." in [t.value for t in at.text]
    at.text_input(key="source_search").input("*zz[").run()
    assert not at.exception
    assert "No source of 2 whose name contains “*zz[”." in [t.value for t in at.text]
    assert at.dataframe[0].value.empty
