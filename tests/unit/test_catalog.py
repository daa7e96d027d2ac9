"""The Overview's headline figures (lib/catalog.py) against their plain definitions, on both backends."""

from __future__ import annotations

import duckdb

from lib import catalog, store


def test_store_summary_counts_every_table_each_origin_and_the_span(any_seeded: duckdb.DuckDBPyConnection) -> None:
    con = any_seeded
    with store.transaction(con, "test", "an event of another origin, dated before everything else") as audit:
        con.execute("insert into events (event_id, occurred_on, event_type, title, origin) "
                    "select 'ev-old', '1990-01-01', min(event_type), 'old', 'acled' from events")
        audit.wrote("events")
    summary = catalog.store_summary(con)
    for table in store.TABLES:
        assert summary[table] == con.execute(f"select count(*) from {table}").fetchall()[0][0], table
    origins = con.execute("select origin, count(*) from events group by origin order by 2 desc, 1").fetchall()
    assert sorted(summary["events_by_origin"].items()) == sorted(origins)
    assert list(summary["events_by_origin"].values()) == sorted(summary["events_by_origin"].values(), reverse=True)
    days = con.execute("""select min(d), max(d) from (select occurred_on d from events union all select stated_on from statements
                          union all select claimed_on from claims)""").fetchall()[0]
    assert (summary["first_day"], summary["last_day"]) == days
    assert str(summary["first_day"]) == "1990-01-01"


def test_store_summary_of_an_empty_store(con: duckdb.DuckDBPyConnection) -> None:
    summary = catalog.store_summary(con)
    assert all(summary[t] == 0 for t in store.TABLES)
    assert summary["events_by_origin"] == {} and summary["first_day"] is None and summary["last_day"] is None
