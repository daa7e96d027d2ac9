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
