"""Benchmark: full-text search (lib/search) on a synthetic store: index build, search latency, index cost per import.

The synthetic generator titles every event "Synthetic event N", which makes a
useless text collection, so each event gets a description of 12 words drawn
(skewed, like real text) from a 5,000-word vocabulary, with known phrases mixed
in: 1 % "there is no change in our position", 0.2 % "buying them back". A store
with that text is built once (kept under ``--stores``, written as
the schema before the index, so that opening a copy measures the upgrade that
builds the index; /work/stores/search_1m.duckdb is one, built 2026-12-01); every
run works on a copy.

Figures, each the median of ``--repeat`` runs after a warm-up, with the load average:
- the upgrade that builds the index from scratch (to schema 10);
- search latency (``search.search``, top 100, no filter and the year 2020) for typical queries, wall and CPU,
  beside the floor: the bare BM25 query over every posting of the terms (top 100 docids and scores, nothing joined);
- the index's cost in a GDELT-like import of ``--import-rows`` events (bench/ingest.py's day):
  the seconds ``index.refresh`` takes inside the import's transaction, beside the whole import.

    python bench/search.py --events 10000000 --stores /work/stores   # builds search_10000000.duckdb there once
    python bench/search.py --events 10000000 --stores /work/stores --base /work/stores/events_10m.duckdb  # the same, faster
    python bench/search.py --store /work/stores/search_1m.duckdb [--repeat 7] [--indexed]
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
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import make_day
from lib import search, store, synthetic
from lib.filters import Filters
from lib.ingest.gdelt import import_gdelt
from lib.search import index, query

TEXT_SQL = """
    update events set description = case
        when hash(event_id) % 100 = 0 then 'officials said there is no change in our position on w' || (hash(event_id) % 5000)
        when hash(event_id) % 500 = 1 then 'reports say they are buying them back from w' || (hash(event_id) % 5000)
        else array_to_string(list_transform(range(12), x -> 'w' || cast(floor(pow(random(), 3) * 5000) as integer)), ' ') end
"""
QUERIES = {
    "one common word (w1)": "w1",
    "one rare word (w4321)": "w4321",
    "two words, stemmed (buy back)": "buy back",
    'a phrase ("no change")': '"no change"',
    "three words (no change position)": "no change position",
}
YEAR = Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.split("load average:")[-1].strip()


def timed(fn, repeat: int) -> tuple[str, object]:
    """Median wall and CPU ms (this process, all its threads) over ``repeat`` runs after one warm-up, and the last
    result. The CPU time is the figure to read on a busy host: the wall time waits for a turn on the cores."""
    result = fn()
    times, cpu = [], []
    for _ in range(repeat):
        start, begun = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - begun) * 1000)
    return f"{statistics.median(times):.0f} ms (cpu {statistics.median(cpu):.0f})", result


def build(path: Path, events: int, base: Path | None = None) -> None:
    """The synthetic store with the benchmark's text, at schema 7 (no index: opening a copy builds it).

    ``base``: a synthetic store at schema 7 (``lib.cli generate``, e.g. /work/stores/events_10m.duckdb) given the
    text instead of generating one (generating 10M events takes hours on a busy host).
    """
    partial = path.with_name(f".{path.name}.partial")
    if base is not None:
        shutil.copy(base, partial)
        con = duckdb.connect(partial)  # not store.connect: that would upgrade it and build the index
        con.execute(TEXT_SQL)
        con.close()
        partial.rename(path)
        return
    con = store.connect(partial)
    refresh, index.refresh = index.refresh, lambda *args: None  # the index is dropped below: building it twice is waste
    try:
        synthetic.generate(con, events=events, statements=events // 10, claims=events // 10, seed=42)
        with store.transaction(con, "bench", "search text") as audit:
            con.execute(TEXT_SQL)
            audit.wrote("events")
            audit.keeps_current(store.LINK_COUNTS)
    finally:
        index.refresh = refresh
    con.execute("drop table search_postings; drop table search_docs; drop table search_stats; drop table search_terms")
    con.execute("update meta set value = '7' where key = 'schema_version'")
    con.close()
    partial.rename(path)


def floor(con, text: str):
    """The bare BM25 query: the top 100 (docid, score) of the postings, nothing joined."""
    sql, params = query.scores_sql(con, text)
    return con.execute(f"select * from ({sql}) order by score desc limit 100", query_params(sql, params)).fetchall()


def query_params(sql: str, params: dict) -> dict:
    return {k: v for k, v in params.items() if f"${k}" in sql}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store built by this script (copied, never written)")
    parser.add_argument("--events", type=int, default=1_000_000, help="without --store: the size of the store to use or build")
    parser.add_argument("--stores", type=Path, default=Path("/tmp/stancewatch-bench-search"), help="where --events stores are kept")
    parser.add_argument("--base", type=Path, help="without --store: give this schema-7 synthetic store the text instead of "
                        "generating one (copied, never written)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/stancewatch-bench-search"))
    parser.add_argument("--indexed", action="store_true", help="the store already holds the index: skip the upgrade")
    parser.add_argument("--query", action="append", metavar="LABEL=TEXT", help="measure these queries instead of the "
                        "benchmark text's (a store with other text, e.g. the synthetic generator's 'Synthetic event N')")
    args = parser.parse_args()
    queries = dict(q.split("=", 1) for q in args.query) if args.query else QUERIES
    if args.store is None:
        args.store = args.stores / f"search_{args.events}.duckdb"
        if not args.store.exists():
            args.stores.mkdir(parents=True, exist_ok=True)
            build(args.store, args.events, args.base)
    args.scratch.mkdir(parents=True, exist_ok=True)
    work = args.scratch / f"work-{os.getpid()}.duckdb"
    shutil.copy(args.store, work)
    try:
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load before: {load()}")
        start = time.perf_counter()
        con = store.connect(work)
        if not args.indexed:
            print(f"upgrade building the index: {time.perf_counter() - start:.1f} s (load {load()})")
        counts = store.table_counts(con)
        postings = con.execute("select count(*) from search_postings").fetchall()[0][0]
        print(f"store: {counts['events']:,} events, {counts['statements']:,} statements, {counts['claims']:,} claims, "
              f"{counts['documents']:,} documents; {postings:,} postings")
        for label, text in queries.items():
            ms_floor, _ = timed(lambda t=text: floor(con, t), args.repeat)
            ms, found = timed(lambda t=text: search.search(con, t, Filters(), limit=100), args.repeat)
            ms_year, in_year = timed(lambda t=text: search.search(con, t, YEAR, limit=100), args.repeat)
            print(f"{label}: search {ms} ({len(found)} shown), in 2020 {ms_year} ({len(in_year)}); "
                  f"floor (bare BM25 over every posting, top 100) {ms_floor}; load {load()}")
        day = args.scratch / f"day-{os.getpid()}.csv"
        make_day(day, args.import_rows, 1)
        spent: list[tuple[float, float]] = []
        refresh = index.refresh

        def timed_refresh(*a, **k):
            begun, cpu = time.perf_counter(), time.process_time()
            refresh(*a, **k)
            spent.append((time.perf_counter() - begun, time.process_time() - cpu))

        index.refresh = timed_refresh
        try:
            start, cpu = time.perf_counter(), time.process_time()
            result = import_gdelt(con, day, who="bench")
            total, total_cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            index.refresh = refresh
        print(f"GDELT-like import of {args.import_rows:,} events ({result.status}): {total:.1f} s (cpu {total_cpu:.1f}), "
              f"of which the index {sum(w for w, _ in spent):.1f} s (cpu {sum(c for _, c in spent):.1f}); load {load()}")
        label, text = next(iter(queries.items()))
        ms, found = timed(lambda: search.search(con, text, Filters(), limit=100), args.repeat)
        print(f"after the import, {label}: {ms}; load {load()}")
        con.close()
    finally:
        work.unlink(missing_ok=True)
        for leftover in args.scratch.glob(f"day-{os.getpid()}*"):
            leftover.unlink()


if __name__ == "__main__":
    main()
