"""Benchmark: the pages' queries on the team store (DuckLake on PostgreSQL) against the embedded DuckDB file.

It copies a synthetic store file (bench/timeline.py's, e.g. /work/stores/events_1m.duckdb, opened
read-only) into a new team store on a throwaway PostgreSQL (tests/pg.py: initdb in a temporary
folder, a Unix socket) with its Parquet files in a temporary data path, then times the queries the
Overview, Timeline, Stances and Sources pages run, on both stores in the same process, alternating
file and lake run by run so that both see the same machine load. It reports the median of
``--repeat`` runs (after one warm-up run each) of wall and CPU milliseconds (the process's, every DuckDB
thread), the ratio lake / file, the load average, and how many queries the lake sent to its catalog for one
run (postgres_scanner's ``pg_debug_show_queries``, counted from stderr).

    python bench/backends.py [--store /work/stores/events_1m.duckdb] [--repeat 5] [--only Timeline --only summary] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timeline import scenario_filters  # noqa: E402 - after the path is set

TODAY = dt.date(2026, 12, 1)


def page_queries() -> dict[str, object]:
    """label -> function(con): what each page asks the store for on a first load (no page cache)."""
    from lib import catalog
    from lib.filters import Filters
    from lib.sources import reliability
    from lib.stances import stance
    from lib.timeline import timeline

    found: dict[str, object] = {
        "Overview: store summary": lambda con: catalog.store_summary(con),
        "Overview: standings (50 busiest series)": lambda con: stance.standings(con, None, None, True),
    }
    for name in ("all_dates", "one_year", "month_top_actor"):
        filters = scenario_filters(name)
        found[f"Timeline: {name}"] = lambda con, f=filters: timeline.chart_data(con, f, "actor")
    found["Stances: positions held, every series"] = lambda con: stance.positions_held(con, None, None, True, TODAY)
    found["Sources: track records"] = lambda con: reliability.track_records(con, Filters())
    return found


def copy_into_lake(source: Path, setting: str) -> float:
    """Copy every table of the store file into a new team store; seconds taken."""
    from lib import store

    started = time.perf_counter()
    con = store.connect(setting)
    con.execute(f"attach '{source.as_posix()}' as src (read_only)")
    tables = [*store.TABLES, "event_actor_days", "event_actor_months", "claim_judgements", "source_judgement_totals",
              "audit_log", "imports", "meta"]  # the derived tables the measured queries read, copied as they are
    con.execute("begin transaction")
    for table in tables:
        con.execute(f"delete from {table}")
        con.execute(f"insert into {table} by name select * from src.{table}")
    con.execute("commit")
    con.execute("detach src")
    con.close()
    return time.perf_counter() - started


def catalog_queries(con: object, func: object) -> int:
    """How many statements one run of ``func`` sends to the team store's PostgreSQL catalog (postgres_scanner prints
    each to stderr under ``pg_debug_show_queries``; stderr is taken aside for the run)."""
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            con.execute("set pg_debug_show_queries = true")
            func(con)
        finally:
            con.execute("set pg_debug_show_queries = false")
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        return len(re.findall(rb"^(COPY|SELECT|BEGIN|COMMIT)\b", out.read(), re.M))


def measure(file_db: Path, setting: str, repeat: int, only: list[str] | None) -> list[dict[str, object]]:
    from lib import store

    stores = {"file": store.connect(file_db, read_only=True), "lake": store.connect(setting, read_only=True)}
    assert store.table_counts(stores["file"]) == store.table_counts(stores["lake"]), "the copy differs"
    rows = []
    for label, func in page_queries().items():
        if only and not any(part in label for part in only):
            continue
        times: dict[str, list[float]] = {"file": [], "lake": []}
        cpu: dict[str, list[float]] = {"file": [], "lake": []}
        for con in stores.values():
            func(con)  # warm-up: DuckDB's buffers, the lake's file list
        load = os.getloadavg()[0]
        for _ in range(repeat):
            for which, con in stores.items():
                started, used = time.perf_counter(), time.process_time()
                func(con)
                times[which].append((time.perf_counter() - started) * 1000)
                cpu[which].append((time.process_time() - used) * 1000)
        file_ms, lake_ms, file_cpu, lake_cpu = (round(statistics.median(series[w]), 1)
                                                for series in (times, cpu) for w in ("file", "lake"))
        load = round((load + os.getloadavg()[0]) / 2, 1)
        asked = catalog_queries(stores["lake"], func)
        rows.append({"query": label, "file_ms": file_ms, "lake_ms": lake_ms, "ratio": round(lake_ms / file_ms, 2),
                     "file_cpu_ms": file_cpu, "lake_cpu_ms": lake_cpu, "catalog_queries": asked, "load": load})
        print(f"{label:45s} file {file_ms:9.1f} ms (cpu {file_cpu:8.1f})   lake {lake_ms:9.1f} ms (cpu {lake_cpu:8.1f})   "
              f"x{lake_ms / file_ms:.2f}   catalog queries {asked}   load {load}", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/work/stores/events_1m.duckdb"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", action="append", help="only the page queries whose label holds this text (repeatable)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from lib import backend
    from tests import pg

    server = pg.start()
    try:
        with tempfile.TemporaryDirectory() as data:
            os.environ[backend.DATA_PATH_ENV] = data
            setting = f"ducklake:postgres:{server.new_database()}"
            print(f"machine: {platform.machine()}, {os.cpu_count()} cpus, python {platform.python_version()}; "
                  f"load average before: {os.getloadavg()}", flush=True)
            print(f"copied {args.store.name} into the team store in {copy_into_lake(args.store, setting):.1f} s "
                  f"(load average after: {os.getloadavg()})", flush=True)
            rows = measure(args.store, setting, args.repeat, args.only)
            print(f"load average after: {os.getloadavg()}")
            if args.json:
                print(json.dumps({"store": str(args.store), "rows": rows, "load": os.getloadavg()}, indent=1))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
