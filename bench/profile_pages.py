"""Where the server's time goes on the first load and each page's first and later open (timing around queries).

Runs app.py in Streamlit's AppTest (the page scripts as the server runs them,
without a browser) over a copy of a synthetic store: imports first (what the
app's first run pays before any query), then the Overview (the app's first
run; ``--first`` names another), then Timeline, Stances, Sources, Search and Overview again, then each a
second time. Every call through ``ui.cached`` is timed (inclusive: a cached
function that calls another through its ``cache`` counts both), so each page
run prints its seconds and its most expensive computations, cache misses only,
each in wall seconds and CPU seconds (``time.process_time``: every thread of the
process, DuckDB's included, so a busy host's load does not count; set
``STANCEWATCH_WARM=0`` so that no warm-up thread's work counts either).

``--memory`` adds, after each page run, where the process's memory is: its
resident set, DuckDB's own accounting (``duckdb_memory()``, under the app's
``STANCEWATCH_DUCKDB_MEMORY`` cap) and the bytes the page cache keeps per
cached function (Streamlit's ``st.cache_data`` keeps each result pickled).

    python bench/profile_pages.py [--store /work/stores/events_10m.duckdb] [--memory] [--first timeline] [--only-first]
"""

from __future__ import annotations

import argparse
import collections
import importlib
import inspect
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("timeline", "stances", "sources", "search", "overview")
HEAVY = ("pandas", "plotly.graph_objects", "streamlit", "duckdb", "lib.catalog", "lib.charts", "lib.sources.reliability", "lib.stances.stance",
         "lib.export", "lib.brief", "lib.ui", "lib.timeline.timeline", "lib.figures")
spent: collections.Counter[str] = collections.Counter()
spent_cpu: collections.Counter[str] = collections.Counter()


def _timed_cached(cached):
    """``ui.cached`` that adds the seconds of each computation (a cache miss) to ``spent``."""
    def wrap(func):
        name = f"{func.__module__.removeprefix('lib.')}.{func.__qualname__}"

        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - start
                spent_cpu[name] += time.process_time() - cpu

        timed.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]
        timed.__module__, timed.__qualname__ = func.__module__, func.__qualname__
        return cached(timed)

    return wrap


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory_line(top: int) -> str:
    """The process's resident set, DuckDB's memory and the page cache's bytes (largest cached functions first)."""
    from streamlit.runtime.caching.cache_data_api import _data_caches

    from lib import ui

    by_function: collections.Counter[str] = collections.Counter()
    entries: collections.Counter[str] = collections.Counter()
    for stats in _data_caches.get_stats().values():
        for stat in stats:
            name = stat.cache_name.partition("cached[")[2].removesuffix("]").removeprefix("lib.") or stat.cache_name
            by_function[name] += stat.byte_length
            entries[name] += 1
    cached_mb = sum(by_function.values()) / 1e6
    con = ui._shared_connection(ui.store_path())
    duck_mb = con.cursor().execute("select sum(memory_usage_bytes) / 1e6 from duckdb_memory()").fetchone()[0]
    largest = ", ".join(f"{name} {size / 1e6:.1f} MB ({entries[name]})" for name, size in by_function.most_common(top))
    return f"  memory: resident {_status_mb('VmRSS'):.0f} MB (peak {_status_mb('VmHWM'):.0f}), DuckDB {duck_mb:.0f} MB, page cache {cached_mb:.1f} MB: {largest}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/work/stores/events_1m.duckdb"))
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument("--memory", action="store_true", help="where the memory is after each page run")
    parser.add_argument("--first", choices=("overview", *PAGES), default="overview",
                        help="the page of the app's first run (the browser benchmark lands on the timeline)")
    parser.add_argument("--only-first", action="store_true", help="stop after the app's first run")
    args = parser.parse_args()
    for module in HEAVY:  # in this order, each line is what the module adds to those before it
        start = time.perf_counter()
        importlib.import_module(module)
        print(f"import {module}: {time.perf_counter() - start:.2f} s", flush=True)
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from lib import ui

    ui.cached = _timed_cached(ui.cached)
    config.set_option("server.address", "127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        db = Path(tmp) / "store.duckdb"
        shutil.copy(args.store, db)
        os.environ["STANCEWATCH_DB"] = str(db)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
        started = False
        for round_ in ("first", "later"):
            for page in (args.first, *PAGES) if round_ == "first" else PAGES:
                spent.clear()
                spent_cpu.clear()
                start, cpu = time.perf_counter(), time.process_time()
                if started or page != "overview":  # the app's default page is the Overview
                    at.switch_page(str(ROOT / "views" / f"{page}.py"))
                at.run()
                started = True
                seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
                problems = [e.message for e in at.exception] + [e.value for e in at.error]
                top = ", ".join(f"{name} {s:.2f} ({spent_cpu[name]:.2f} CPU)" for name, s in spent.most_common(args.top))
                print(f"{round_} open of {page}: {seconds:.2f} s, {cpu_seconds:.2f} s CPU (load {os.getloadavg()[0]:.1f}); "
                      f"computed: {top or 'nothing'}"
                      + (f"; errors {problems}" if problems else ""), flush=True)
                if args.memory:
                    print(memory_line(args.top), flush=True)
                if args.only_first:
                    return


if __name__ == "__main__":
    main()
