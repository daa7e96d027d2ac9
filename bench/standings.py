"""Benchmark: the Overview's "where each actor stands" (``stance.standings``, no filter) before and after issue 15's change.

On a store already at the current schema (``--store``, opened read-only; copy a schema-8 store and open it
once with the app's code first), with the load average beside each figure:

1. **before**: the route standings took until then: every series of the busiest 50 series' actors on their
   topics (``continuity.statement_continuity``, every column), filtered to the 50 in pandas, judged with the
   rows rewritten (``stance.judged``);
2. **after**: ``stance.standings`` (the 50 series alone, the rule's columns alone);
3. the split of "after": the busiest series, the SQL, the group rule in Python.

Before and after alternate, ``--repeat`` times each, for ``inherit`` on and off, each on a fresh connection.
Figures are CPU seconds of the process (DuckDB's threads included) and wall seconds.

    python bench/standings.py --store /tmp/standings_10m.duckdb [--repeat 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import catalog, store  # noqa: E402
from lib.stances import continuity, stance  # noqa: E402


def before(con, inherit: bool) -> None:
    _, busiest = continuity.busiest_series(con, None, None, inherit, stance.STANDINGS_LIMIT)
    chosen = set(busiest)
    rows = continuity.statement_continuity(con, sorted({a for a, _ in busiest}), sorted({t for _, t in busiest}), inherit)
    rows = rows[[key in chosen for key in zip(rows.series_actor_id, rows.topic_id, strict=True)]]
    entries = stance._figures(stance.judged(rows)[1], dt.date.today())
    catalog.names(con)
    for topic in {e["topic_id"] for e in entries}:
        stance.position_labels(con, topic)


def after(con, inherit: bool) -> None:
    stance.standings(con, None, None, inherit)


def timed(label: str, call: Callable[[], object]) -> object:
    cpu, wall = time.process_time(), time.time()
    result = call()
    print(f"{label:44s} {time.process_time() - cpu:6.2f} s CPU {time.time() - wall:6.2f} s wall  load {os.getloadavg()[0]:.1f}",
          flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    for inherit in (True, False):
        for _ in range(args.repeat):
            for name, run in (("before", before), ("after", after)):
                con = store.connect(args.store, read_only=True)
                timed(f"inherit={inherit} {name}", lambda con=con, run=run, inherit=inherit: run(con, inherit))
                con.close()
    con = store.connect(args.store, read_only=True)
    _, busiest = timed("after: busiest_series", lambda: continuity.busiest_series(con, None, None, True, stance.STANDINGS_LIMIT))
    rows = timed("after: series_continuity (SQL)", lambda: continuity.series_continuity(con, busiest, True))
    timed(f"after: group rule in Python ({len(rows):,} rows)", lambda: stance._judge(rows))


if __name__ == "__main__":
    main()
