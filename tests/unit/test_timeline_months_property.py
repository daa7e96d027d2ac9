"""The kept opening density (``timeline_actor_months``) against a recount from the items, after random writes.

lib/derived.py moves a column of the table when a write touched its items (statements and claims written with their keys:
only the months their rows sat in before and after, from the audited values before); this test holds the table equal
to counting events' links, statements and claims from scratch after every write, and the Timeline's opening density
(and the sidebar's busiest actors) read from it equal to the live counts. Without the upkeep the table keeps the seed's
counts, and without the months a keyed edit moved a row out of it keeps the old month's count: the test fails.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import catalog, store
from lib.filters import Filters
from lib.timeline import queries
from lib.vocab import ORIGINS
from tests.conftest import store_copy

ACTORS = ["TUR", "RUS", "USA", "TUR-MSB"]
DAYS = st.integers(0, 800).map(lambda n: dt.date(2024, 1, 1) + dt.timedelta(days=n))

RECOUNT = """
    select actor_id, month, sum(events)::bigint, sum(statements)::bigint, sum(claims)::bigint from (
        select ea.actor_id, date_trunc('month', e.occurred_on)::date as month, count(*) as events, 0 as statements, 0 as claims
        from events e join event_actors ea using (event_id) group by all
        union all select actor_id, date_trunc('month', stated_on)::date, 0, count(*), 0 from statements group by all
        union all select subject_actor_id, date_trunc('month', claimed_on)::date, 0, 0, count(*) from claims group by all)
    group by all
    """

BUSIEST_ACTORS = """
    select a.actor_id from actors a
    left join (select actor_id, count(*) n from event_actors group by all) e using (actor_id)
    left join (select actor_id, count(*) n from statements group by all) s using (actor_id)
    order by coalesce(e.n, 0) + coalesce(s.n, 0) desc, a.name
    """

writes = st.lists(st.one_of(
    st.tuples(st.just("statement"), st.sampled_from(ACTORS), DAYS),
    st.tuples(st.just("claim"), st.sampled_from([*ACTORS, None]), DAYS),
    st.tuples(st.just("event"), st.lists(st.sampled_from(ACTORS), min_size=0, max_size=3, unique=True), DAYS),
    st.tuples(st.just("move statements of"), st.sampled_from(ACTORS), DAYS),
    st.tuples(st.just("delete claims about"), st.sampled_from([*ACTORS, None]), DAYS),
    st.tuples(st.just("unlink"), st.sampled_from(ACTORS), DAYS),
    st.tuples(st.just("edit a statement's date"), st.integers(0, 20), DAYS),
    st.tuples(st.just("edit a statement's speaker and date"), st.tuples(st.integers(0, 20), st.sampled_from(ACTORS)), DAYS),
    st.tuples(st.just("edit a claim's subject"), st.tuples(st.integers(0, 20), st.sampled_from([*ACTORS, None])), DAYS),
    st.tuples(st.just("delete a statement"), st.integers(0, 20), DAYS),
), min_size=1, max_size=6)


def kept(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    return set(con.execute("select actor_id, month, events, statements, claims from timeline_actor_months").fetchall())


def recounted(con: duckdb.DuckDBPyConnection) -> set[tuple]:
    return set(con.execute(RECOUNT).fetchall())


def _write(con: duckdb.DuckDBPyConnection, n: int, what: str, actor, day: dt.date) -> None:
    with store.transaction(con, "test", what) as audit:
        if what == "statement":
            con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id) values (?, ?, ?, 's400')",
                        [f"st{n}", day, actor])
            audit.row("statements", f"st{n}", None, {"statement_id": f"st{n}"})
        elif what == "claim":
            con.execute("insert into claims (claim_id, claimed_on, document_id, subject_actor_id, text) values (?, ?, 'nefes-2025-09-03', ?, 'x')",
                        [f"cl{n}", day, actor])
            audit.row("claims", f"cl{n}", None, {"claim_id": f"cl{n}"})
        elif what == "event":
            con.execute("insert into events (event_id, occurred_on, event_type, title) values (?, ?, 'test', 'x')", [f"ev{n}", day])
            for a in actor:
                con.execute("insert into event_actors (event_id, actor_id) values (?, ?)", [f"ev{n}", a])
            audit.wrote("events", f"select 'ev{n}'")
            audit.wrote("event_actors", f"select 'ev{n}'")
        elif what == "move statements of":
            con.execute("update statements set stated_on = ? where actor_id = ?", [day, actor])
            audit.wrote("statements")
        elif what == "delete claims about":
            con.execute("delete from claims where subject_actor_id is not distinct from ?", [actor])
            audit.wrote("claims")
        elif what == "unlink":
            con.execute("delete from event_actors where actor_id = ?", [actor])
            audit.wrote("event_actors")
        else:
            _keyed_edit(con, audit, what, actor, day)


def _keyed_edit(con: duckdb.DuckDBPyConnection, audit: store.Audit, what: str, which, day: dt.date) -> None:
    """An edit of one stored row, audited with its key and only the changed columns' values before (as lib/edits does)."""
    nth, actor = which if isinstance(which, tuple) else (which, None)
    table, key, who, when = ("claims", "claim_id", "subject_actor_id", "claimed_on") if "claim" in what else (
        "statements", "statement_id", "actor_id", "stated_on")
    rows = con.execute(f"select {key}, {who}, {when} from {table} order by {key}").fetchall()
    if not rows:  # an earlier step deleted them all: nothing to edit
        return
    row_key, was_actor, was_day = rows[nth % len(rows)]
    if what == "delete a statement":
        con.execute("delete from statements where statement_id = ?", [row_key])
        audit.row(table, row_key, {key: row_key, who: was_actor, when: was_day}, None)
    elif what == "edit a statement's date":
        con.execute(f"update {table} set {when} = ? where {key} = ?", [day, row_key])
        audit.row(table, row_key, {when: was_day}, {when: day})
    elif what == "edit a claim's subject":
        con.execute(f"update {table} set {who} = ? where {key} = ?", [actor, row_key])
        audit.row(table, row_key, {who: was_actor}, {who: actor})
    else:
        con.execute(f"update {table} set {who} = ?, {when} = ? where {key} = ?", [actor, day, row_key])
        audit.row(table, row_key, {who: was_actor, when: was_day}, {who: actor, when: day})


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=writes)
def test_kept_month_counts_equal_a_recount_after_any_writes(seed_store_file: Path, case: list) -> None:
    with store_copy(seed_store_file) as con:
        assert kept(con) == recounted(con) != set()
        for n, (what, actor, day) in enumerate(case):
            _write(con, n, what, actor, day)
            assert kept(con) == recounted(con), what
        for filters in (Filters(), Filters(actors=("TUR",)), Filters(kinds=("statement", "claim"))):
            fast = queries.timeline_density(con, filters, "actor", "month", max_lanes=2)
            live = queries.timeline_density(con, dataclasses.replace(filters, origins=ORIGINS), "actor", "month", max_lanes=2)
            assert fast.equals(live)
        # the sidebar lists actors busiest first by the same counts
        assert list(catalog.filter_options(con)["actors"].actor_id) == [a for (a,) in con.execute(BUSIEST_ACTORS).fetchall()]
