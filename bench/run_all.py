"""Run every benchmark at the sizes the issues set, one after another (`make bench`; long: the timeline builds a 10M store).

Each script prints its own figures; copy them into bench/RESULTS.md with the date and the machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNS: list[list[str]] = [
    ["bundle_import.py", "--rows", "100000"],
    ["phrases.py", "--quotes", "100000"],
    ["ingest.py", "--rows", "200000", "--days", "10"],
    ["stances.py", "--statements", "1000000"],
    ["sources.py", "--sources", "10000", "--claims", "1000000"],
    ["export.py"],
    ["timeline.py", "--sizes", "100000", "1000000", "10000000"],
    ["search.py", "--events", "1000000"],
]


def main() -> int:
    """Run each benchmark; stop at the first that fails."""
    for script, *args in RUNS:
        print(f"== {script} {' '.join(args)}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / script), *args], check=False)
        if done.returncode:
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
