"""Benchmark: import a bundle of N statements (default 100,000) into an empty store.

Usage: python bench/bundle_import.py [--rows N] [--repeat R] [--json]
Writes the bundle to a temporary folder, imports it R times into fresh stores
and reports the median wall time, then re-imports it once (the no-op path).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store
from lib.ingest.bundle import import_bundle

QUOTES = (
    "There is no change in our position.",
    "We are considering all options on the systems.",
    "The systems will stay in our inventory.",
    "Talks on a return are under way, officials said.",
)


def write_bundle(folder: Path, rows: int) -> None:
    """A bundle of 100 actors, one topic with three positions, and `rows` statements over ten years."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "topics.csv").write_text("topic_id,name\nbench,Benchmark topic\n", encoding="utf-8")
    (folder / "positions.csv").write_text(
        "topic_id,position_code,label,ordinal\nbench,for,For,1\nbench,neutral,Neutral,0\nbench,against,Against,-1\n", encoding="utf-8"
    )
    with (folder / "actors.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["actor_id", "name", "kind"])
        writer.writerows([f"A{i}", f"Benchmark actor {i}", "state"] for i in range(100))
    codes = ("for", "neutral", "against")
    with (folder / "statements.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["statement_id", "stated_on", "actor_id", "topic_id", "position_code", "quote", "attribution"])
        for i in range(rows):
            year, month, day = 2015 + i % 10, 1 + i % 12, 1 + i % 28
            stated = f"{year}-{month:02d}-{day:02d}" if i % 3 else f"{year}-{month:02d}"
            writer.writerow([f"s{i}", stated, f"A{i % 100}", "bench", codes[i % 3], QUOTES[i % 4], "on_record"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        write_bundle(folder, args.rows)
        times = []
        for run in range(args.repeat):
            con = store.connect(Path(tmp) / f"s{run}.duckdb")
            start = time.perf_counter()
            import_bundle(con, folder, who="bench")
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = import_bundle(con, folder, who="bench")
        noop = time.perf_counter() - start
    figures = {"rows": args.rows, "median_s": round(statistics.median(times), 3), "runs_s": [round(t, 3) for t in times],
               "reimport_noop_s": round(noop, 3), "reimport_status": result.status}
    print(json.dumps(figures) if args.json else
          f"{args.rows:,} statements: median {figures['median_s']} s over {args.repeat} runs; re-import ({result.status}) {noop:.3f} s")


if __name__ == "__main__":
    main()
