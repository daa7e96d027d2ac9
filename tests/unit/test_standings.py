"""The series' standings the store keeps at write time (series_standings, lib/derived.py) against a judgement from scratch.

Random writes of what a standing reads (statements added, edited, moved to another actor or topic, deleted, reverted;
actors re-parented), each audited with its whole former row as the edit forms, deletes and reverts audit it; after
them the kept table equals every series judged anew in both modes, and the Overview's table read from it equals the
one judged at page open before (the route kept here as the oracle).
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import catalog, derived, store, synthetic
from lib.dates import format_partial_date
from lib.edits import revert, rows
from lib.filters import Filters
from lib.stances import continuity, stance

ACTORS = ["A", "B", "C", "D", "E"]
STATEMENTS = [f"s{i}" for i in range(8)]
TOPICS = ["t", "u"]
POSITIONS = ["keep", "drop"]
DAY = st.integers(1, 12).map(lambda m: dt.date(2024, m, 1))

statement_values = st.fixed_dictionaries({
    "actor_id": st.sampled_from(ACTORS), "topic_id": st.sampled_from(TOPICS), "stated_on": DAY,
    "date_precision": st.sampled_from(["day", "month", "year"]),
    "position_code": st.one_of(st.none(), st.sampled_from(POSITIONS)), "self_declared_continuity": st.booleans(),
})
writes = st.one_of(
    st.tuples(st.just("statements"), st.sampled_from(STATEMENTS), st.one_of(st.none(), statement_values)),
    # a parent among the actors, or none; a cycle is left out (no writer makes one: the bundle checks)
    st.tuples(st.just("actors"), st.sampled_from(ACTORS), st.one_of(st.none(), st.sampled_from(ACTORS))),
    st.tuples(st.just("revert"), st.integers(0, 50), st.none()),
)


def _base(con: duckdb.DuckDBPyConnection) -> None:
    """Five actors in a chain A <- B <- C and D <- E, two topics with two positions, a few statements."""
    with store.transaction(con, "test", "fixture") as audit:
        for topic in TOPICS:
            con.execute("insert into topics (topic_id, name) values (?, ?)", [topic, topic.upper()])
            for ordinal, code in enumerate(POSITIONS):
                con.execute("insert into positions values (?, ?, ?, ?)", [topic, code, code.title(), ordinal])
        for actor, parent in zip(ACTORS, [None, "A", "B", None, "D"], strict=True):
            con.execute("insert into actors (actor_id, name, kind, parent_actor_id) values (?, ?, 'state', ?)",
                        [actor, actor, parent])
        for i, statement in enumerate(STATEMENTS[:4]):
            con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, position_code) "
                        "values (?, ?, ?, 't', ?)", [statement, dt.date(2024, 1 + i, 1), ACTORS[i], POSITIONS[i % 2]])
        audit.wrote("actors", "select actor_id from actors")
        audit.wrote("statements", "select statement_id from statements")


def _parent_cycle(con: duckdb.DuckDBPyConnection, actor: str, parent: str | None) -> bool:
    """Whether making ``parent`` the parent of ``actor`` closes a loop."""
    while parent is not None:
        if parent == actor:
            return True
        found = con.execute("select parent_actor_id from actors where actor_id = ?", [parent]).fetchall()
        parent = found[0][0] if found else None
    return False


def _write(con: duckdb.DuckDBPyConnection, table: str, key: Any, values: Any) -> None:
    """One write as the edit forms, the delete and the revert make it: the row changed, audited with its whole rows."""
    if table == "revert":
        audited = [r[0] for r in con.execute("select audit_id from audit_log where table_name in ('statements', 'actors') "
                                             "and (before is not null or after is not null) order by audit_id").fetchall()]
        if audited:
            audit_id = audited[key % len(audited)]
            target = con.execute("select table_name, before->>'actor_id', before->>'parent_actor_id' from audit_log "
                                 "where audit_id = ?", [audit_id]).fetchall()[0]
            if target[0] == "actors" and target[1] and _parent_cycle(con, target[1], target[2]):
                return
            revert.revert_write(con, audit_id, "test", confirmed=True)
        return
    if table == "actors":
        if _parent_cycle(con, key, values):
            return
        values = {"parent_actor_id": values}
    with store.transaction(con, "test", f"write {table}") as audit:
        before = rows.fetch(con, table, (key,))
        if values is None:
            if before is None:
                return
            rows.delete(con, table, (key,))
        elif before is None:
            rows.insert(con, table, {"statement_id": key, **values})
        else:
            rows.update(con, table, (key,), values)
        audit.row(table, key, before, rows.fetch(con, table, (key,)))


def _kept(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("select * from series_standings order by series_actor_id, topic_id, inherit").fetchall()


def _from_scratch(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every series judged anew in both modes, as the kept rows."""
    judged = pd.concat([stance.standing_rows(con, None, inherit)[0].to_pandas() for inherit in (True, False)])
    con.register("judged", judged)
    try:
        return con.execute("select * from series_standings where false union all "
                           "select * from judged order by series_actor_id, topic_id, inherit").fetchall()
    finally:
        con.unregister("judged")


def _kept_labels(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return [(*row[:5], tuple(row[5])) for row in con.execute(
        "select * from series_labels order by series_actor_id, topic_id, inherit, statement_id").fetchall()]


def _labels_from_scratch(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """Every statement of every series labelled anew by the group rule in both modes, as the kept rows."""
    found = []
    for inherit in (True, False):
        rows = stance.judged(continuity.statement_continuity(con, None, None, inherit))[0]
        found += [(a, t, inherit, sid, label, tuple(before)) for a, t, sid, label, before in zip(
            rows.series_actor_id, rows.topic_id, rows.statement_id, rows.continuity, rows.previous_positions, strict=True)]
    return sorted(found)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(writes, min_size=1, max_size=8))
def test_kept_standings_and_labels_equal_every_series_judged_anew(tmp_path_factory, batch) -> None:
    """series_standings and series_labels (schema 13), kept in one pass, against every series judged anew."""
    con = store.connect(tmp_path_factory.mktemp("standings") / "s.duckdb")
    try:
        _base(con)
        assert _kept(con) == _from_scratch(con)
        assert _kept_labels(con) == _labels_from_scratch(con)
        for table, key, values in batch:
            _write(con, table, key, values)
            assert _kept(con) == _from_scratch(con), (table, key, values)
            assert _kept_labels(con) == _labels_from_scratch(con), (table, key, values)
    finally:
        con.close()


def test_a_child_statement_moves_its_ancestors_standings(con) -> None:
    """A grandchild's statement changes its grandparent's line (inherit) and none of another tree's; re-parenting
    the child moves its statements to the new ancestors and out of the old."""
    _base(con)
    kept = {(a, t, i): n for a, t, i, n in con.execute("select series_actor_id, topic_id, inherit, statements from series_standings").fetchall()}
    _write(con, "statements", "s7", {"actor_id": "C", "topic_id": "u", "stated_on": dt.date(2024, 6, 1),
                                     "date_precision": "day", "position_code": "keep", "self_declared_continuity": False})
    counts = dict(((a, i), n) for a, i, n in con.execute(
        "select series_actor_id, inherit, statements from series_standings where topic_id = 'u'").fetchall())
    assert counts == {("A", True): 1, ("B", True): 1, ("C", True): 1, ("C", False): 1}
    assert kept[("D", "t", True)] == 1
    _write(con, "actors", "B", "D")
    moved = dict(((a, i), n) for a, i, n in con.execute(
        "select series_actor_id, inherit, statements from series_standings where topic_id = 't'").fetchall())
    assert (moved[("A", True)], moved[("D", True)]) == (1, 3)
    assert _kept(con) == _from_scratch(con)


def _standings_judged_at_open(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None,
                              inherit: bool) -> pd.DataFrame:
    """The Overview's table as it was judged at page open before the standings were kept (the oracle)."""
    total, busiest = continuity.busiest_series(con, actors, topics, inherit, stance.STANDINGS_LIMIT)
    entries = stance._figures(stance._judge(continuity.series_continuity(con, busiest, inherit))[2], dt.date.today())
    entries.sort(key=lambda e: busiest.index((e["actor_id"], e["topic_id"])))
    names = catalog.names(con)
    labels = {t: stance.position_labels(con, t) for t in {e["topic_id"] for e in entries}}
    table = pd.DataFrame([{
        "actor": names.get(e["actor_id"], e["actor_id"]),
        "topic": names.get(e["topic_id"], e["topic_id"]),
        "current position": labels[e["topic_id"]].get(e["current_position"], e["current_position"]) if e["current_position"]
        else stance._positions_label(e["current_positions"], labels[e["topic_id"]]),
        "held since": format_partial_date(e["held_since"], e["held_since_precision"]) if e["held_since"] else "",
        "shifts": e["shifts"],
        "divergent statements": len(e["divergent"]),
        "reaffirmations since": e["reaffirmations"],
        "statements": e["statements"],
        "last statement": format_partial_date(e["last_statement_on"], e["last_statement_precision"]),
    } for e in entries], columns=["actor", "topic", "current position", "held since", "shifts", "divergent statements",
                                  "reaffirmations since", "statements", "last statement"])
    table.attrs["total"] = total
    return table


@pytest.mark.parametrize("inherit", [True, False])
def test_the_overview_reads_the_table_it_judged_at_open(seeded, monkeypatch, inherit) -> None:
    """Read from the kept standings, the Overview's table is the one judged at page open: no filter, an actor
    filter with its sub-actors (the page's scope), a topic; with fewer lines shown than there are."""
    synthetic.generate(seeded, events=200, statements=3_000, claims=0, seed=7)
    monkeypatch.setattr(stance, "STANDINGS_LIMIT", 6)
    scope = catalog.actor_scope(seeded, Filters(actors=("TUR",)))
    topics = sorted(t for (t,) in seeded.execute("select distinct topic_id from statements").fetchall())
    for actors, chosen in ((None, None), (scope, None), (None, topics[:1])):
        kept = stance.standings(seeded, actors, chosen, inherit)
        assert len(kept) > 0
        pd.testing.assert_frame_equal(kept, _standings_judged_at_open(seeded, actors, chosen, inherit))
        assert kept.attrs["total"] == _standings_judged_at_open(seeded, actors, chosen, inherit).attrs["total"]


def test_a_write_on_either_backend_keeps_the_standings(any_seeded) -> None:
    """On the file and the team store: a statement added under a sub-actor, an actor re-parented, a delete, a revert."""
    con = any_seeded
    assert _kept(con) == _from_scratch(con) and _kept(con)
    with store.transaction(con, "test", "a ministry's statement") as audit:
        after = {"statement_id": "stmt-new", "stated_on": dt.date(2026, 1, 5), "date_precision": "day", "actor_id": "TUR-MSB",
                 "topic_id": "s400", "position_code": "return_or_sell"}
        rows.insert(con, "statements", after)
        audit.row("statements", "stmt-new", None, after)
    assert _kept(con) == _from_scratch(con)
    with store.transaction(con, "test", "the ministry on its own") as audit:
        before = rows.fetch(con, "actors", ("TUR-MSB",))
        rows.update(con, "actors", ("TUR-MSB",), {"parent_actor_id": None})
        audit.row("actors", "TUR-MSB", before, rows.fetch(con, "actors", ("TUR-MSB",)))
    assert _kept(con) == _from_scratch(con)
    moved = con.execute("select max(audit_id) from audit_log").fetchall()[0][0]
    with store.transaction(con, "test", "delete") as audit:
        before = rows.fetch(con, "statements", ("stmt-new",))
        rows.delete(con, "statements", ("stmt-new",))
        audit.row("statements", "stmt-new", before, None)
    assert _kept(con) == _from_scratch(con)
    revert.revert_write(con, moved, "test")
    assert _kept(con) == _from_scratch(con)


def test_a_former_row_listing_only_what_changed_still_names_the_old_series(seeded) -> None:
    """An audit row may hold only the changed columns before: a statement moved to another actor re-judges the series
    it left (the topic it did not list is the current one), and an unmoved one's partial row is no missing series."""
    statement, speaker = seeded.execute("select statement_id, actor_id from statements where actor_id = 'TUR-MSB' limit 1").fetchone()
    with store.transaction(seeded, "test", "moved to the state") as audit:
        seeded.execute("update statements set actor_id = 'TUR' where statement_id = ?", [statement])
        audit.row("statements", statement, {"actor_id": speaker}, {"actor_id": "TUR"})
    assert _kept(seeded) == _from_scratch(seeded)
    with store.transaction(seeded, "test", "recoded") as audit:
        seeded.execute("update statements set self_declared_continuity = true where statement_id = ?", [statement])
        audit.row("statements", statement, {"self_declared_continuity": False}, {"self_declared_continuity": True})
    assert _kept(seeded) == _from_scratch(seeded)


def test_a_write_without_row_keys_judges_every_series(seeded) -> None:
    synthetic.generate(seeded, events=100, statements=500, claims=0, seed=3)
    assert _kept(seeded) == _from_scratch(seeded) and len(_kept(seeded)) > 10


def test_large_judgements_are_cut_into_parts(seeded, monkeypatch) -> None:
    """Judged a few statements at a time, every series is judged as in one part."""
    synthetic.generate(seeded, events=100, statements=500, claims=0, seed=4)
    whole = _kept(seeded)
    monkeypatch.setattr(derived, "STANDINGS_CHUNK", 20)
    with store.transaction(seeded, "test", "judge again") as audit:
        audit.wrote("statements")
    assert _kept(seeded) == whole


def test_a_statement_in_several_chosen_series_keeps_each_series_label(con) -> None:
    """A child's statement sits in its own line and its ancestors': judged together, each line keeps its own labels
    (they were once shared by statement, so a one-voice line took an ancestor's 'shifted')."""
    _base(con)
    _write(con, "actors", "B", "D")  # D's line on t: D drop (Apr), B drop (Feb), C keep (Mar)
    together = stance.positions_held(con, ACTORS, ["t"], True, dt.date(2025, 1, 1))
    alone = [e for actor in ACTORS for e in stance.positions_held(con, [actor], ["t"], True, dt.date(2025, 1, 1))]
    assert sorted(together, key=lambda e: e["actor_id"]) == alone
    assert next(e for e in together if e["actor_id"] == "C")["shifts"] == 0


def test_standings_read_from_several_cursors_at_once_leave_the_store_usable(seeded: duckdb.DuckDBPyConnection) -> None:
    """A page and the warm-up read the kept standings from cursors of one connection at once. With ``count(*) over ()``
    DuckDB 1.5.5 failed "Attempted to access index 0 within vector of size 0" within a second of three threads doing
    this, and invalidated the database until a restart (a CI run's AppTest of the Overview hit it)."""
    errors: list[Exception] = []

    def read() -> None:
        cursor = store.cursor(seeded)
        try:
            for _ in range(300):
                continuity.kept_standings(cursor, None, ["s400"], True, 50)
                continuity.busiest_series(cursor, None, None, True, 50)
        except duckdb.Error as exc:
            errors.append(exc)
        finally:
            cursor.close()

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert errors == []
    assert continuity.kept_standings(seeded, None, ["s400"], True, 50)[0] == 1
