"""Benchmark: full-text search (lib/search) at 1M synthetic events: index rebuild, ranked search, Timeline text filter.

The synthetic generator titles every event "Synthetic event N", which makes a
useless text collection, so this script gives each event a description of 12
words drawn (skewed, like real text) from a 5,000-word vocabulary, with known
phrases mixed in: 1 % "there is no change in our position", 0.2 % "buying
them back". The store is generated once into --stores and kept; the text is
written through store.transaction, as an import would, which marks the index stale.

    python bench/search.py [--events 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import queries, search, store
from lib.filters import Filters

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


def timed(fn, repeat: int) -> tuple[float, object]:
    """Median wall time in ms over ``repeat`` runs after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stores", type=Path, default=Path("/tmp/stancewatch-bench-search"))
    args = parser.parse_args()
    args.stores.mkdir(parents=True, exist_ok=True)
    path = args.stores / f"search_{args.events}.duckdb"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "lib.cli", "--db", str(path), "generate", "--events", str(args.events),
                        "--statements", str(args.events // 10), "--claims", str(args.events // 10)], check=True,
                       cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.DEVNULL)
        con = store.connect(path)
        with store.transaction(con, "bench", "search text") as audit:
            con.execute(TEXT_SQL)
            audit.wrote("events")
            audit.keeps_current(store.LINK_COUNTS)  # the text changed, not the links
        con.close()
    con = store.connect(path)
    counts = store.table_counts(con)
    print(f"store: {counts['events']:,} events, {counts['statements']:,} statements, {counts['claims']:,} claims, "
          f"{counts['documents']:,} documents")
    assert search.ensure_current(con)
    start = time.perf_counter()
    search.rebuild(con)
    print(f"index rebuild: {time.perf_counter() - start:.1f} s")
    year = Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 12, 31))
    for label, text in QUERIES.items():
        ms, found = timed(lambda t=text: search.search(con, t, Filters(), limit=100), args.repeat)
        ms_year, _ = timed(lambda t=text: search.search(con, t, year, limit=100), args.repeat)
        ms_count, counted = timed(lambda t=text: queries.timeline_count(con, Filters(text=t)), args.repeat)
        print(f"{label}: search {ms:.0f} ms ({len(found)} shown), in 2020 {ms_year:.0f} ms; "
              f"Timeline count {ms_count:.0f} ms ({sum(counted.values()):,} items)")
    store_load = store.load_extension
    store.load_extension = lambda con, name: False  # the ILIKE fallback, for comparison
    try:
        ms, counted = timed(lambda: queries.timeline_count(con, Filters(text="no change in our position")), args.repeat)
        print(f"ILIKE fallback, Timeline count of 'no change in our position': {ms:.0f} ms ({sum(counted.values()):,} items)")
    finally:
        store.load_extension = store_load


if __name__ == "__main__":
    main()
