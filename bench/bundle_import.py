"""Benchmark: import a bundle of N statements, or of N events with their links, into an empty store.

Usage: python bench/bundle_import.py [--kind statements|events] [--rows N] [--repeat R] [--threads T] [--cli] [--profile] [--json]

Writes the bundle to a temporary folder and, in the same run:
- the floor: DuckDB's own bare read of the bundle's CSVs (``read_csv`` of every file into a temporary table, all
  columns as text), the work no importer can avoid;
- the import through the app's path (``import_bundle``) into fresh stores, R times, each split into its phases
  (read, validate, write; read_bundle and validate are timed again on their own, outside the import);
- the unchanged re-import (the no-op path);
- CPU seconds of this process for each (``time.process_time``: the work done, whatever waited for a core on a busy
  host), and of the import's search-index upkeep (``lib.search.index.refresh``, called by ``store.transaction``)
  on its own; with --threads, DuckDB runs on that many threads in the floor and the stores alike (1: CPU seconds
  without worker threads spinning);
- with --cli, the same import through ``python -m lib.cli import bundle`` in a child process (wall time, start-up
  included);
- with --profile, a cProfile of one import (top functions by cumulative time) on stderr.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import store  # noqa: E402
from lib.ingest.bundle import import_bundle, read_bundle, validate  # noqa: E402
from lib.search import index  # noqa: E402

QUOTES = (
    "There is no change in our position.",
    "We are considering all options on the systems.",
    "The systems will stay in our inventory.",
    "Talks on a return are under way, officials said.",
)
ROLES = ("", ":initiator", ":target", ":participant")


def _partial_date(i: int) -> str:
    year, month, day = 2015 + i % 10, 1 + i % 12, 1 + i % 28
    return f"{year}-{month:02d}-{day:02d}" if i % 3 else f"{year}-{month:02d}"


def _write_common(folder: Path) -> None:
    """100 actors and one topic with three positions."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.csv").write_text("topic_id,name\nbench,Benchmark topic\n", encoding="utf-8")
    (folder / "positions.csv").write_text(
        "topic_id,position_code,label,ordinal\nbench,for,For,1\nbench,neutral,Neutral,0\nbench,against,Against,-1\n", encoding="utf-8"
    )
    with (folder / "actors.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["actor_id", "name", "kind"])
        writer.writerows([f"A{i}", f"Benchmark actor {i}", "state"] for i in range(100))


def write_bundle(folder: Path, rows: int) -> None:
    """A bundle of 100 actors, one topic with three positions, and `rows` statements over ten years."""
    _write_common(folder)
    codes = ("for", "neutral", "against")
    with (folder / "statements.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["statement_id", "stated_on", "actor_id", "topic_id", "position_code", "quote", "attribution"])
        for i in range(rows):
            writer.writerow([f"s{i}", _partial_date(i), f"A{i % 100}", "bench", codes[i % 3], QUOTES[i % 4], "on_record"])


def write_event_bundle(folder: Path, rows: int) -> None:
    """100 actors, 10 sources with 1,000 documents, and `rows` events over ten years, each with 1–3 actors (some with
    a role) and 1–2 documents: about 2 actor links and 1.5 document links per event."""
    _write_common(folder)
    with (folder / "sources.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source_id", "name", "kind"])
        writer.writerows([f"S{i}", f"Benchmark source {i}", "wire"] for i in range(10))
    with (folder / "documents.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document_id", "source_id", "title", "published_on"])
        writer.writerows([f"D{i}", f"S{i % 10}", f"Benchmark document {i}", _partial_date(i)] for i in range(1000))
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["event_id", "occurred_on", "event_type", "title", "description", "topic_id", "actor_ids", "document_ids"])
        for i in range(rows):
            actors = ";".join(f"A{(i + k * 37) % 100}{ROLES[(i + k) % 4]}" for k in range(1 + i % 3))
            documents = ";".join(f"D{(i + k * 101) % 1000}" for k in range(1 + i % 2))
            writer.writerow([f"e{i}", _partial_date(i), "meeting", f"Benchmark event {i}", QUOTES[i % 4], "bench", actors, documents])


def floor(folder: Path, threads: int | None = None) -> tuple[float, float]:
    """DuckDB's own bare read of every CSV of the bundle into a temporary table, all columns as text: (wall, CPU) seconds."""
    con = duckdb.connect()
    if threads:
        con.execute(f"set threads = {int(threads)}")
    start, cpu = time.perf_counter(), time.process_time()
    for path in sorted(folder.glob("*.csv")):
        con.execute(f"create temp table {path.stem} as select * from read_csv(?, all_varchar = true, header = true)", [str(path)])
    took = time.perf_counter() - start, time.process_time() - cpu
    con.close()
    return took


class IndexUpkeep:
    """CPU seconds spent in the search index's upkeep (``index.refresh``) while active: measured, not changed."""

    def __init__(self) -> None:
        self.cpu, self._refresh = 0.0, index.refresh

    def __enter__(self) -> IndexUpkeep:
        def timed(*args, **kwargs):
            start = time.process_time()
            try:
                return self._refresh(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - start
        index.refresh = timed
        return self

    def __exit__(self, *exc) -> None:
        index.refresh = self._refresh


def _timed(fn, *args, **kwargs) -> tuple[float, object, float]:
    """(wall seconds, result, CPU seconds of this process: all its threads, steadier than wall time on a shared host)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("statements", "events"), default="statements")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, help="DuckDB threads in the floor and the stores (default: DuckDB's own)")
    parser.add_argument("--cli", action="store_true", help="also import through the CLI in a child process")
    parser.add_argument("--profile", action="store_true", help="cProfile one import; top functions on stderr")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        (write_bundle if args.kind == "statements" else write_event_bundle)(folder, args.rows)
        floors, floors_cpu, reads, reads_cpu, checks, checks_cpu, imports, imports_cpu, upkeep = [], [], [], [], [], [], [], [], []
        for run in range(args.repeat):
            wall, cpu = floor(folder, args.threads)
            floors.append(wall)
            floors_cpu.append(cpu)
            took, read, cpu = _timed(read_bundle, folder)
            reads.append(took)
            reads_cpu.append(cpu)
            con = store.connect(Path(tmp) / f"s{run}.duckdb")
            if args.threads:
                con.execute(f"set threads = {int(args.threads)}")
            took, _, cpu = _timed(validate, con, read.rows, read.names)
            checks.append(took)
            checks_cpu.append(cpu)
            with IndexUpkeep() as indexing:
                took, _, cpu = _timed(import_bundle, con, folder, who="bench")
            imports.append(took)
            imports_cpu.append(cpu)
            upkeep.append(indexing.cpu)
        noop, result, _ = _timed(import_bundle, con, folder, who="bench")
        con.close()
        if args.profile:
            con = store.connect(Path(tmp) / "profiled.duckdb")
            profiler = cProfile.Profile()
            profiler.runcall(import_bundle, con, folder, who="bench")
            con.close()
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
        cli = None
        if args.cli:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "lib.cli", "--db", str(Path(tmp) / "cli.duckdb"), "import", "bundle", str(folder)],
                           cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            cli = round(time.perf_counter() - start, 3)
    median = statistics.median
    figures = {"kind": args.kind, "rows": args.rows, "threads": args.threads, "floor_s": round(median(floors), 3),
               "median_s": round(median(imports), 3), "beyond_floor_s": round(median(imports) - median(floors), 3),
               "read_s": round(median(reads), 3), "validate_s": round(median(checks), 3), "runs_s": [round(t, 3) for t in imports],
               "floor_cpu_s": round(median(floors_cpu), 3), "import_cpu_s": round(median(imports_cpu), 3),
               "beyond_floor_cpu_s": round(median(imports_cpu) - median(floors_cpu), 3), "read_cpu_s": round(median(reads_cpu), 3),
               "validate_cpu_s": round(median(checks_cpu), 3), "index_upkeep_cpu_s": round(median(upkeep), 3),
               "beyond_floor_cpu_without_index_s": round(median([c - u for c, u in zip(imports_cpu, upkeep, strict=True)]) - median(floors_cpu), 3),
               "reimport_noop_s": round(noop, 3), "reimport_status": result.status, "cli_s": cli, "load": os.getloadavg()}
    print(json.dumps(figures) if args.json else
          f"{args.rows:,} {args.kind}: import median {figures['median_s']} s over {args.repeat} runs "
          f"(read {figures['read_s']} s, validate {figures['validate_s']} s); DuckDB bare read {figures['floor_s']} s; "
          f"beyond the floor {figures['beyond_floor_s']} s; CPU: import {figures['import_cpu_s']} s (read {figures['read_cpu_s']} s, "
          f"validate {figures['validate_cpu_s']} s, search-index upkeep {figures['index_upkeep_cpu_s']} s), floor {figures['floor_cpu_s']} s, "
          f"beyond the floor {figures['beyond_floor_cpu_s']} s ({figures['beyond_floor_cpu_without_index_s']} s without the index upkeep); "
          f"re-import ({result.status}) {noop:.3f} s; load {' '.join(f'{x:.1f}' for x in figures['load'])}"
          + (f"; CLI {cli} s" if cli is not None else ""))


if __name__ == "__main__":
    main()
