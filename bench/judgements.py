"""Benchmark: the claims' judgements kept at write time (lib/sources/judgements.py, schema 9) against judging on read.

On a copy of a schema-8 store (``--store``, copied, never written), with the load average beside each figure:

1. **before**: every source's track record as the commit before schema 9 computed it (``--base``'s
   ``claim_status.source_track_records``, which judges every claim), unfiltered and under a filter (a year and a topic);
2. the upgrade to schema 9 (judging every claim once, ``judgements.rebuild``);
3. **after**: ``claim_status.source_track_records`` summing the kept judgements, the same two ways, and a check
   that both give the same table;
4. what the upkeep adds to writes (``judgements.refresh`` inside the transaction, timed apart): one evidence
   row added to one claim, an analyst's grade of one source, and a GDELT-like import of ``--import-rows``
   events (bench/ingest.py's day).

Each figure: median of ``--repeat`` runs, wall seconds and CPU seconds of the process (DuckDB's threads
included).

    python bench/judgements.py --store /work/stores/events_10m_v8.duckdb [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ingest import make_day  # noqa: E402
from bench.search import load  # noqa: E402
from lib import store  # noqa: E402
from lib.filters import Filters  # noqa: E402
from lib.ingest.gdelt import import_gdelt  # noqa: E402
from lib.sources import claim_status, judgements, reliability  # noqa: E402


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``repeat`` runs, and the last result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def before(base: str) -> Callable[..., pd.DataFrame]:
    """``source_track_records`` of the commit ``base`` (judging every claim on read), loaded from git."""
    source = subprocess.run(["git", "show", f"{base}:lib/queries.py"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    module = types.ModuleType("queries_before")
    exec(compile(source, f"{base}:lib/queries.py", "exec"), module.__dict__)  # our own file at that commit
    return module.source_track_records


class Spent:
    """Seconds ``judgements.refresh`` took inside the transactions run meanwhile."""

    def __enter__(self) -> Spent:
        self.seconds, self.original = 0.0, judgements.refresh

        def refresh(*args: object, **kwargs: object) -> None:
            start = time.perf_counter()
            self.original(*args, **kwargs)
            self.seconds += time.perf_counter() - start

        judgements.refresh = refresh
        return self

    def __exit__(self, *exc: object) -> None:
        judgements.refresh = self.original


def add_evidence(con, claim_id: str, item: str) -> None:
    """One evidence row, written as the edit form writes one (audited by its key)."""
    with store.transaction(con, "bench", "add evidence") as audit:
        con.execute("insert into evidence (claim_id, relation, evidence_type, evidence_id) values (?, 'corroborates', 'statement', ?)",
                    [claim_id, item])
        audit.row("evidence", f"{claim_id}/statement/{item}", None, {"claim_id": claim_id, "evidence_type": "statement",
                                                                      "evidence_id": item, "relation": "corroborates"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a schema-8 store (copied, never written)")
    parser.add_argument("--base", default="f1f5957", help="the commit whose track records judge on read")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/stancewatch-bench-judgements"))
    args = parser.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    work, day = args.scratch / f"work-{os.getpid()}.duckdb", args.scratch / f"day-{os.getpid()}.csv"
    shutil.copy(args.store, work)
    chosen = Filters(date_from=dt.date(2023, 1, 1), date_to=dt.date(2023, 12, 31))
    try:
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, {args.store.name}; load {load()}")
        con = store.connect(work, read_only=True)
        counts = store.table_counts(con)
        topic = con.execute("select topic_id from claims group by all order by count(*) desc limit 1").fetchall()[0][0]
        chosen = Filters(date_from=chosen.date_from, date_to=chosen.date_to, topics=(topic,))
        print(f"store: {counts['events']:,} events, {counts['claims']:,} claims, {counts['evidence']:,} evidence rows, "
              f"{counts['documents']:,} documents")
        old = before(args.base)
        results = {}
        for label, filters in (("unfiltered", None), (f"2023, topic {topic}", chosen)):
            wall, cpu, results[label] = timed(lambda f=filters: old(con, f), args.repeat)
            print(f"before: track records {label}: {wall:.2f} s wall, {cpu:.2f} s CPU; load {load()}")
        con.close()
        start, cpu = time.perf_counter(), time.process_time()
        con = store.connect(work)
        print(f"upgrade to schema {store.SCHEMA_VERSION} (every claim judged): {time.perf_counter() - start:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU; load {load()}")
        for label, filters in (("unfiltered", None), (f"2023, topic {topic}", chosen)):
            wall, cpu, after = timed(lambda f=filters: claim_status.source_track_records(con, f), args.repeat)
            same = after.equals(results[label])
            print(f"after: track records {label}: {wall:.3f} s wall, {cpu:.3f} s CPU; same table as before: {same}; load {load()}")
            if not same:
                pd.testing.assert_frame_equal(after, results[label])
        wall, cpu, _ = timed(lambda: reliability.track_records(con), args.repeat)
        print(f"after: reliability.track_records (estimates and letters too): {wall:.3f} s wall, {cpu:.3f} s CPU; load {load()}")
        claim = con.execute("select claim_id from evidence where relation = 'corroborates' limit 1").fetchall()[0][0]
        item = con.execute("select statement_id from statements order by statement_id desc limit 1").fetchall()[0][0]
        with Spent() as spent:
            wall, _, _ = timed(lambda: add_evidence(con, claim, item), 1)
        print(f"one evidence row added to one claim: {wall:.3f} s, of which the judgements {spent.seconds:.3f} s; load {load()}")
        source = con.execute("select source_id from sources limit 1").fetchall()[0][0]
        with Spent() as spent:
            wall, _, _ = timed(lambda: reliability.set_analyst_grade(con, source, "B", "bench", who="bench"), 1)
        print(f"an analyst's grade of one source: {wall:.3f} s, of which the judgements {spent.seconds:.3f} s; load {load()}")
        make_day(day, args.import_rows, 1)
        with Spent() as spent:
            start, cpu = time.perf_counter(), time.process_time()
            result = import_gdelt(con, day, who="bench")
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(f"GDELT-like import of {args.import_rows:,} events ({result.status}): {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"of which the judgements {spent.seconds:.2f} s; load {load()}")
        kept = con.execute(f"select count(*) from {judgements.TABLE}").fetchall()[0][0]
        print(f"judgements kept: {kept:,} (claims {store.table_counts(con)['claims']:,})")
        con.close()
    finally:
        for scratch in (work, day):
            scratch.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
