"""Benchmark: what Chromium spends drawing one chart alone, each against a ten-point chart in the same minutes.

A page open's browser time mixes the chart, the tables and the cards (bench/open_breakdown.py). This puts each
figure on a bare Streamlit page of its own and switches Empty -> chart from the sidebar, chart after chart in turn
(so figures of two code versions alternate under the same load), reading click -> idle and Chromium's main-thread
busy time (CDP ``TaskDuration``) per open. ``dump`` writes the pages' figures under the default filters as plotly
JSON; dump with each code tree (run this file from that tree), then ``measure`` them all together:

    python bench/chart_draw.py dump --store COPY.duckdb --out DIR --tag new
    python bench/chart_draw.py measure DIR --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

APP = '''
from pathlib import Path
import plotly.io as pio
import streamlit as st
FIGURES = {figures!r}
def page(path):
    def show():
        st.plotly_chart(pio.from_json(Path(path).read_text(), skip_invalid=True), theme=None, width="stretch")
    show.__name__ = Path(path).stem
    return show
def empty():
    st.write("empty")
st.navigation([st.Page(empty, title="Empty", default=True),
               *(st.Page(page(p), title=Path(p).stem) for p in FIGURES)]).run()
'''
FLOOR = "floor"


def dump(store_path: Path, out: Path, tag: str) -> None:
    """This tree's Timeline and Stances figures (default filters) as ``out/TAG_NAME.json``, and the floor chart."""
    import plotly.graph_objects as go

    from lib import charts, figures, store
    from lib.filters import Filters

    out.mkdir(parents=True, exist_ok=True)
    con = store.connect(store_path, read_only=True)
    for name in ("timeline", "stances"):
        fig = figures.build_chart(name, con, Filters(), **figures.chart_options(name, {}))
        (out / f"{tag}_{name}.json").write_text(fig.to_json())
    floor = charts.apply_style(go.Figure(go.Scatter(x=list(range(10)), y=list(range(10)), mode="markers")),
                               "Floor", "ten points", "footer", "x", "y")
    (out / f"{FLOOR}.json").write_text(floor.to_json())


def measure(folder: Path, rounds: int) -> dict[str, dict[str, float]]:
    """Each figure of ``folder`` opened ``rounds`` times after an empty page, in turn; medians per figure."""
    from bench.open_breakdown import _measure, _open
    from tests.browser.conftest import serve

    paths = sorted(str(p) for p in folder.glob("*.json"))
    names = [Path(p).stem for p in paths]
    # plotly's code loads lazily: the first chart's open can reach idle before it is drawn, the second pays for the
    # loading (bench/RESULTS.md); neither is counted
    order = ["Empty", FLOOR, "Empty", FLOOR]
    for _ in range(rounds):
        for name in names:
            order += ["Empty", name]
    with tempfile.TemporaryDirectory(prefix="bench-draw-") as tmp:
        app, log = Path(tmp) / "app.py", Path(tmp) / "server.log"
        app.write_text(APP.format(figures=paths))
        log.touch()

        async def goto(page, url: str) -> None:
            await page.goto(url)

        with serve(None, Path(tmp), app=app) as url:
            rows = asyncio.run(_measure(url, log, [("first", goto), *((name, _open(name)) for name in order)]))
    opens = [r for r in rows[5:] if r["open"] in names]
    return {name: {"click_to_idle_s": statistics.median(r["total_s"] for r in opens if r["open"] == name),
                   "browser_task_s": statistics.median(r["browser_task_s"] for r in opens if r["open"] == name),
                   "load": statistics.median(r["load"] for r in opens if r["open"] == name)}
            for name in names}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="write this tree's figures as plotly JSON")
    d.add_argument("--store", type=Path, required=True, help="the store, opened read-only")
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--tag", required=True, help="the code version, e.g. old or new")
    m = sub.add_parser("measure", help="draw each figure of a folder in Chromium, in turn")
    m.add_argument("folder", type=Path)
    m.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.store, args.out, args.tag)
    else:
        print(json.dumps(measure(args.folder, args.rounds), indent=1))


if __name__ == "__main__":
    main()
