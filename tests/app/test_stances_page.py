"""AppTest of the Stances page on the seed case."""

from __future__ import annotations

import json

from lib import store


def _texts(at) -> list[str]:
    return [t.value for t in at.text]


def _table(at, column: str):
    """The first dataframe on the page that has ``column``."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def test_seed_case_turkey_reaffirms_retain(app):
    """By default the page shows Turkey (its parts folded in) holding retain, the ministry's statement reaffirmed."""
    at = app("stances")
    texts = _texts(at)
    assert texts[0] == "Turkey"
    assert "Retain the systems since Sep 2025; no shift." in texts
    assert "none" in texts  # days since the last shift
    statements = _table(at, "Continuity").set_index("Statement")
    assert statements.loc["stmt-msb-no-change", "Continuity"] == "reaffirmed"
    assert statements.loc["stmt-msb-no-change", "Own record"] == "reaffirmed"
    assert statements.loc["stmt-msb-no-change", "Said by"] == "Ministry of National Defence"


def test_seed_case_nefes_claim_sits_on_russias_line_contradicted(app):
    """Nefes' report is about Russia: Russia's table of reported shifts shows it contradicted; Turkey's card
    (whose ministry and source are its witnesses) reports none, and its own claim (RIA's) is corroborated."""
    at = app("stances")
    assert "none reported" in _texts(at)
    claims = _table(at, "Claim id").set_index("Claim id")
    assert list(claims.index) == ["claim-ria-no-return"] and claims.loc["claim-ria-no-return", "Status"] == "corroborated"
    at = app("stances", actor="RUS", topic="s400")
    claims = _table(at, "Claim id").set_index("Claim id")
    assert claims.loc["claim-nefes-buyback", "Status"] == "contradicted"


def test_ministry_alone_reaffirms_by_its_own_words(app):
    """Without inheritance the ministry's first statement is still a reaffirmation, flagged as self-declared."""
    at = app("stances", actor="TUR-MSB", children="0", topic="s400")
    statements = _table(at, "Continuity")
    assert list(statements.Statement) == ["stmt-msb-no-change"]
    assert statements['"No change" wording'].tolist() == ["“no change in our position” (no change)"]
    assert statements.Continuity.tolist() == ["reaffirmed"]
    assert "1 since taken up" in _texts(at)


def test_chart_marks_statements_by_continuity(app):
    """The step chart carries first and reaffirmed markers and the claims lane."""
    at = app("stances")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = {trace.get("name") for trace in spec["data"]}
    assert {"first", "reaffirmed", "claim corroborated", "Turkey"} <= names
    assert "Stances on" in spec["layout"]["title"]["text"]


def test_picking_an_actor_changes_cards_and_url(app):
    """Choosing actors on the page writes them into the shared filters and shows one card each."""
    at = app("stances")
    at.multiselect(key=next(m.key for m in at.multiselect if m.label == "Actors")).set_value(["TUR-ANON", "TUR-MSB"]).run()
    shown = [t.value for t in at.text]
    assert {"Unnamed Turkish source", "Ministry of National Defence"} <= set(shown)
    assert "Turkey" not in shown
    assert at.query_params["actor"] == ["TUR-ANON", "TUR-MSB"]


def _add_shift(con) -> None:
    """A statement that shifts the ministry's position (retain → return_or_sell)."""
    with store.transaction(con, "tests", "add statement") as audit:
        con.execute(
            "insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, quote) "
            "values ('stmt-msb-shift', '2025-11-02', 'day', 'TUR-MSB', 's400', 'return_or_sell', 'We will hand them back.')"
        )
        audit.row("statements", "stmt-msb-shift", None, {"position_code": "return_or_sell"})


def test_shift_alert_until_acknowledged(app, seeded_path):
    """A statement that shifts the ministry's position is announced until acknowledged, and the acknowledgement is audited."""
    con = store.connect(seeded_path)
    _add_shift(con)
    con.close()
    at = app("stances")
    assert "1 statement shift" in at.warning[0].value
    at.button(key="shift_alerts_ack").click().run()
    assert not [w for w in at.warning if "shift" in w.value]
    con = store.connect(seeded_path)
    logged = con.execute("select row_key from audit_log where action = 'acknowledge shift'").fetchall()
    con.close()
    assert logged == [("stmt-msb-shift",)]


def test_cards_chart_and_claims_share_one_reported_shifts_query(app, monkeypatch) -> None:
    """The page's cached lib functions run their shared query through the page cache: once per data version, not three times."""
    from lib.stances import continuity
    from tests.conftest import count_calls

    calls = count_calls(monkeypatch, continuity, "reported_shifts")
    app("stances")
    assert len(calls) == 1


def test_one_off_hedges_read_as_divergent_voices(app_on) -> None:
    """A state's line kept by its president, with two ministers' one-off hedges: 0 shifts, held since 2017,
    the hedges named as divergent voices; each statement keeps its label against its own speaker's record."""
    from tests.conftest import HEDGE

    at = app_on(HEDGE, "stances", actor="TUR", topic="s400")
    texts = _texts(at)
    assert "Retain the systems since 10 Mar 2017; no shift; 2 divergent statements not taken up." in texts
    assert ("divergent: Defence Minister of Turkey, 11 Feb 2021: Undecided or open to a compromise\n"  # newest first
            "divergent: Foreign Minister of Turkey, 5 Oct 2017: Undecided or open to a compromise") in texts
    statements = _table(at, "Continuity").set_index("Statement")
    assert statements.loc["fm-2017-10", "Continuity"] == "divergent"
    assert statements.loc["fm-2017-10", "Own record"] == "first"
    assert statements.loc["pres-2021-03", "Continuity"] == "reaffirmed"
    assert (statements.Continuity == "shifted").sum() == 0


def test_an_acknowledgement_while_the_store_stays_busy_is_a_plain_message(app, seeded_path, monkeypatch):
    """An acknowledgement that waits past STANCEWATCH_WRITE_WAIT says what held the store; the alert stays."""
    from tests.conftest import holding_write

    monkeypatch.setenv(store.WRITE_WAIT_ENV, "0.2")
    con = store.connect(seeded_path)
    _add_shift(con)
    at = app("stances")
    with holding_write(con.cursor(), "another-session", "import bundle"):
        at.button(key="shift_alerts_ack").click().run()
    errors = [e.value for e in at.error]
    assert not at.exception and not [e for e in errors if "internal error" in e]
    assert any("acknowledge shift" in e and "was not saved" in e for e in errors), errors
    assert "1 statement shift" in at.warning[0].value
    assert con.execute("select count(*) from acknowledgements").fetchall() == [(0,)]
    con.close()


def test_table_and_chart_share_the_kept_labels_of_the_rows(app, monkeypatch) -> None:
    """The statements table and the chart read one copy of the view's rows through the page cache: the run reads the
    shown statements once for both, with their labels kept at write time (series_labels); neither they nor the cards
    judge the series' record at page open, and the Overview it opens on reads its standings from the kept table
    (series_standings), not the series."""
    from lib.stances import continuity
    from tests.conftest import count_calls

    every = count_calls(monkeypatch, continuity, "statement_continuity")
    shown = count_calls(monkeypatch, continuity, "shown_statements")
    record = count_calls(monkeypatch, continuity, "series_continuity")
    app("stances")
    assert (len(every), len(shown), len(record)) == (0, 1, 0)
