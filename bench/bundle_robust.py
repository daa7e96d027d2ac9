"""Benchmark: how bundle imports fail. Fuzzed bundles (counts refused / applied, the slowest case, the largest memory)
and bombs (each refusal's time and peak resident memory, in a fresh process).

    python bench/bundle_robust.py [--seeds 500]

Fuzz cases run in this process against one store holding the seed case; each
case's Python allocation peak is taken with tracemalloc (DuckDB's own memory is
not in it; the process's resident peak is printed at the end). Bombs run
through tests/unit/bundle_bombs.probe: a fresh process per bomb, its own
resident peak (VmHWM; Python with DuckDB and pandas loaded included).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lib import store
from lib.ingest.bundle import import_bundle
from lib.ingest.report import ImportRefused
from tests.conftest import SEED
from tests.unit.bundle_bombs import CASES, probe
from tests.unit.bundle_fuzz import mutated_bundle


def fuzz(seeds: int, folder: Path) -> None:
    con = store.connect(folder / "fuzz.duckdb")
    import_bundle(con, SEED, who="bench")
    outcomes: Counter[str] = Counter()
    slowest = (0.0, -1, [])
    largest = (0, -1, [])
    for seed in range(seeds):
        path, mutations = mutated_bundle(seed, folder / str(seed))
        tracemalloc.start()
        start = time.perf_counter()
        try:
            import_bundle(con, path, who="fuzz")
            outcomes["applied"] += 1
        except ImportRefused:
            outcomes["refused"] += 1
        except Exception as exc:  # a traceback the user would see: report it
            outcomes[f"ESCAPED {type(exc).__name__}"] += 1
            print(f"seed {seed} ({', '.join(mutations)}): {type(exc).__name__}: {exc}")
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        slowest = max(slowest, (seconds, seed, mutations))
        largest = max(largest, (peak, seed, mutations))
    print(f"fuzz: {seeds} cases: {dict(outcomes)}")
    print(f"  slowest: seed {slowest[1]} ({', '.join(slowest[2])}): {slowest[0]:.2f} s")
    print(f"  largest Python allocation peak: seed {largest[1]} ({', '.join(largest[2])}): {largest[0] / 1e6:.1f} MB")
    print(f"  process resident peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    con.close()


def bombs(folder: Path) -> None:
    print("| bomb | file size | refused by | time | peak resident |")
    print("| --- | --- | --- | --- | --- |")
    for name, (build, env, _phrase) in CASES.items():
        home = folder / "".join(ch if ch.isalnum() else "_" for ch in name)
        home.mkdir()
        start = time.perf_counter()
        path = build(home)
        built = time.perf_counter() - start
        size = sum(p.stat().st_size for p in path.rglob("*")) if path.is_dir() else path.stat().st_size
        outcome = probe(path, env=env, timeout=300)
        reason = outcome["problems"][0] if outcome["problems"] else outcome["outcome"]
        print(f"| {name} | {size / 1e6:.2f} MB (built in {built:.1f} s) | {reason} | {outcome['seconds']:.2f} s | {outcome['peak_mb']:.0f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=500)
    parser.add_argument("--bombs-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.bombs_only:
            (Path(tmp) / "fuzz").mkdir()
            fuzz(args.seeds, Path(tmp) / "fuzz")
        (Path(tmp) / "bombs").mkdir()
        bombs(Path(tmp) / "bombs")


if __name__ == "__main__":
    main()
