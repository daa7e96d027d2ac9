"""Profile the server's work on the first load and each page's first and later open (pyinstrument over AppTest).

Runs app.py in Streamlit's AppTest (the page scripts as the server runs them,
without a browser) over a copy of a synthetic store, opens the Timeline (the
first load), then Stances, Sources, Overview and Search, then each again, and
prints each run's seconds; with ``--profile`` also pyinstrument's call tree of
every first open (``--html DIR`` writes them as pages).

    python bench/profile_pages.py [--store /work/stores/events_10m.duckdb] [--profile]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = ("timeline", "stances", "sources", "overview", "search")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("/work/stores/events_1m.duckdb"))
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--html", type=Path)
    args = parser.parse_args()
    from pyinstrument import Profiler
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    config.set_option("server.address", "127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        db = Path(tmp) / "store.duckdb"
        shutil.copy(args.store, db)
        os.environ["STANCEWATCH_DB"] = str(db)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        for round_ in ("first", "later"):
            for number, page in enumerate(PAGES):
                profiler = Profiler(interval=0.005) if args.profile and round_ == "first" else None
                if profiler:
                    profiler.start()
                start = time.perf_counter()
                if round_ == "first" and number == 0:
                    at.query_params["range"] = "all"
                    at.run()  # the Overview's run is the app's first; then the switch below
                    first_run = time.perf_counter() - start
                    print(f"first run of app.py (Overview): {first_run:.2f} s", flush=True)
                    start = time.perf_counter()
                at.switch_page(str(ROOT / "views" / f"{page}.py"))
                at.run()
                seconds = time.perf_counter() - start
                problems = [e.message for e in at.exception] + [e.value for e in at.error]
                print(f"{round_} open of {page}: {seconds:.2f} s{f'; errors {problems}' if problems else ''}", flush=True)
                if profiler:
                    profiler.stop()
                    print(profiler.output_text(unicode=False, color=False, show_all=False,
                                               short_mode=False)[:12000], flush=True)
                    if args.html:
                        args.html.mkdir(parents=True, exist_ok=True)
                        (args.html / f"{page}.html").write_text(profiler.output_html())


if __name__ == "__main__":
    main()
