"""Why a filter change is slow now and then: each change's server run beside what the warm-up thread computed meanwhile.

Runs app.py in Streamlit's AppTest (no browser) over a copy of a store, opens
the Timeline, then makes bench/browser.py's filter changes (the date preset and
the year under it, cycling through six values) one after the other, timing each
run (wall and this process's CPU) and noting, for each, the cache misses it
computed and the warm-up computations (lib/warmup.py) that ran during it, and
Python's garbage collections (generation 2) with their pauses. ``--no-warm``
runs the same without the warm-up thread.

    python bench/changes_profile.py --store /work/stores/events_10m_v8.duckdb [--changes 10] [--no-warm]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHANGES = (("flt_preset", "span"), ("flt_preset", "year"), ("flt_year", "2024"), ("flt_year", "2023"), ("flt_preset", "1y"),
           ("flt_preset", "all"))
"""bench/browser.py APP_CHANGES, as the widgets' values."""
events: list[list] = []  # [start, end or None while under way, what]: warm-up computations, cache misses, collections
_guard = threading.Lock()


def _begin(what: str) -> list:
    event = [time.perf_counter(), None, what]
    with _guard:
        events.append(event)
    return event


def _note(start: float, what: str) -> None:
    with _guard:
        events.append([start, time.perf_counter(), what])


def _traced_cached(cached):
    """``ui.cached`` whose computations (cache misses) are noted with the thread that made them."""
    import inspect

    def wrap(func):
        name = f"{func.__module__.removeprefix('lib.')}.{func.__qualname__}"

        def timed(*args, **kwargs):
            who = "warm-up" if threading.current_thread().name.startswith("stancewatch-warm") else "page"
            event = _begin(f"{who} computed {name}")
            try:
                return func(*args, **kwargs)
            finally:
                event[1] = time.perf_counter()

        timed.__signature__ = inspect.signature(func)  # type: ignore[attr-defined]
        timed.__module__, timed.__qualname__ = func.__module__, func.__qualname__
        return cached(timed)

    return wrap


collections: list[float] = []  # CPU seconds of each full collection (the thread's: the host's load does not count)


def _watch_collections() -> None:
    started: list[tuple[float, float]] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started.append((time.perf_counter(), time.thread_time()))
        elif started:
            wall, cpu = started.pop()
            collections.append(time.thread_time() - cpu)
            _note(wall, f"gc gen2 ({info.get('collected', 0)} collected, {collections[-1]:.3f} s CPU)")

    gc.callbacks.append(callback)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/work/stores/events_1m.duckdb"))
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--no-warm", action="store_true")
    parser.add_argument("--gap", type=float, default=0.0, help="seconds between two changes (a browser leaves some; the warm-up "
                        "starts a computation in them)")
    parser.add_argument("--no-freeze", action="store_true", help="leave the collector walking the first run's objects")
    args = parser.parse_args()
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from lib import ui

    ui.cached = _traced_cached(ui.cached)
    if args.no_freeze:
        from lib import heap

        heap._frozen[0] = True  # as if done: freeze_once does nothing
    _watch_collections()
    config.set_option("server.address", "127.0.0.1")
    os.environ["STANCEWATCH_WARM"] = "0" if args.no_warm else "1"
    with tempfile.TemporaryDirectory(prefix="bench-changes-") as tmp:
        db = Path(tmp) / "store.duckdb"
        shutil.copy(args.store, db)
        os.environ["STANCEWATCH_DB"] = str(db)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=1800)
        start = time.perf_counter()
        at.run()
        at.switch_page(str(ROOT / "views" / "timeline.py"))
        at.run()
        print(f"first load and Timeline: {time.perf_counter() - start:.2f} s (load {os.getloadavg()[0]:.1f})", flush=True)
        for i in range(args.changes):
            key, value = CHANGES[i % len(CHANGES)]
            if key == "flt_year" and at.session_state["flt_preset"] != "year":
                continue
            time.sleep(args.gap)
            start, cpu = time.perf_counter(), time.process_time()
            at.selectbox(key=key).set_value(value).run()
            end = time.perf_counter()
            with _guard:
                during = [f"{what} ({min(e or end, end) - max(s, start):.2f} s of it{'' if e else ', still under way'})"
                          for s, e, what in events if s < end and (e is None or e > start)]
            errors = [e.message for e in at.exception]
            print(f"change {i + 1} {key}={value}: {end - start:.2f} s, process CPU {time.process_time() - cpu:.2f} s "
                  f"(load {os.getloadavg()[0]:.1f}); during it: {'; '.join(during) or 'nothing computed'}"
                  + (f"; errors {errors}" if errors else ""), flush=True)
        print(f"full collections: {len(collections)}, {sum(collections):.3f} s CPU in all, longest {max(collections, default=0):.3f} s; "
              f"objects tracked {len(gc.get_objects())}, frozen {gc.get_freeze_count()}", flush=True)


if __name__ == "__main__":
    main()
