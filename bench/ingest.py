"""Benchmark: GDELT import throughput against the floor (DuckDB reading the same file into a plain table).

Usage: python bench/ingest.py [--rows 200000] [--days 1] [--json]
Builds a GDELT 2.0 day of `rows` events by repeating the real sample in
shared/realdata with fresh GLOBALEVENTIDs (bench data only), then for each of
`days` such files: imports it into one growing store and times it (wall and CPU
seconds); and times three references on the same file: DuckDB's read_csv of it
into a plain table (the floor the issue names), the same keeping only the 13
columns the import uses, and our reader's read plus the write of the already
mapped rows of the four big tables (what storing these rows costs at least, with
no mapping or checks). After the last day it
times the Timeline's answer to a filter change on the imported store (query and
figure, as `bench/timeline.py` does; medians of 5 after a warm-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timeline import filter_change_cache, median_ms  # noqa: E402
from lib import store  # noqa: E402
from lib.filters import Filters  # noqa: E402
from lib.ingest.gdelt import USED, columns, import_gdelt  # noqa: E402

# filter changes an analyst makes on a GDELT store: the opening view, a month, one actor, a word
TIMELINE_FILTERS = {
    "all_dates": Filters(),
    "one_month": Filters(date_from=dt.date(2017, 6, 1), date_to=dt.date(2017, 6, 30)),
    "actor_usa": Filters(actors=("gdelt:USA",)),
    "text_search": Filters(text="protest"),
}

SAMPLE = ROOT.parent / "shared" / "realdata" / "gdelt" / "gdelt2_events_sample_2017.export.CSV"


def make_day(target: Path, rows: int, day: int) -> None:
    """A GDELT 2.0 export of `rows` events: the real sample repeated, ids made unique per day.

    Each repetition gets its own article URLs (a query string marks the copy), so
    the file keeps the real sample's ratio of events to articles (6,090 to 1,382)
    instead of citing the same 1,382 articles all day.
    """
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    with target.open("w", encoding="utf-8") as out:
        for i in range(rows):
            fields = lines[i % len(lines)].split("\t")
            fields[0] = str(10_000_000_000 + day * 10_000_000 + i)
            if fields[-1].startswith("http"):
                fields[-1] += f"?copy={day}-{i // len(lines)}"
            out.write("\t".join(fields) + "\n")


def floor_seconds(path: Path, keep: tuple[str, ...] | None = None) -> float:
    """DuckDB reading the file into a plain table of a store file, committed: the least an import can cost.

    With ``keep``, only those columns are stored (the reader still parses every field): the least it
    can cost to store the fields the import uses, before mapping them onto five tables.
    """
    con = duckdb.connect(str(path.with_suffix(".floor.duckdb")))
    chosen = ", ".join(f'"{c}"' for c in keep) if keep else "*"
    start = time.perf_counter()
    con.execute(
        f"create table plain as select {chosen} from read_csv(?, delim = '\t', header = false, columns = ?, quote = '', escape = '', "
        "auto_detect = false)",
        [str(path), {c: "VARCHAR" for c in columns(2)}],
    )
    con.execute("checkpoint")
    seconds = time.perf_counter() - start
    con.close()
    path.with_suffix(".floor.duckdb").unlink()
    return seconds


def stored_rows_seconds(path: Path) -> float:
    """The least an import that stores what ours stores can cost: our reader's read, then the mapped rows of events,
    event_actors, event_documents and documents written into a fresh store and checkpointed. The mapping itself
    (computed into temp tables between the two) is not timed, nor checks, actors, sources or link counts."""
    from lib.ingest import gdelt, tabular

    db = path.with_suffix(".stored.duckdb")
    con = store.connect(db)
    start = time.perf_counter()
    gdelt.FORMAT.read(con, path)
    read = time.perf_counter() - start
    tabular.cameo_labels(con)
    for statement in gdelt.FORMAT.mapping:
        con.execute(statement)
    prepared = {
        "events": """select event_id, occurred_on, date_precision, event_type, title, description, null, location, 'gdelt',
                            origin_ref, goldstein, fatalities from ds_events""",
        "event_actors": "select event_id, actor_id, role from ds_event_actors",
        "event_documents": "select event_id, document_id from ds_event_documents",
        "documents": "select document_id, source_id, title, url, published_on, 'day', null, []::varchar[] from ds_documents",
    }
    for table, sql in prepared.items():
        con.execute(f"create temp table mapped_{table} as {sql}")
    start = time.perf_counter()
    con.execute("begin")
    for table in prepared:
        con.execute(f"insert into {table} select * from mapped_{table}")
    con.execute("commit")
    con.execute("checkpoint")
    write = time.perf_counter() - start
    con.close()
    db.unlink()
    return read + write


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        con = store.connect(Path(tmp) / "bench.duckdb")
        for day in range(args.days):
            path = Path(tmp) / f"day{day}.export.CSV"
            make_day(path, args.rows, day)
            floor, used_floor, stored = floor_seconds(path), floor_seconds(path, USED), stored_rows_seconds(path)
            start, cpu = time.perf_counter(), time.process_time()
            result = import_gdelt(con, path, who="bench")
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            results.append({"day": day + 1, "rows": args.rows, "import_s": round(seconds, 3), "cpu_s": round(cpu, 3),
                            "floor_s": round(floor, 3), "used_columns_floor_s": round(used_floor, 3), "stored_rows_s": round(stored, 3),
                            "rows_per_s": round(args.rows / seconds), "vs_floor": round(seconds / floor, 2),
                            "events_in_store": store.table_counts(con)["events"], "inserted": result.counts["events"]["inserted"]})
            path.unlink()
            if not args.json:
                r = results[-1]
                print(f"day {r['day']}: {r['rows']:,} rows in {r['import_s']} s ({r['cpu_s']} s CPU) = {r['rows_per_s']:,} rows/s; "
                      f"floor {r['floor_s']} s (×{r['vs_floor']}), {len(USED)} used columns alone {r['used_columns_floor_s']} s, "
                      f"read + write of the mapped rows {r['stored_rows_s']} s; "
                      f"store holds {r['events_in_store']:,} events", flush=True)
            if day == args.days - 1:
                results[-1]["timeline_ms"] = timeline_ms(con)
                if not args.json:
                    print(f"timeline on {results[-1]['events_in_store']:,} imported events (query + figure, median ms): "
                          f"{results[-1]['timeline_ms']}", flush=True)
    if args.json:
        print(json.dumps(results))
    else:
        total = sum(r["import_s"] for r in results)
        print(f"{len(results)} day(s), {args.rows * len(results):,} rows in {total:.2f} s = {args.rows * len(results) / total:,.0f} rows/s; "
              f"median day {statistics.median(r['rows_per_s'] for r in results):,.0f} rows/s, "
              f"×{statistics.median(r['vs_floor'] for r in results)} of the floor (median)")


def timeline_ms(con: duckdb.DuckDBPyConnection) -> dict[str, float]:
    """The Timeline page's server-side answer to each filter change, in ms."""
    from lib.timeline import timeline

    return {name: median_ms(filter_change_cache.timed(lambda f=f: timeline.build_chart(con, f, cache=filter_change_cache)), 5)
            for name, f in TIMELINE_FILTERS.items()}


if __name__ == "__main__":
    main()
