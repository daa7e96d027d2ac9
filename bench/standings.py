"""Benchmark: the Overview's "where each actor stands" (``stance.standings``, no filter), judged at page open against
read from the standings the store keeps (schema 11).

On a store already at schema 11 (``--store``, opened read-only; copy a schema-10 store and upgrade it first with
bench/standings_upkeep.py), with the load average beside each figure:

1. **before**: the route standings took until schema 11, kept in tests/unit/test_standings.py as the oracle: the
   busiest 50 series (``continuity.busiest_series``), their statements (``continuity.series_continuity``), the group
   rule in Python over them;
2. **after**: ``stance.standings``, which reads 50 rows of ``series_standings``;

alternating, ``--repeat`` times each, for ``inherit`` on and off, each on a fresh connection; the two tables are
compared. Figures are CPU seconds of the process (DuckDB's threads included) and wall seconds.

    python bench/standings.py --store /tmp/standings_10m.duckdb [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import store  # noqa: E402
from lib.stances import stance  # noqa: E402
from tests.unit.test_standings import _standings_judged_at_open  # noqa: E402


def before(con, inherit: bool) -> pd.DataFrame:
    return _standings_judged_at_open(con, None, None, inherit)


def after(con, inherit: bool) -> pd.DataFrame:
    return stance.standings(con, None, None, inherit)


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
        tables = {}
        for _ in range(args.repeat):
            for name, run in (("before", before), ("after", after)):
                con = store.connect(args.store, read_only=True)
                tables[name] = timed(f"inherit={inherit} {name}", lambda con=con, run=run, inherit=inherit: run(con, inherit))
                con.close()
        pd.testing.assert_frame_equal(tables["before"], tables["after"])
        print(f"inherit={inherit}: the same table before and after ({len(tables['after'])} rows)", flush=True)


if __name__ == "__main__":
    main()
