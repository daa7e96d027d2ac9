"""Profile: where the CPU of one bundle import goes, by phase and by SQL statement.

Usage: python bench/bundle_profile.py [--kind statements|events] [--rows N] [--store FILE] [--top K] [--reimport]

Writes the bench/bundle_import.py bundle, imports it once into a fresh store (or a copy you give with --store: it is
written to), DuckDB on one thread so that its work is this process's CPU, and prints:
- CPU seconds (``time.process_time``) per phase: every function of lib/ that issued SQL, with its SQL's share;
- the K most expensive statements (CPU, their first words and the lib/ function that ran them);
- with --operators, DuckDB's own profile of each statement over 50 ms (its costliest operators);
- the K Python functions with the most CPU of their own (cProfile with ``time.process_time`` as its clock).
Statements are timed through a thin proxy of the connection (``execute``), so the import runs its own code unchanged;
cursors it opens (validation's) are timed as one phase.
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import json
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bundle_import import write_bundle, write_event_bundle  # noqa: E402

from lib import store  # noqa: E402
from lib.ingest.bundle import import_bundle  # noqa: E402


def _caller() -> str:
    """The innermost lib/ function on the stack outside store.py's plumbing: who ran the statement."""
    frame = sys._getframe(2)
    while frame:
        name = frame.f_code.co_filename
        if "/lib/" in name and not name.endswith("/bench/bundle_profile.py"):
            return f"{Path(name).relative_to(ROOT)}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


class Timed:
    """The connection, with every ``execute`` timed in CPU seconds and charged to its caller and its SQL."""

    def __init__(self, con, operators: Path | None = None) -> None:
        self._con = con
        self._operators = operators
        self.plans: list[tuple[float, str, list[tuple[float, str]]]] = []
        self.by_caller: dict[str, float] = collections.defaultdict(float)
        self.by_sql: dict[tuple[str, str], list[float]] = collections.defaultdict(list)

    def execute(self, sql, *args, **kwargs):
        start = time.process_time()
        try:
            return self._con.execute(sql, *args, **kwargs)
        finally:
            took = time.process_time() - start
            caller = _caller()
            self.by_caller[caller] += took
            text = " ".join(re.sub(r"--[^\n]*", "", sql).split())[:110]
            self.by_sql[(caller, text)].append(took)
            if self._operators and took >= 0.05 and self._operators.exists():
                self.plans.append((took, text, _operators(json.loads(self._operators.read_text()))))


    def __getattr__(self, name):
        return getattr(self._con, name)


def _operators(node: dict) -> list[tuple[float, str]]:
    """Every operator of a DuckDB JSON profile: (its own seconds, its name and first details)."""
    found = []
    for child in node.get("children", []):
        found += _operators(child)
    if "operator_type" in node:
        info = " ".join(f"{k}={v}" for k, v in (node.get("extra_info") or {}).items() if k != "Estimated Cardinality")
        found.append((float(node.get("operator_timing", 0)), f"{node['operator_type']} rows={node.get('operator_cardinality')} {info}"[:160]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("statements", "events"), default="statements")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--store", help="import into this store file (a copy: it is written to)")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--reimport", action="store_true", help="profile the unchanged re-import instead")
    parser.add_argument("--operators", action="store_true", help="DuckDB's profile of each statement over 50 ms: its top operators")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        (write_bundle if args.kind == "statements" else write_event_bundle)(folder, args.rows)
        raw = store.connect(args.store or Path(tmp) / "s.duckdb")
        raw.execute("set threads = 1")
        if args.store:  # a 10M store: within the shared host's memory
            raw.execute("set memory_limit = '4GB'")
        if args.reimport:
            import_bundle(raw, folder, who="bench")
        operators = Path(tmp) / "plan.json" if args.operators else None
        if operators:
            raw.execute(f"set enable_profiling = 'json'; set profiling_output = '{operators}'")
        con = Timed(raw, operators)
        profiler = cProfile.Profile(time.process_time)
        start, wall = time.process_time(), time.perf_counter()
        result = profiler.runcall(import_bundle, con, folder, who="bench")
        total, wall = time.process_time() - start, time.perf_counter() - wall
        raw.close()
    sql = sum(con.by_caller.values())
    print(f"{args.rows:,} {args.kind}{' re-import' if args.reimport else ''} ({result.status}): CPU {total:.3f} s "
          f"(wall {wall:.3f} s), of it SQL through the connection {sql:.3f} s; load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("\nCPU s by caller (SQL only):")
    for caller, took in sorted(con.by_caller.items(), key=lambda kv: -kv[1]):
        if took >= 0.005:
            print(f"  {took:7.3f}  {caller}")
    print(f"\ntop {args.top} statements (CPU s, runs):")
    for (caller, text), runs in sorted(con.by_sql.items(), key=lambda kv: -sum(kv[1]))[:args.top]:
        print(f"  {sum(runs):7.3f} x{len(runs):<3} {caller.split(':')[-1]:<28} {text}")
    for took, text, ops in con.plans:
        print(f"\n{took:.3f} s: {text}")
        for seconds, name in sorted(ops, reverse=True)[:6]:
            print(f"    {seconds:7.3f}  {name}")
    print("\nPython functions by CPU of their own (cProfile, process_time):")
    pstats.Stats(profiler).sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
