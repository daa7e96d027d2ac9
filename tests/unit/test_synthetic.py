"""The synthetic dataset: labelled as synthetic, reproducible, skewed, complete enough for every benchmark."""

from __future__ import annotations

import duckdb
import pytest

from lib import synthetic
from lib.filters import Filters
from lib.timeline.queries import timeline_count


def test_counts_and_labels(con: duckdb.DuckDBPyConnection) -> None:
    """The returned counts match the store, and every source, actor and event says it is synthetic."""
    counts = synthetic.generate(con, events=2000, statements=300, claims=200, seed=3, progress=None)
    assert counts["events"] == 2000 and counts["statements"] == 300 and counts["claims"] == 200
    assert counts["event_documents"] == 2000 and 0 < counts["evidence"] < 200
    assert con.execute("select count(*) from events where origin <> 'synthetic'").fetchall()[0][0] == 0
    assert con.execute("select bool_and(name like 'Synthetic %') from sources").fetchall()[0][0]
    assert con.execute("select bool_and(name like 'Synthetic %') from actors").fetchall()[0][0]
    assert timeline_count(con, Filters()) == {"event": 2000, "statement": 300, "claim": 200}


def test_same_seed_same_data(tmp_path) -> None:
    """Two stores generated with the same seed hold identical events."""
    from lib import store

    rows = []
    for name in ("a", "b"):
        connection = store.connect(tmp_path / f"{name}.duckdb")
        synthetic.generate(connection, events=500, statements=0, claims=0, seed=9, progress=None)
        rows.append(connection.execute("select * from events order by event_id").fetchall())
        connection.close()
    assert rows[0] == rows[1]


def test_realistic_shape(con: duckdb.DuckDBPyConnection) -> None:
    """Ten years of dates, mostly day precision, and a few actors and types carrying most events."""
    synthetic.generate(con, events=20000, statements=0, claims=0, seed=1, progress=None)
    first, last = con.execute("select min(occurred_on), max(occurred_on) from events").fetchall()[0]
    assert first.year == 2016 and last.year == 2025
    day_share = con.execute("select avg((date_precision = 'day')::int) from events").fetchall()[0][0]
    assert 0.8 < day_share < 0.9
    top_actor = con.execute("select max(n) / sum(n) from (select count(*) n from event_actors group by actor_id)").fetchall()[0][0]
    top_type = con.execute("select max(n) / sum(n) from (select count(*) n from events group by event_type)").fetchall()[0][0]
    assert top_actor > 0.1 and top_type > 0.2


def test_refuses_a_second_run_of_the_same_seed(con: duckdb.DuckDBPyConnection) -> None:
    """Generating the same seed twice into one store is refused, and the store keeps the first run only."""
    synthetic.generate(con, events=100, statements=0, claims=0, seed=5, progress=None)
    with pytest.raises(ValueError, match="seed 5"):
        synthetic.generate(con, events=100, statements=0, claims=0, seed=5, progress=None)
    assert con.execute("select count(*) from events").fetchall()[0][0] == 100


def test_progress_is_reported(con: duckdb.DuckDBPyConnection) -> None:
    """The progress callback runs from 0 to 1."""
    seen: list[float] = []
    synthetic.generate(con, events=10, statements=0, claims=0, seed=2, progress=lambda f, _: seen.append(f))
    assert seen[0] == 0 and seen[-1] == 1.0
