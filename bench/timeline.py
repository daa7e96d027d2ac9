"""Benchmark: the Timeline page's queries at 100k, 1M and 10M synthetic events.

For each size and each filter change the page answers (all dates, one year,
one month of the busiest actor, a text search) it times, in a fresh process each
so that peak memory belongs to one approach:

- ``ours``: ``lib.timeline.timeline.chart_data`` (our query layer: the count, then the items or the
  density as a DataFrame; ``*_query_ms``) and ``lib.timeline.timeline.build_chart`` (the same plus the
  figure; ``*_ms``), with the page's cache for what a filter change does not touch (names,
  the store's date span);
- ``floor``: the same SQL statements run bare in DuckDB (no DataFrame, no figure);
- ``pandas``: the usual approach: events and event_actors loaded into DataFrames
  once (load time reported apart), then filtered with boolean masks and grouped.

It reports median milliseconds over ``--repeat`` runs, the process's peak
resident memory (MB), and the size of the figure's JSON (what the browser receives).
Stores are generated with ``python -m lib.cli generate`` into ``--stores`` and kept.

    python bench/timeline.py [--sizes 100000 1000000 10000000] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIOS = ("all_dates", "one_year", "month_top_actor", "text_search")
APPROACHES = ("ours", "floor", "pandas")


def scenario_filters(name: str):
    """The filters of one benchmark scenario (synthetic seed 7: the busiest actor is s7a0)."""
    from lib.filters import Filters

    return {
        "all_dates": Filters(),
        "one_year": Filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31)),
        "month_top_actor": Filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 31), actors=("s7a0",)),
        "text_search": Filters(text="event 12345"),
    }[name]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_ms(func, repeat: int) -> float:
    func()  # warm: the first run reads the file into DuckDB's buffers
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


class FilterChange:
    """What ``ui.cached`` gives the page when the analyst changes a filter.

    Calls without Filters (names, the store's span) are answered from the cache
    filled by earlier runs; calls with the changed filters run once in this page
    run (the chart and the table share them) and again in the next. Use
    ``cache.timed(fn)`` as the timed function: each call is one page run.
    """

    def __init__(self) -> None:
        self._store_wide: dict[tuple, object] = {}
        self._this_run: dict[tuple, object] = {}

    def __call__(self, func):
        from lib.filters import Filters

        shares_queries = "cache" in inspect.signature(func).parameters

        def call(con, *args, **kwargs):
            memo = self._this_run if any(isinstance(a, Filters) for a in args) else self._store_wide
            key = (func.__module__, func.__qualname__, args, tuple(sorted(kwargs.items())))
            if key not in memo:
                memo[key] = func(con, *args, **kwargs, cache=self) if shares_queries else func(con, *args, **kwargs)
            return memo[key]

        return call

    def timed(self, fn):
        """``fn`` as one page run: what the last run computed for its filters is forgotten first."""

        def run():
            self._this_run.clear()
            return fn()

        return run


filter_change_cache = FilterChange()


def worker(approach: str, db: str, repeat: int) -> dict[str, object]:
    """Run one approach over every scenario in this process; return medians, payloads and peak memory."""
    import plotly.io as pio

    from lib import store
    from lib.timeline import queries, timeline

    con = store.connect(db, read_only=True)
    result: dict[str, object] = {"approach": approach, "baseline_mb": round(_peak_mb(), 1)}
    if approach == "pandas":
        start = time.perf_counter()
        frames = {t: con.execute(f"select * from {t}").df() for t in ("events", "event_actors", "statements", "claims")}
        result["load_ms"] = round((time.perf_counter() - start) * 1000, 1)
    for name in SCENARIOS:
        filters = scenario_filters(name)
        if approach == "ours":
            result[f"{name}_query_ms"] = median_ms(filter_change_cache.timed(
                lambda f=filters: timeline.chart_data(con, f, "actor", cache=filter_change_cache)), repeat)
            result[f"{name}_ms"] = median_ms(filter_change_cache.timed(
                lambda f=filters: timeline.build_chart(con, f, cache=filter_change_cache)), repeat)
            fig = timeline.build_chart(con, filters)
            result[f"{name}_payload_bytes"] = len(pio.to_json(fig, validate=False))
            result[f"{name}_mode"] = "density" if timeline.chart_mode(con, filters) else "points"
        elif approach == "floor":
            result[f"{name}_ms"] = median_ms(lambda f=filters: _bare_sql(con, f, queries, timeline), repeat)
        else:
            result[f"{name}_ms"] = median_ms(lambda f=filters: _pandas(frames, f, con, queries, timeline), repeat)
    result["peak_mb"] = round(_peak_mb(), 1)
    return result


def _bare_sql(con, filters, queries, timeline) -> None:
    """The statements the page runs, executed bare (SQL built outside the timing would save well under 1 ms)."""
    from lib import catalog

    def newest():
        sql, values = queries.timeline_newest_sql(con, filters, timeline.POINT_LIMIT + 1)
        return con.execute(sql, values).df()

    def describe(rows) -> None:
        con.register("timeline_newest_rows", rows)
        con.execute(queries.TIMELINE_DESCRIBED_SQL, {"actors": catalog.actor_scope(con, filters) or None}).fetchall()
        con.unregister("timeline_newest_rows")

    if filters.text:  # as the page: find the newest matches first, count only if they overflow
        rows = newest()
        if len(rows) <= timeline.POINT_LIMIT:
            describe(rows)
            return
    where_sql, params = queries._timeline_where(con, filters)
    tables = {"e": "events e", "s": "statements s", "c": "claims c"}
    count_sql = " union all ".join(f"select count(*) from {tables[a]} where {w}" for a, w in where_sql.items() if w)
    total = sum(r[0] for r in con.execute(count_sql, queries._used(count_sql, params)).fetchall())
    if total > timeline.POINT_LIMIT:
        span = timeline.date_span(con, filters, filter_change_cache)
        sql, values = queries.timeline_density_sql(con, filters, "actor", timeline.density_bucket(*span), timeline.MAX_LANES)
        con.execute(sql, values).fetchall()
    else:
        describe(newest())


def _pandas(frames, filters, con, queries, timeline) -> None:
    """The usual pandas way: masks over preloaded DataFrames, then a merge and a groupby (or the newest rows)."""
    import pandas as pd

    from lib import catalog

    events, event_actors = frames["events"], frames["event_actors"]
    mask = pd.Series(True, index=events.index)
    if filters.date_from:
        mask &= events.occurred_on >= pd.Timestamp(filters.date_from)
    if filters.date_to:
        mask &= events.occurred_on <= pd.Timestamp(filters.date_to)
    if filters.actors:
        scope = catalog.actor_scope(con, filters)
        mask &= events.event_id.isin(event_actors.event_id[event_actors.actor_id.isin(scope)])
    if filters.text:
        mask &= events.title.str.contains(filters.text, case=False, regex=False) | events.description.fillna("").str.contains(
            filters.text, case=False, regex=False)
    chosen = events[mask]
    others = []
    for table, column, text_column in (("statements", "stated_on", "quote"), ("claims", "claimed_on", "text")):
        frame = frames[table]
        m = pd.Series(True, index=frame.index)
        if filters.date_from:
            m &= frame[column] >= pd.Timestamp(filters.date_from)
        if filters.date_to:
            m &= frame[column] <= pd.Timestamp(filters.date_to)
        if filters.text:
            m &= frame[text_column].fillna("").str.contains(filters.text, case=False, regex=False)
        others.append(frame[m])
    lanes = chosen[["event_id", "occurred_on"]].merge(event_actors[["event_id", "actor_id"]], on="event_id")
    if len(chosen) + sum(len(o) for o in others) > timeline.POINT_LIMIT:
        span = timeline.date_span(con, filters, filter_change_cache)
        freq = {"day": "D", "week": "W", "month": "M"}[timeline.density_bucket(*span)]
        lanes.groupby(["actor_id", lanes.occurred_on.dt.to_period(freq)]).size()
    else:
        lanes.sort_values("occurred_on", ascending=False).head(timeline.POINT_LIMIT)


def ensure_store(stores: Path, events: int) -> tuple[Path, float | None]:
    """The synthetic store of this size (seed 7, statements and claims at a tenth of the events), generated if missing."""
    path = stores / f"timeline_{events}.duckdb"
    if path.exists():
        return path, None
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lib.cli", "--db", str(path), "generate", "--events", str(events),
                    "--statements", str(events // 10), "--claims", str(events // 10), "--seed", "7"],
                   cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    return path, round(time.perf_counter() - start, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stores", type=Path, default=Path("/tmp/stancewatch-bench"))
    parser.add_argument("--approaches", nargs="+", default=list(APPROACHES), choices=APPROACHES)
    parser.add_argument("--json", action="store_true", help="one JSON object per size on stdout")
    parser.add_argument("--worker", nargs=2, metavar=("APPROACH", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.repeat)))
        return
    args.stores.mkdir(parents=True, exist_ok=True)
    for size in args.sizes:
        db, generated = ensure_store(args.stores, size)
        row: dict[str, object] = {"events": size, "generate_s": generated, "date": dt.date.today().isoformat(),
                                  "machine": f"{platform.machine()} {platform.processor() or ''} {_cores()} cores".strip()}
        for approach in args.approaches:
            out = subprocess.run([sys.executable, __file__, "--worker", approach, str(db), "--repeat", str(args.repeat)],
                                 cwd=ROOT, check=True, capture_output=True, text=True).stdout
            measured = json.loads(out.strip().splitlines()[-1])
            row.update({f"{approach}_{k}": v for k, v in measured.items() if k != "approach"})
        print(json.dumps(row) if args.json else _lines(row), flush=True)


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def _lines(row: dict[str, object]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in row.items()) + "\n"


if __name__ == "__main__":
    main()
