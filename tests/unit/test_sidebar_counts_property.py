"""The kept sidebar counts (``source_document_counts``, ``event_type_counts``) against a recount, after random writes.

lib/derived.py recounts the sources and event types that a write's rows name, now and in their audited former rows;
this test holds both tables equal to counting documents and events from scratch after every write (row-level writes
with whole or partial former rows, bulk writes with keys, writes without keys), and the sidebar's lists read from them
equal to the lists grouped live. Without the upkeep the tables keep the seed's counts and the test fails.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import catalog, store
from tests.conftest import store_copy

SOURCES = ["nat", "nefes", "ria"]
TYPES = ["test", "meeting", "delivery"]

RECOUNTS = {
    "source_document_counts": "select source_id, count(*) from documents group by all",
    "event_type_counts": "select event_type, count(*) from events group by all",
}
LIVE_SOURCES = """
    select s.source_id from sources s left join (select source_id, count(*) n from documents group by all) d using (source_id)
    order by coalesce(d.n, 0) desc, s.name, s.source_id"""
LIVE_TYPES = "select event_type from events group by all order by count(*) desc, event_type"

writes = st.lists(st.one_of(
    st.tuples(st.just("add document"), st.sampled_from(SOURCES), st.integers(1, 3)),
    st.tuples(st.just("move document"), st.sampled_from(SOURCES), st.integers(0, 50)),
    st.tuples(st.just("move document, only the change audited"), st.sampled_from(SOURCES), st.integers(0, 50)),
    st.tuples(st.just("delete document"), st.sampled_from(SOURCES), st.integers(0, 50)),
    st.tuples(st.just("move documents without keys"), st.sampled_from(SOURCES), st.integers(0, 50)),
    st.tuples(st.just("add events"), st.sampled_from(TYPES), st.integers(1, 3)),
    st.tuples(st.just("retype event"), st.sampled_from(TYPES), st.integers(0, 50)),
    st.tuples(st.just("delete event"), st.sampled_from(TYPES), st.integers(0, 50)),
    st.tuples(st.just("retype events without keys"), st.sampled_from(TYPES), st.integers(0, 50)),
), min_size=1, max_size=6)


def kept(con: duckdb.DuckDBPyConnection, table: str) -> set[tuple]:
    return set(con.execute(f"select * from {table}").fetchall())


def _pick(con: duckdb.DuckDBPyConnection, table: str, key: str, n: int) -> dict | None:
    """The n-th row (by key, wrapping) of a table, whole, as a dict; None when it is empty."""
    rows = con.execute(f"select * from {table} order by {key}").df()
    return None if not len(rows) else rows.iloc[n % len(rows)].to_dict()


def _write(con: duckdb.DuckDBPyConnection, step: int, what: str, value: str, n: int) -> None:
    with store.transaction(con, "test", what) as audit:
        if what == "add document":  # a bulk writer: keys, no audited rows
            ids = [f"doc{step}-{i}" for i in range(n)]
            con.execute("insert into documents (document_id, source_id) select unnest(?::varchar[]), ?", [ids, value])
            audit.bulk("documents", {"added": n}, "select unnest(" + repr(ids) + "::varchar[])")
        elif what.startswith("move document") and what != "move documents without keys":
            row = _pick(con, "documents", "document_id", n)
            con.execute("update documents set source_id = ? where document_id = ?", [value, row["document_id"]])
            before = {"source_id": row["source_id"]} if "only the change" in what else {"document_id": row["document_id"],
                                                                                        "source_id": row["source_id"]}
            audit.row("documents", row["document_id"], before, {"source_id": value})
        elif what == "delete document":
            row = _pick(con, "documents", "document_id", n)
            con.execute("delete from documents where document_id = ?", [row["document_id"]])
            audit.row("documents", row["document_id"], {"document_id": row["document_id"], "source_id": row["source_id"]}, None)
        elif what == "move documents without keys":
            con.execute("update documents set source_id = ? where hash(document_id) % 3 = ?", [value, n % 3])
            audit.wrote("documents")
        elif what == "add events":
            ids = [f"ev{step}-{i}" for i in range(n)]
            con.execute("insert into events (event_id, occurred_on, event_type, title) select unnest(?::varchar[]), "
                        "date '2024-01-01', ?, 'x'", [ids, value])
            audit.bulk("events", {"added": n}, "select unnest(" + repr(ids) + "::varchar[])")
        elif what == "retype event":
            row = _pick(con, "events", "event_id", n)
            con.execute("update events set event_type = ? where event_id = ?", [value, row["event_id"]])
            audit.row("events", row["event_id"], {"event_type": row["event_type"]}, {"event_type": value})
        elif what == "delete event":
            row = _pick(con, "events", "event_id", n)
            con.execute("delete from event_actors where event_id = ?", [row["event_id"]])
            con.execute("delete from event_documents where event_id = ?", [row["event_id"]])
            con.execute("delete from events where event_id = ?", [row["event_id"]])
            audit.row("events", row["event_id"], {"event_id": row["event_id"], "event_type": row["event_type"]}, None)
            audit.wrote("event_actors", f"select '{row['event_id']}'")
            audit.wrote("event_documents", f"select '{row['event_id']}'")
        else:
            con.execute("update events set event_type = ? where hash(event_id) % 3 = ?", [value, n % 3])
            audit.wrote("events")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=writes)
def test_kept_sidebar_counts_equal_a_recount_after_any_writes(seed_store_file: Path, case: list) -> None:
    with store_copy(seed_store_file) as con:
        for table, recount in RECOUNTS.items():
            assert kept(con, table) == set(con.execute(recount).fetchall()) != set()
        for step, (what, value, n) in enumerate(case):
            _write(con, step, what, value, n)
            for table, recount in RECOUNTS.items():
                assert kept(con, table) == set(con.execute(recount).fetchall()), (what, table)
        options = catalog.filter_options(con)
        assert list(options["sources"].source_id) == [s for (s,) in con.execute(LIVE_SOURCES).fetchall()]
        assert list(options["event_types"].code) == [t for (t,) in con.execute(LIVE_TYPES).fetchall()]
