"""Benchmark: stance continuity over a million statements (target: under 1 s).

Builds a throw-away store in a temp directory with SQL alone: 2,000 actors (a
quarter of them sub-actors of another), 20 topics of 3 positions, 1,000,000
statements over 2000-2025 with 80 % day, 15 % month and 5 % year precision, and
positions that mostly persist (so there are streaks and shifts to find).
Prints one line per measurement (best of 3 runs); record them in bench/RESULTS.md.

    python bench/stances.py [--statements 1000000]
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store
from lib.stances import continuity, stance

TODAY = datetime.date(2026, 12, 1)


def build(con, statements: int) -> None:
    """Fill an empty store with the synthetic actors, topics and statements."""
    con.execute("""
        insert into sources values ('bench', 'Synthetic benchmark source', 'other', null, null, null, null);
        insert into documents (document_id, source_id) values ('bench-doc', 'bench');
        insert into topics select 't' || i, 'Topic ' || i, null from range(20) r(i);
        insert into positions select 't' || i, p.code, p.code, p.ordinal
            from range(20) r(i), (values ('pro', 1), ('neutral', 0), ('contra', -1)) p(code, ordinal);
        insert into actors (actor_id, name, kind) select 'a' || i, 'Actor ' || i, 'state' from range(1500) r(i);
        insert into actors (actor_id, name, kind, parent_actor_id)
            select 'a' || i, 'Actor ' || i, 'ministry', 'a' || (i % 1500) from range(1500, 2000) r(i);
    """)
    con.execute(
        """
        insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, document_id)
        select 'st' || i,
               case when h % 100 < 80 then d when h % 100 < 95 then date_trunc('month', d) else date_trunc('year', d) end,
               case when h % 100 < 80 then 'day' when h % 100 < 95 then 'month' else 'year' end,
               'a' || (i % 2000), 't' || ((i // 2000) % 20),
               -- mostly the actor's habitual position; now and then another, or none
               case when h2 % 100 < 85 then ['pro', 'neutral', 'contra'][cast(1 + (i % 2000) % 3 as bigint)]
                    when h2 % 100 < 97 then ['pro', 'neutral', 'contra'][cast(1 + (h2 // 100) % 3 as bigint)] end,
               'bench-doc'
        from (select i, hash(i) as h, hash(i * 7 + 1) as h2,
                     date '2000-01-01' + cast(hash(i * 13 + 5) % 9490 as integer) as d
              from range(?) r(i))
        """,
        [statements],
    )


def best_of(runs: int, func) -> tuple[float, object]:
    """Best wall time of ``runs`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        build(con, args.statements)
        print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, python {platform.python_version()}")
        print(f"built {args.statements:,} statements in {time.perf_counter() - started:.1f} s")
        checks = {
            # the continuity CTE alone, as every query of the Stances section uses it
            "continuity labels of every statement (count per label)": lambda: con.execute(
                continuity.SERIES_CTE + "select continuity, count(*) from continuity group by all",
                {"actors": None, "topics": None, "inherit": False},
            ).fetchall(),
            "continuity + card figures (group rule), every actor and topic, own statements": lambda: stance.positions_held(
                con, None, None, False, TODAY),
            "continuity + card figures (group rule), every actor and topic, sub-actors folded in": lambda: stance.positions_held(
                con, None, None, True, TODAY),
            "continuity rows for one page (3 actors, 1 topic, folded in)": lambda: continuity.statement_continuity(
                con, ["a1", "a2", "a3"], ["t0"], True),
            "... and the group rule's labels for them": lambda: stance.judged(continuity.statement_continuity(
                con, ["a1", "a2", "a3"], ["t0"], True))[0],
            "Overview standings: the 50 busiest series, folded in": lambda: stance.standings(con, None, None, True),
            "CLI report: first object (a chunk of 200 actors judged)": lambda: [next(stance.stance_report(con, today=TODAY))],
            "unacknowledged shift alerts (count + newest 5)": lambda: continuity.unacknowledged_shifts(con, 5),
        }
        for label, func in checks.items():
            seconds, result = best_of(3, func)
            size = len(result[1]) if isinstance(result, tuple) else len(result)
            print(f"{seconds:6.3f} s  {label} ({size:,} rows)")
        counts = dict(con.execute(
            continuity.SERIES_CTE + "select continuity, count(*) from continuity group by all",
            {"actors": None, "topics": None, "inherit": False},
        ).fetchall())
        print("labels: " + ", ".join(f"{label} {n:,}" for label, n in sorted(counts.items())))
        con.close()


if __name__ == "__main__":
    main()
