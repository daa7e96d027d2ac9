"""Benchmark: what keeping each series' standing (schema 11, ``series_standings``) costs writes.

On a copy of a schema-10 store (``--store``; it is upgraded and written to), with the load average beside each figure:

1. the upgrade to schema 11 (every series judged in both modes: ``derived.rebuild_standings``) within the whole
   ``store.connect``;
2. one statement added on the busiest series (its top-level actor on its topic), through ``import_bundle`` as the
   edit form writes it;
3. the busiest sub-actor re-parented under another top-level actor (a bundle's actors row);
4. a bundle of ``--rows`` statements (default 100k) on the store's own actors, topics and positions.

Each write: the whole write, and of it the standings' upkeep (``derived.refresh_standings``), CPU seconds of the
process (DuckDB's threads included) and wall seconds. The kept table is checked against every series judged anew
at the end with ``--check`` (slow at 10M).

    python bench/standings_upkeep.py --store /tmp/standings2/events_10m.duckdb [--rows 100000] [--check]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lib import derived, store  # noqa: E402
from lib.ingest.bundle import import_bundle  # noqa: E402


class Spent:
    """CPU and wall seconds spent in one function of a module while active (wrapped, not changed)."""

    def __init__(self, owner: object, name: str) -> None:
        self.owner, self.name, self.cpu, self.wall = owner, name, 0.0, 0.0
        self.original: Callable = getattr(owner, name)

    def __enter__(self) -> Spent:
        def timed(*args, **kwargs):
            cpu, wall = time.process_time(), time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.cpu += time.process_time() - cpu
                self.wall += time.perf_counter() - wall
        setattr(self.owner, self.name, timed)
        return self

    def __exit__(self, *exc) -> None:
        setattr(self.owner, self.name, self.original)


def measured(label: str, part: tuple[object, str], call: Callable[[], object]) -> object:
    with Spent(*part) as spent:
        load = os.getloadavg()[0]
        cpu, wall = time.process_time(), time.perf_counter()
        result = call()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    print(f"{label:46s} whole {cpu:6.2f} s CPU {wall:6.2f} s wall | {part[1]} {spent.cpu:6.2f} s CPU {spent.wall:6.2f} s wall"
          f" | load {load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
    return result


def _bundle(folder: Path, tables: dict[str, tuple[list[str], list[list[object]]]]) -> Path:
    folder.mkdir(parents=True)
    for table, (header, rows) in tables.items():
        with (folder / f"{table}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


STATEMENT_COLUMNS = ["statement_id", "stated_on", "actor_id", "topic_id", "position_code", "quote", "attribution"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    def upgrade() -> object:
        derived.RECOMPUTES[10] = derived.rebuild_standings  # the wrapped one: the upgrade calls it through RECOMPUTES
        try:
            return store.connect(args.store)
        finally:
            derived.RECOMPUTES[10] = rebuild

    rebuild = derived.rebuild_standings
    con = measured("upgrade 10 -> 11 (store.connect)", (derived, "rebuild_standings"), upgrade)
    print(con.execute("select inherit, count(*), sum(statements) from series_standings group by all order by 1").fetchall())
    actor, topic, code = con.execute(
        """select k.series_actor_id, k.topic_id, k.current_positions[1] from series_standings k
           join actors a on a.actor_id = k.series_actor_id
           where k.inherit and a.parent_actor_id is null order by k.statements desc limit 1""").fetchall()[0]
    work = Path(tempfile.mkdtemp(prefix="standings_upkeep_"))
    one = _bundle(work / "one", {"statements": (STATEMENT_COLUMNS, [["bench-one", "2026-11-30", actor, topic, code,
                                                                     "There is no change in our position.", "on_record"]])})
    measured(f"one statement on {actor}/{topic}", (derived, "refresh_standings"), lambda: import_bundle(con, one, "bench"))
    child, name, kind, parent = con.execute(
        """select a.actor_id, a.name, a.kind, a.parent_actor_id from actors a join series_standings k on k.series_actor_id = a.actor_id
           where k.inherit and a.parent_actor_id is not null group by all order by sum(k.statements) desc limit 1""").fetchall()[0]
    other = con.execute("select actor_id from actors where parent_actor_id is null and actor_id <> ? order by actor_id limit 1",
                        [actor]).fetchall()[0][0]
    moved = _bundle(work / "moved", {"actors": (["actor_id", "name", "kind", "parent_actor_id"], [[child, name, kind, other]])})
    measured(f"{child} re-parented {parent} -> {other}", (derived, "refresh_standings"), lambda: import_bundle(con, moved, "bench"))
    actors = [r[0] for r in con.execute("select actor_id from actors order by actor_id").fetchall()]
    positions = con.execute("select topic_id, list(position_code order by position_code) from positions group by all order by 1").fetchall()
    pick = random.Random(15)
    rows = []
    for i in range(args.rows):
        topic, codes = pick.choice(positions)
        rows.append([f"bench-{i}", f"20{10 + i % 16}-{1 + i % 12:02d}-{1 + i % 28:02d}", pick.choice(actors), topic,
                     pick.choice(codes), "The systems will stay in our inventory.", "on_record"])
    bundle = _bundle(work / "bundle", {"statements": (STATEMENT_COLUMNS, rows)})
    result = measured(f"bundle of {args.rows:,} statements", (derived, "refresh_standings"), lambda: import_bundle(con, bundle, "bench"))
    print(result.status, result.counts)
    if args.check:
        from tests.unit.test_standings import _from_scratch, _kept
        print("kept equals judged anew:", _kept(con) == _from_scratch(con))
    con.close()


if __name__ == "__main__":
    main()
