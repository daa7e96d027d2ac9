"""Benchmark: where a page open's time goes in the real server and Chromium — server run, send, the browser's drawing.

bench/browser.py times a page open from the click to idle, and its ``run_s`` is
read in the page (the websocket's messages as the browser's busy main thread
gets to them), so it holds the browser's drawing too. This splits one session's
opens: it starts ``streamlit run`` (app.py over a copy of ``--store``, or
bench/floor_app.py with ``--floor``) with bench/open_hook/sitecustomize.py, which
logs each script run's start and end, the process's CPU and each websocket send
with ``time.monotonic()`` (the same clock here, on Linux), and reads Chromium's
own main-thread times (CDP ``Performance.getMetrics``: TaskDuration, ScriptDuration)
around each open. Per open:

- ``click_to_run_s``: click to the server starting the script;
- ``run_s`` / ``run_cpu_s``: the server's script run, wall and the process's CPU;
- ``browser_s``: the last byte sent to idle (IDLE of bench/sessions.py, then two frames drawn);
- ``browser_task_s`` / ``browser_script_s``: the renderer's main thread busy, in all / in JavaScript;
- ``sent_kb``: what the run sent (Streamlit sends a large element again unless the browser still holds it from
  the last two runs).

    python bench/open_breakdown.py --store COPY.duckdb [--pages Stances,Sources,...] [--first /timeline]
    python bench/open_breakdown.py --floor
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.browser import FLOOR_APP, FLOOR_CHANGES, FRAMES  # noqa: E402 - after the path is set
from bench.sessions import IDLE, LOCAL_ONLY, WATCH_RUNS  # noqa: E402
from tests.browser.conftest import CHROMIUM_LAUNCH, serve  # noqa: E402

HOOK = ROOT / "bench" / "open_hook"
PAGES = "Stances,Sources,Overview,Search,Timeline,Stances,Sources,Overview,Timeline"
METRICS = ("TaskDuration", "ScriptDuration")


def _server_lines(log: Path, start: int) -> list[list[str]]:
    with open(log) as f:
        f.seek(start)
        return [line.split() for line in f.read().splitlines()]


def _split(lines: list[list[str]], clicked: float, idle: float) -> dict[str, object]:
    """The server's part of one open (its last run: a click may cause a rerun first) and the browser's after it."""
    starts = [i for i, w in enumerate(lines) if w[2] == "run_start"]
    if not starts:
        return {}
    run = lines[starts[-1]:]
    end = next((w for w in run if w[2] == "run_end"), None)
    sends = [w for w in run if w[2] == "send"]
    last = float(sends[-1][0]) if sends else float(run[0][0])
    return {"click_to_run_s": round(float(run[0][0]) - clicked, 3),
            "run_s": end and round(float(end[0]) - float(run[0][0]), 3),
            "run_cpu_s": end and round(float(end[1]) - float(run[0][1]), 3),
            "browser_s": round(idle - last, 3), "sent_kb": round(sum(int(w[3]) for w in sends) / 1000)}


async def _measure(url: str, log: Path, actions: list[tuple[str, object]]) -> list[dict[str, object]]:
    from playwright.async_api import async_playwright

    rows = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**{**CHROMIUM_LAUNCH, "args": [*CHROMIUM_LAUNCH["args"], LOCAL_ONLY]})
        try:
            context = await browser.new_context(viewport={"width": 1400, "height": 1000})
            await context.add_init_script(WATCH_RUNS)
            page = await context.new_page()
            cdp = await context.new_cdp_session(page)
            await cdp.send("Performance.enable")

            async def metrics() -> dict[str, float]:
                got = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
                return {k: got.get(k, 0.0) for k in METRICS}

            for name, action in actions:
                await page.evaluate("window.__sawRun = false; window.__runAt = null; window.__doneAt = null")
                position, load, before = log.stat().st_size, os.getloadavg()[0], await metrics()
                clicked = time.monotonic()
                await action(page, url)
                await page.wait_for_function(IDLE, timeout=300_000, polling=20)
                await page.evaluate(FRAMES)
                idle = time.monotonic()
                after = await metrics()
                row = {"open": name, "total_s": round(idle - clicked, 3), **_split(_server_lines(log, position), clicked, idle),
                       "browser_task_s": round(after["TaskDuration"] - before["TaskDuration"], 3),
                       "browser_script_s": round(after["ScriptDuration"] - before["ScriptDuration"], 3),
                       "load": round(load, 2)}
                print(json.dumps(row), flush=True)
                rows.append(row)
        finally:
            await browser.close()
    return rows


def _open(name: str):
    async def click(page, url: str) -> None:
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True).click()
    return click


def _choose(option: str):
    async def click(page, url: str) -> None:
        widget = page.locator(".st-key-floor_pick input")
        await widget.click()
        await widget.fill(option)
        await page.get_by_role("option", name=option, exact=True).first.click()
    return click


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="the store (copied, never written)")
    parser.add_argument("--floor", action="store_true", help="bench/floor_app.py and its selectbox's reruns instead")
    parser.add_argument("--first", default="/timeline", help="the page loaded first")
    parser.add_argument("--pages", default=PAGES, help="the pages then opened from the sidebar, in order")
    args = parser.parse_args()
    if not args.floor and not args.store:
        parser.error("--store or --floor")
    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"
    with tempfile.TemporaryDirectory(prefix="bench-open-") as tmp:
        log = Path(tmp) / "server.log"
        log.touch()
        env = {"PYTHONPATH": str(HOOK), "STANCEWATCH_OPEN_LOG": str(log)}
        async def goto(page, url: str, path: str = "" if args.floor else args.first) -> None:
            await page.goto(url + path)
        if args.floor:
            actions = [("first load", goto), *((f"rerun {c}", _choose(c)) for _, c in FLOOR_CHANGES)]
        else:
            actions = [(f"first load {args.first}", goto), *((p, _open(p)) for p in args.pages.split(","))]
        with serve(None if args.floor else args.store, Path(tmp), app=FLOOR_APP if args.floor else ROOT / "app.py",
                   env=env) as url:
            asyncio.run(_measure(url, log, actions))


if __name__ == "__main__":
    main()
