"""Continuity, streaks, inheritance and reported shifts on hand-made series (lib/stances/stance.py, lib/stances/continuity.py)."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pandas as pd
import pytest

from lib import catalog, derived, store
from lib.filters import Filters
from lib.stances import continuity, stance

TODAY = dt.date(2026, 1, 1)


def _base(con: duckdb.DuckDBPyConnection) -> None:
    """A topic with three positions, a source, and Turkey with a ministry and an unnamed source under it."""
    con.execute("""
        insert into sources values ('nat', 'News About Turkey', 'independent_media', 'TR', null, 'B2', null),
                                   ('nefes', 'Nefes', 'independent_media', 'TR', null, null, null);
        insert into documents (document_id, source_id, title) values ('doc', 'nat', 'An article'), ('ndoc', 'nefes', 'A report');
        insert into actors (actor_id, name, kind) values ('TUR', 'Turkey', 'state'), ('RUS', 'Russia', 'state');
        insert into actors (actor_id, name, kind, parent_actor_id) values
            ('TUR-MSB', 'Ministry', 'ministry', 'TUR'), ('TUR-ANON', 'Unnamed Turkish source', 'anonymous', 'TUR');
        insert into topics values ('s400', 'S-400', null);
        insert into positions values ('s400', 'retain', 'Retain', 1), ('s400', 'undecided', 'Undecided', 0),
                                     ('s400', 'return_or_sell', 'Return or sell', -1);
    """)


def _say(con: duckdb.DuckDBPyConnection, sid: str, on: str, precision: str, actor: str, position: str | None,
         declared: bool = False, quote: str = "") -> None:
    """One statement on the S-400, written as the app writes (audited: the labels the page reads are kept)."""
    with store.transaction(con, "test", "say") as audit:
        con.execute(
            "insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, quote, "
            "document_id, self_declared_continuity) values (?, ?, ?, ?, 's400', ?, ?, 'doc', ?)",
            [sid, on, precision, actor, position, quote, declared],
        )
        audit.row("statements", sid, None, {"statement_id": sid})


def _labels(con: duckdb.DuckDBPyConnection, actor: str, inherit: bool = False) -> dict[str, str]:
    rows, _ = stance.judged(continuity.statement_continuity(con, [actor], ["s400"], inherit))
    return dict(zip(rows.statement_id, rows.continuity, strict=True))


def _entry(con: duckdb.DuckDBPyConnection, actor: str, inherit: bool = False) -> dict:
    (found,) = [e for e in stance.stance_report(con, topic="s400", inherit=inherit, today=TODAY) if e["actor_id"] == actor]
    return found


def _seed_like(con: duckdb.DuckDBPyConnection) -> None:
    """The seed case's statements, claims and evidence, written in SQL."""
    _base(con)
    _say(con, "stmt-anon-ria", "2025-09-01", "month", "TUR-ANON", "retain")
    _say(con, "stmt-msb-no-change", "2025-09-01", "month", "TUR-MSB", "retain", declared=True,
         quote="The S-400 air defense systems are in our inventory, and there is no change in our position.")
    con.execute("""
        insert into claims (claim_id, claimed_on, date_precision, document_id, topic_id, subject_actor_id, text, asserted_position_code)
        values ('claim-nefes-buyback', '2025-09-03', 'day', 'ndoc', 's400', 'RUS', 'Russia approached Ankara', null),
               ('claim-ria-no-return', '2025-09-01', 'month', 'doc', 's400', 'TUR', 'no plan to return', 'retain');
        insert into evidence (claim_id, relation, evidence_type, evidence_id) values
            ('claim-nefes-buyback', 'contradicts', 'statement', 'stmt-anon-ria'),
            ('claim-nefes-buyback', 'contradicts', 'statement', 'stmt-msb-no-change'),
            ('claim-ria-no-return', 'corroborates', 'statement', 'stmt-msb-no-change');
    """)
    derived.refresh_own_continuity(con)  # what store.transaction does after a write of statements


def test_first_then_reaffirmed_then_shifted(con):
    """Day-precision series: first, same position again is reaffirmed, a different one is shifted."""
    _base(con)
    _say(con, "a", "2020-01-05", "day", "TUR", "retain")
    _say(con, "b", "2021-03-01", "day", "TUR", "retain")
    _say(con, "c", "2022-06-01", "day", "TUR", "return_or_sell")
    assert _labels(con, "TUR") == {"a": "first", "b": "reaffirmed", "c": "shifted"}


def test_shift_and_shift_back(con):
    """Shifting back to an old position is a shift; held_since and the streak restart at the return."""
    _base(con)
    for sid, on, pos in [("a", "2019-01-01", "retain"), ("b", "2020-01-01", "return_or_sell"),
                         ("c", "2021-01-01", "retain"), ("d", "2022-01-01", "retain"), ("e", "2023-01-01", "retain")]:
        _say(con, sid, on, "day", "TUR", pos)
    assert _labels(con, "TUR") == {"a": "first", "b": "shifted", "c": "shifted", "d": "reaffirmed", "e": "reaffirmed"}
    entry = _entry(con, "TUR")
    assert entry["positions"] == ["retain", "return_or_sell", "retain"]
    assert (entry["current_position"], entry["held_since"]) == ("retain", dt.date(2021, 1, 1))
    assert (entry["reaffirmations"], entry["reaffirmations_total"], entry["shifts"]) == (2, 2, 2)
    assert entry["last_shift_on"] == dt.date(2021, 1, 1)
    assert entry["days_since_last_shift"] == (TODAY - dt.date(2021, 1, 1)).days


def test_ties_on_one_date_are_concurrent(con):
    """Two statements on the same day are both judged against the day before, not against each other."""
    _base(con)
    _say(con, "a", "2020-01-01", "day", "TUR", "retain")
    _say(con, "b", "2020-02-01", "day", "TUR", "retain")
    _say(con, "c", "2020-02-01", "day", "TUR", "return_or_sell")
    _say(con, "d", "2020-03-01", "day", "TUR", "retain")
    labels = _labels(con, "TUR")
    assert (labels["b"], labels["c"]) == ("reaffirmed", "shifted")
    # the day before d held two positions: taking one side of a split record is flagged as a shift
    assert labels["d"] == "shifted"


def test_split_latest_period_has_no_single_current_position(con):
    """When the latest period holds disagreeing statements, the current position is split, not guessed."""
    _base(con)
    _say(con, "a", "2020-02-01", "day", "TUR", "retain")
    _say(con, "b", "2020-02-01", "day", "TUR", "return_or_sell")
    entry = _entry(con, "TUR")
    assert entry["current_position"] is None
    assert entry["current_positions"] == ["retain", "return_or_sell"]
    assert entry["held_since"] is None


def test_month_precision_items_are_not_ranked_within_their_month(con):
    """A day inside a month-precision item's month is concurrent with it; both compare with what came before."""
    _base(con)
    _say(con, "aug", "2025-08-10", "day", "TUR", "retain")
    _say(con, "sep-month", "2025-09-01", "month", "TUR", "return_or_sell")
    _say(con, "sep-3", "2025-09-03", "day", "TUR", "retain")
    _say(con, "sep-20", "2025-09-20", "day", "TUR", "retain")
    _say(con, "oct", "2025-10-02", "day", "TUR", "retain")
    labels = _labels(con, "TUR")
    assert labels["sep-month"] == "shifted"  # against August, not against 3 or 20 September
    assert labels["sep-3"] == "reaffirmed"  # against August, not against the month item
    assert labels["sep-20"] == "reaffirmed"  # 3 Sep is known to be earlier; the month item is not
    assert labels["oct"] == "shifted"  # September as a whole held retain and return_or_sell


def test_year_precision_against_days(con):
    """A year-precision statement is judged against what ended before that year; days in that year do not see it."""
    _base(con)
    _say(con, "2019", "2019-05-01", "day", "TUR", "undecided")
    _say(con, "y2020", "2020-01-01", "year", "TUR", "retain")
    _say(con, "jun2020", "2020-06-01", "day", "TUR", "undecided")
    _say(con, "2021", "2021-02-01", "day", "TUR", "retain")
    labels = _labels(con, "TUR")
    assert (labels["y2020"], labels["jun2020"]) == ("shifted", "reaffirmed")
    assert labels["2021"] == "shifted"  # year 2020 held retain and undecided


def test_unclear_positions_are_skipped_as_predecessors(con):
    """A statement without a position is unclear and does not break the comparison around it."""
    _base(con)
    _say(con, "a", "2020-01-01", "day", "TUR", "retain")
    _say(con, "b", "2020-02-01", "day", "TUR", None)
    _say(con, "c", "2020-03-01", "day", "TUR", "retain")
    labels = _labels(con, "TUR")
    assert labels == {"a": "first", "b": "unclear", "c": "reaffirmed"}
    rows = continuity.statement_continuity(con, ["TUR"], ["s400"], False).set_index("statement_id")
    assert rows.loc["c", "previous_statement_id"] == "a"


def test_self_declared_first_statement_is_a_reaffirmation(con):
    """A first statement that says "no change" is reaffirmed; against a different record it stays shifted."""
    _base(con)
    _say(con, "msb", "2025-09-01", "month", "TUR-MSB", "retain", declared=True)
    _say(con, "anon-old", "2024-01-01", "day", "TUR-ANON", "return_or_sell")
    _say(con, "anon-new", "2025-01-01", "day", "TUR-ANON", "retain", declared=True)
    assert _labels(con, "TUR-MSB") == {"msb": "reaffirmed"}
    assert _labels(con, "TUR-ANON")["anon-new"] == "shifted"
    entry = _entry(con, "TUR-MSB")
    assert (entry["current_position"], entry["held_since"], entry["reaffirmations"]) == ("retain", dt.date(2025, 9, 1), 1)


def test_unlabelled_no_change_wording_gets_a_suggestion(con):
    """An unlabelled statement saying "no change" stays unclear, and the table proposes the previous position."""
    _base(con)
    _say(con, "a", "2020-01-01", "day", "TUR", "retain")
    _say(con, "b", "2020-02-01", "day", "TUR", None, declared=True)
    table = stance.build_table(con, Filters(actors=("TUR",), topics=("s400",)))
    row = table.set_index("Statement").loc["b"]
    assert (row["Continuity"], row["Suggestion"]) == ("unclear", "reaffirmed: Retain")


def test_parent_inherits_children_keeping_speakers(con):
    """With inheritance Turkey's series holds its children's statements, each still naming its speaker."""
    _base(con)
    _say(con, "anon", "2025-08-01", "day", "TUR-ANON", "retain")
    _say(con, "msb", "2025-09-01", "day", "TUR-MSB", "retain")
    assert _labels(con, "TUR", inherit=False) == {}
    rows = continuity.statement_continuity(con, ["TUR"], ["s400"], True)
    assert dict(zip(rows.statement_id, rows.actor_id, strict=True)) == {"anon": "TUR-ANON", "msb": "TUR-MSB"}
    assert dict(zip(rows.statement_id, rows.continuity, strict=True)) == {"anon": "first", "msb": "reaffirmed"}
    assert _labels(con, "TUR-MSB", inherit=True) == {"msb": "first"}


@pytest.mark.parametrize("inherit", [False, True])
def test_seed_ministry_statement_reaffirms_retain(con, inherit):
    """The seed ministry statement is a reaffirmation of retain with and without inheritance."""
    _seed_like(con)
    actor = "TUR" if inherit else "TUR-MSB"
    rows = continuity.statement_continuity(con, [actor], ["s400"], inherit).set_index("statement_id")
    assert (rows.loc["stmt-msb-no-change", "continuity"], rows.loc["stmt-msb-no-change", "position_code"]) == ("reaffirmed", "retain")
    entry = _entry(con, actor, inherit)
    assert entry["current_position"] == "retain"


def test_reported_shift_status_against_the_record(con):
    """The RIA claim about Turkey is corroborated, not a shift; the Nefes claim is about Russia and sits on Russia's line.

    Turkey's ministry and source contradict Nefes' claim: they are its witnesses, not its subject, so the
    claim does not reach Turkey's card.
    """
    _seed_like(con)
    claims = continuity.reported_shifts(con, ["TUR"], ["s400"], True).set_index("claim_id")
    assert list(claims.index) == ["claim-ria-no-return"]
    assert claims.loc["claim-ria-no-return", "status"] == "corroborated"
    assert not claims.loc["claim-ria-no-return", "reports_shift"]
    assert list(claims.loc["claim-ria-no-return", "during_positions"]) == ["retain"]
    assert _entry(con, "TUR", inherit=True)["last_reported_shift"] is None
    about_russia = continuity.reported_shifts(con, ["RUS"], ["s400"], True).set_index("claim_id")
    assert list(about_russia.index) == ["claim-nefes-buyback"]
    assert about_russia.loc["claim-nefes-buyback", "status"] == "contradicted"


def test_claim_before_and_after(con):
    """A claim that an actor will return the systems is set against its statements before and after."""
    _base(con)
    _say(con, "a", "2020-01-01", "day", "TUR", "retain")
    _say(con, "b", "2020-06-01", "day", "TUR", "retain")
    con.execute("""insert into claims (claim_id, claimed_on, document_id, topic_id, subject_actor_id, text, asserted_position_code)
                   values ('c', '2020-03-01', 'ndoc', 's400', 'TUR', 'Turkey seeks to return them', 'return_or_sell')""")
    row = continuity.reported_shifts(con, ["TUR"], ["s400"], False).set_index("claim_id").loc["c"]
    assert (list(row.before_positions), list(row.after_positions), row.status, row.reports_shift) == (["retain"], ["retain"], "open", True)


def test_date_filter_does_not_change_labels(con):
    """Filtering to a date range hides rows but keeps their labels computed over the whole history."""
    _base(con)
    _say(con, "a", "2020-01-01", "day", "TUR", "retain")
    _say(con, "b", "2021-01-01", "day", "TUR", "retain")
    table = stance.build_table(con, Filters(actors=("TUR",), topics=("s400",)).with_dates(dt.date(2020, 6, 1), None))
    assert list(zip(table.Statement, table.Continuity, strict=True)) == [("b", "reaffirmed")]


def test_default_view_picks_busiest_topic_and_top_level_actors(con):
    """Without chosen topic or actors the view takes the busiest topic and, with inheritance, the parent actor."""
    _seed_like(con)
    view = stance.resolve_view(con, Filters())
    assert (view.topics, view.actors) == (("s400",), ("TUR",))
    assert set(stance.resolve_view(con, Filters(include_children=False)).actors) == {"TUR-ANON", "TUR-MSB"}


def test_acknowledging_a_shift_is_audited_and_clears_the_alert(con):
    """Acknowledging removes the shift from the alerts and writes one audit row; a repeat changes nothing."""
    _base(con)
    _say(con, "a", "2020-01-01", "day", "TUR", "retain")
    _say(con, "b", "2021-01-01", "day", "TUR", "return_or_sell")
    con.execute("insert into topics values ('other', 'Other', null)")
    con.execute("insert into positions values ('other', 'aaa', 'A', 1)")
    con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, position_code) "
                "values ('x', '2020-01-01', 'TUR', 'other', 'aaa')")
    derived.refresh_own_continuity(con)  # what store.transaction does after any write of statements
    total, shown = continuity.unacknowledged_shifts(con, 5)
    assert (total, list(shown.statement_id)) == (1, ["b"])
    assert list(shown.previous_positions[0]) == ["retain"]  # only this topic's codes
    assert stance.acknowledge_shifts(con, ["b"], who="tester") == 1
    assert continuity.unacknowledged_shifts(con, 5)[0] == 0
    assert stance.acknowledge_shifts(con, ["b"], who="tester") == 0
    audit = con.execute("select who, table_name, row_key from audit_log where action = 'acknowledge shift'").fetchall()
    assert audit == [("tester", "acknowledgements", "b")]


def test_shift_alerts_list_the_newest_with_what_each_actor_held_before(con):
    """The alert counts every open shift and shows the newest, each with the positions its own series held before."""
    _base(con)
    for sid, on, precision, actor, position in [("a", "2020-01-01", "day", "TUR", "retain"), ("b", "2021-01-01", "day", "TUR", "undecided"),
                                                ("c", "2022-06-01", "month", "TUR", "retain"), ("m1", "2020-05-01", "day", "TUR-MSB", "retain"),
                                                ("m2", "2022-06-15", "day", "TUR-MSB", "return_or_sell")]:
        _say(con, sid, on, precision, actor, position)
    derived.refresh_own_continuity(con)
    total, shown = continuity.unacknowledged_shifts(con, 2)
    assert total == 3 and list(shown.statement_id) == ["c", "m2"]  # June 2022 ends after 15 June 2022
    full = pd.concat([continuity.statement_continuity(con, [a], None, False) for a in ("TUR", "TUR-MSB")]).set_index("statement_id")
    assert [list(p) for p in shown.previous_positions] == [list(full.previous_positions[s]) for s in shown.statement_id]
    assert [list(p) for p in shown.previous_positions] == [["undecided"], ["retain"]]


def test_chart_marks_each_statement_by_continuity(con):
    """The chart has one marker trace per continuity label present, with the quote in the hover text."""
    _seed_like(con)
    fig = stance.build_chart(con, Filters(topics=("s400",), actors=("TUR",)))
    markers = {t.name: t for t in fig.data if t.mode == "markers"}
    assert set(markers) == {"first", "reaffirmed", "claim corroborated"}
    assert "there is no<br>change in our position" in markers["reaffirmed"].hovertext[0]
    assert "Retain" in fig.layout.yaxis.ticktext


def test_card_text_is_no_more_precise_than_the_dates(con):
    """A month-precision shift gives "at least N days" and month-precision dates read as months."""
    _base(con)
    _say(con, "a", "2024-03-01", "day", "TUR", "retain")
    _say(con, "b", "2025-09-01", "month", "TUR", "return_or_sell")
    text = stance.card_text(_entry(con, "TUR"), stance.position_labels(con, "s400"), catalog.names(con))
    assert text["since_shift"] == f"≥ {(TODAY - dt.date(2025, 9, 30)).days}"
    assert (text["current"], text["held_since"], text["reported_shift"]) == ("Return or sell", "Sep 2025", "none reported")


def test_card_texts_are_the_cards_in_words_in_their_order(seeded):
    """What the page keeps between runs: each card's words (card_text) and its actor's name, in actor_cards' order."""
    view = Filters(topics=("s400",))
    cards = stance.actor_cards(seeded, view)
    names = catalog.names(seeded)
    texts = stance.card_texts(seeded, view)
    assert cards
    assert texts == [{"actor_id": c["actor_id"], "topic_id": "s400", "name": names[c["actor_id"]],
                      "text": stance.card_text(c, stance.position_labels(seeded, "s400"), names)} for c in cards]


def test_cli_report_is_json_with_the_documented_keys(con, capsys):
    """`report stances --json` prints valid JSON (no NaN) carrying every key docs/CLI.md lists."""
    from lib import cli

    _seed_like(con)
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0]
    assert cli.main(["--db", path, "report", "stances", "--actor", "TUR-MSB", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))
    assert {"actor_id", "topic_id", "statements", "positions", "reaffirmations", "shifts", "last_shift_on", "current_position",
            "held_since", "last_reported_shift", "statement_labels"} <= set(entry)
    assert entry["statement_labels"][0] | {"stated_on": None} == {
        "statement_id": "stmt-msb-no-change", "actor_id": "TUR-MSB", "stated_on": None, "date_precision": "month",
        "position_code": "retain", "continuity": "reaffirmed", "own_continuity": "reaffirmed", "self_declared": True,
    }


def test_busy_views_show_the_newest_statements_and_say_so(seeded, monkeypatch) -> None:
    """Above the limit the table and chart keep the newest statements, and the page and chart say how many there were."""
    monkeypatch.setattr(stance, "STATEMENT_LIMIT", 1)
    view = Filters(topics=("s400",), actors=("TUR",))
    table = stance.build_table(seeded, view)
    assert len(table) == 1 and table.Statement.iloc[0] in {"stmt-anon-ria", "stmt-msb-no-change"}  # both Sep 2025
    assert stance.shown_note(table, "statements") == "The newest 1 of 2 statements; narrow the dates to see older ones."
    chart = stance.build_chart(seeded, view)
    assert "The newest 1 of 2 statements" in chart.layout.title.subtitle.text
    monkeypatch.setattr(stance, "STATEMENT_LIMIT", 2000)
    assert stance.shown_note(stance.build_table(seeded, view), "statements") == ""


def test_a_busy_view_keeps_each_series_latest_reported_shift_for_its_card(seeded, monkeypatch) -> None:
    """With room for one claim, the newest (agreeing) claim is listed, and the card still names the older reported shift."""
    from lib import store

    with store.transaction(seeded, "test", "claim") as audit:
        seeded.execute("""insert into claims (claim_id, claimed_on, document_id, topic_id, subject_actor_id, text, asserted_position_code)
                          values ('claim-shift', date '2025-09-03', 'nefes-2025-09-03', 's400', 'TUR', 'Ankara may hand them back',
                                  'return_or_sell'),
                                 ('claim-later', date '2025-10-01', 'nefes-2025-09-03', 's400', 'TUR', 'Ankara keeps the S-400s', 'retain')""")
        audit.row("claims", "claim-shift", None, {"claim_id": "claim-shift"})
        audit.row("claims", "claim-later", None, {"claim_id": "claim-later"})
    monkeypatch.setattr(stance, "CLAIM_LIMIT", 1)
    view = Filters(topics=("s400",), actors=("TUR",))
    table = stance.claims_table(seeded, view)
    assert list(table["Claim id"]) == ["claim-later"]
    assert stance.shown_note(table, "claims") == "The newest 1 of 3 claims; narrow the dates to see older ones."
    card = stance.actor_cards(seeded, view)[0]
    assert card["last_reported_shift"]["claim_id"] == "claim-shift"


def test_standings_list_the_busiest_lines_and_count_them_all(seeded, monkeypatch) -> None:
    """The Overview's table: Turkey's line (its parts folded in) in words; with a limit, the busiest lines and the total."""
    table = stance.standings(seeded, None, None, True)
    assert table[["actor", "current position", "held since", "shifts"]].values.tolist() == [
        ["Turkey", "Retain the systems", "Sep 2025", 0]]
    monkeypatch.setattr(stance, "STANDINGS_LIMIT", 1)
    table = stance.standings(seeded, None, None, False)
    assert (len(table), table.attrs["total"]) == (1, 2)


def _every_series_of_their_actors_filtered(con, series, inherit):
    """Every series of these series' actors on their topics, with every column, filtered to the chosen ones afterwards."""
    rows = continuity.statement_continuity(con, sorted({a for a, _ in series}), sorted({t for _, t in series}), inherit)
    return rows[[key in set(series) for key in zip(rows.series_actor_id, rows.topic_id, strict=True)]].reset_index(drop=True)


@pytest.mark.parametrize("inherit", [True, False])
def test_series_continuity_is_those_series_rows_of_statement_continuity(seeded, inherit) -> None:
    """The chosen pairs' rows, labelled as in the whole query, and no others."""
    from lib import synthetic
    synthetic.generate(seeded, events=200, statements=3_000, claims=0, seed=8)
    every = continuity.statement_continuity(seeded, None, None, inherit)
    pairs = sorted(set(zip(every.series_actor_id, every.topic_id, strict=True)))[::3]
    chosen = continuity.series_continuity(seeded, pairs, inherit)
    expected = _every_series_of_their_actors_filtered(seeded, pairs, inherit)[list(chosen.columns)]
    assert 0 < len(chosen) < len(every)
    pd.testing.assert_frame_equal(chosen, expected)


def test_report_streams_a_chunk_of_actors_at_a_time_with_the_same_result(seeded, monkeypatch) -> None:
    """The CLI report yields as it goes; judging one actor at a time gives exactly the objects of one big chunk."""
    whole = list(stance.stance_report(seeded, today=TODAY))
    monkeypatch.setattr(stance, "REPORT_CHUNK", 1)
    report = stance.stance_report(seeded, today=TODAY)
    assert next(report)["actor_id"] == whole[0]["actor_id"]  # produced before the rest is judged
    assert [whole[0], *report] == whole
    assert {e["actor_id"] for e in whole} == {"TUR", "TUR-ANON", "TUR-MSB"}


def test_a_card_names_the_newest_voices_off_the_line_and_counts_the_rest():
    """Eight divergent voices and a pending one: the card names the newest VOICES_SHOWN, newest first, then how many more."""
    day = dt.date(2024, 1, 1)
    voice = {"actor_id": "a", "date_precision": "day", "position_code": "retain"}
    entry = {"divergent": [{**voice, "stated_on": day + dt.timedelta(days=i)} for i in range(8)],
             "pending": [{**voice, "stated_on": day + dt.timedelta(days=30)}]}
    lines = stance._voices_words(entry, {"a": "Ankara"}, lambda c: c, lambda d, p: d.isoformat())
    assert lines[:2] == ["pending: Ankara, 2024-01-31: retain", "divergent: Ankara, 2024-01-08: retain"]
    assert len(lines) == stance.VOICES_SHOWN + 1
    assert lines[-1] == f"… and {9 - stance.VOICES_SHOWN} older (“report stances” on the command line lists every one)"
