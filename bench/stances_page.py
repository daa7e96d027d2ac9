"""CPU seconds of the Stances page's computations under no filter, as the page makes them (a first open, no warm-up).

Each cached call of views/stances.py, in its order and with its arguments, through a memo cache that stands for
``ui.cached`` (one computation per function and arguments; a function taking ``cache`` gets it, as on the page),
timed inclusive in CPU seconds (``time.process_time``: DuckDB's threads included, a busy host's waiting not). The
names and grades every page reads are computed first and left out. Prints one JSON line.

To compare two versions on a shared host, run each from its own tree, alternating, on the same store copy:

    git archive REV | tar -x -C /tmp/before; ln -s $PWD/.venv /tmp/before/.venv
    for i in 1 2; do for tree in /tmp/before .; do (cd $tree && .venv/bin/python bench/stances_page.py STORE); done; done

(the script may be copied into the older tree). Never give it a shared store: it opens the file read-write.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path.cwd()))

from lib import catalog, store  # the tree the script runs from, not the script's own
from lib.filters import Filters
from lib.sources import reliability
from lib.stances import stance

memo: dict[str, Any] = {}
spent: dict[str, float] = {}


def cache(func: Callable[..., Any]) -> Callable[..., Any]:
    """``ui.cached`` without Streamlit: one computation per function and arguments, its CPU seconds added to ``spent``."""
    takes_cache = "cache" in inspect.signature(func).parameters

    @functools.wraps(func)
    def call(con: Any, *args: Any, **kwargs: Any) -> Any:
        key = repr((func.__qualname__, args, sorted(kwargs.items())))
        if key not in memo:
            start = time.process_time()
            memo[key] = func(con, *args, **kwargs, **({"cache": cache} if takes_cache else {}))
            spent[func.__qualname__] = spent.get(func.__qualname__, 0.0) + time.process_time() - start
        return memo[key]

    return call


def main() -> None:
    con = store.connect(sys.argv[1])
    none = Filters()
    cache(catalog.names)(con)
    cache(reliability.grades_in_force)(con)
    spent.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    view = cache(stance.resolve_view)(con, none)
    cache(stance.actor_cards)(con, none)
    for topic in view.topics:
        cache(stance.position_labels)(con, topic)
    cache(stance.build_chart)(con, none)
    cache(stance.claims_table)(con, none)
    cache(stance.build_table)(con, none)
    print(json.dumps({"cpu_s": round(time.process_time() - cpu, 2), "wall_s": round(time.perf_counter() - wall, 2),
                      "load": round(os.getloadavg()[0], 1),
                      "inclusive_cpu_s": {k: round(v, 2) for k, v in sorted(spent.items(), key=lambda kv: -kv[1])}}))


if __name__ == "__main__":
    main()
