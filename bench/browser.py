"""Benchmark: the app in Chromium against Streamlit's own floor, in the same run (issue 15's browser targets).

Starts two servers the way the browser tests do (tests/browser/conftest.py
``serve``): ``streamlit run app.py`` over a copy of a synthetic store, and
``streamlit run bench/floor_app.py`` (one sidebar selectbox, a 3,000-point
plotly chart and a table; no store). Debian's Chromium, driven by Playwright,
then measures on both, phase by phase, the floor first within each phase:

1. **first load**: a new browser context opens the page (the app at /timeline,
   a page with a chart as the floor's) on a server that has served nobody yet;
2. **filter change → chart redrawn**: in that session, the sidebar's date
   preset (and the year under it) changed ``--changes`` times, cycling through
   six choices (each first time a cold cache, then warm); the floor's selectbox
   as many times;
3. **page opens** (the app only): Stances, Sources, Overview, Search, then
   Timeline, Stances, Sources, Overview again in the same session ("later"),
   then a second new session's first load (warm server) and its opens;
4. **5 sessions at once**: five new contexts each make the filter changes
   together (floor and app alike);
5. **10 sessions open**: ten new contexts load the Overview then the Timeline
   at once; the server's memory is sampled all along.

A load or change is timed from the click (or the navigation) to idle: the
script ran and finished (the server's new_session, then script_finished
message on the websocket, bench/sessions.py), the page says "notRunning",
nothing stale on screen, and two animation frames drawn. ``run_s`` splits off
the server's run (script start to finish, as those messages arrived).
Memory: resident set of the streamlit process and its children (kaleido's
Chromium, if an export started one), summed, sampled every 0.2 s; peak during
phase 5 and over the run; and VmHWM of the server process.

Stores (``--events``, each once, by lib/synthetic.py through ``python -m lib.cli
generate``, seed 7, a tenth as many statements and claims as events) are kept in
``--stores`` (default /work/stores, shared between helpers: events_1m.duckdb,
events_10m.duckdb) and never written: the server works on a copy.

    python bench/browser.py [--events 1000000 10000000] [--changes 12] [--json] [--store COPY.duckdb]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sessions import ERRORS, IDLE, LOCAL_ONLY, WATCH_RUNS  # noqa: E402 - after the path is set
from tests.browser.conftest import CHROMIUM_LAUNCH, serve  # noqa: E402

FLOOR_APP = ROOT / "bench" / "floor_app.py"
FRAMES = "new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# (widget key, option shown): the app's date preset and the year under it; the floor's one selectbox
APP_CHANGES = (("flt_preset", "the data's full span"), ("flt_preset", "a calendar year"), ("flt_year", "2024"),
               ("flt_year", "2023"), ("flt_preset", "last 12 months"), ("flt_preset", "all dates"))
FLOOR_CHANGES = tuple(("floor_pick", c) for c in ("the data's full span", "a calendar year", "2024", "2023",
                                                  "last 12 months", "all dates"))
PAGES_FIRST = ("Stances", "Sources", "Overview", "Search")
PAGES_LATER = ("Timeline", "Stances", "Sources", "Overview")
PHASES = ("pages", "sessions")
"""``--phases pages``: phases 1-3 only (one session); ``sessions`` adds 4 and 5 (5 and 10 sessions at once)."""


def _store_name(events: int) -> str:
    return f"events_{events // 1_000_000}m.duckdb" if events % 1_000_000 == 0 else f"events_{events}.duckdb"


def ensure_store(stores: Path, events: int) -> Path:
    """The shared synthetic store of this size, generated once (under a temporary name, then renamed)."""
    path = stores / _store_name(events)
    if path.exists():
        return path
    if path.with_suffix(".duckdb.building").exists():
        raise SystemExit(f"{path} is being built by another helper ({path.with_suffix('.duckdb.building')}); rerun later")
    partial = stores / f".{path.stem}.partial.duckdb"
    partial.unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "lib.cli", "--db", str(partial), "generate", "--events", str(events),
                    "--statements", str(events // 10), "--claims", str(events // 10), "--seed", "7"], cwd=ROOT, check=True)
    partial.rename(path)
    return path


# -- the server's memory ------------------------------------------------------------------------------------
def _pid_on_port(port: str) -> int:
    """The streamlit process of this run that serves ``port``."""
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in children.read_text().split():
            if port in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0"):
                return int(pid)
    raise RuntimeError(f"no streamlit child serves port {port}")


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in children.read_text().split())
    return found


def _status_mb(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class TreeMemory:
    """Samples the summed resident memory of a process and its descendants in a thread; ``mark()`` starts a new phase peak."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self.phase_peak = pid, 0.0, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            rss = sum(_status_mb(p, "VmRSS") for p in _tree(self.pid))
            self.peak, self.phase_peak = max(self.peak, rss), max(self.phase_peak, rss)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def mark(self) -> None:
        self.phase_peak = 0.0


# -- the browser ---------------------------------------------------------------------------------------------
async def _idle(page, timeout_ms: int) -> None:
    await page.wait_for_function(IDLE, timeout=timeout_ms, polling=50)
    await page.evaluate(FRAMES)


async def _timed(page, action, timeout_ms: int, fresh: bool = False) -> dict[str, object]:
    """Seconds from ``action`` (a click or a navigation) to idle, the server's run within it, and the errors shown."""
    if not fresh:  # a page switch or a change: wait for the run that follows the click, not the one before
        await page.evaluate("window.__sawRun = false; window.__runAt = null; window.__doneAt = null")
    start = time.perf_counter()
    try:
        await action()
        await _idle(page, timeout_ms)
        seconds = time.perf_counter() - start
        run_at, done_at = await page.evaluate("[window.__runAt, window.__doneAt]")
        run = (done_at - run_at) / 1000 if run_at is not None and done_at is not None else None
        errors = await page.evaluate(ERRORS)
    except Exception as exc:  # a timeout is a result, not the end of the run
        seconds, run, errors = None, None, [f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"]
    return {"seconds": seconds, "run_s": run, "errors": errors}


async def _new_page(browser):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(WATCH_RUNS)
    return context, await context.new_page()


async def _load(page, url: str, timeout_ms: int) -> dict[str, object]:
    return await _timed(page, lambda: page.goto(url, timeout=timeout_ms), timeout_ms, fresh=True)


async def _choose(page, key: str, option: str, timeout_ms: int) -> dict[str, object]:
    """Open the selectbox ``key``, then time the click on ``option`` until the page is idle with the new chart."""
    widget = page.locator(f".st-key-{key}")
    entry = page.get_by_role("option", name=option, exact=True).first
    for attempt in range(4):  # a rerun landing while the list is open closes it, and a busy host misses clicks: again
        try:
            await _idle(page, timeout_ms)
            await widget.locator("input").click(timeout=timeout_ms)
            await widget.locator("input").fill(option, timeout=timeout_ms)
            await entry.wait_for(state="visible", timeout=10_000)
            break
        except Exception as exc:
            await page.keyboard.press("Escape")
            if attempt == 3:
                return {"seconds": None, "run_s": None, "errors": [f"option {option!r} of {key} never showed: {str(exc)[:100]}"]}
    result = await _timed(page, lambda: entry.click(timeout=timeout_ms), timeout_ms)
    return {**result, "change": f"{key}={option}"}


async def _changes(page, changes, count: int, timeout_ms: int) -> list[dict[str, object]]:
    return [await _choose(page, *changes[i % len(changes)], timeout_ms) for i in range(count)]


async def _open(page, name: str, timeout_ms: int) -> dict[str, object]:
    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=name, exact=True)
    return {**await _timed(page, lambda: link.click(timeout=timeout_ms), timeout_ms), "page": name}


async def _together(browser, count: int, work) -> list[dict[str, object]]:
    """``count`` new sessions run ``work(page)`` at once; every result of every session."""
    async def one() -> list[dict[str, object]]:
        context, page = await _new_page(browser)
        try:
            return await work(page)
        finally:
            await context.close()

    return [r for rs in await asyncio.gather(*(one() for _ in range(count))) for r in rs]


def _seconds(rows: list[dict[str, object]]) -> dict[str, object]:
    done = sorted(r["seconds"] for r in rows if r["seconds"] is not None)
    runs = [r["run_s"] for r in rows if r.get("run_s") is not None]
    return {"n": len(rows), "timed_out": len(rows) - len(done),
            "median_s": round(statistics.median(done), 3) if done else None,
            "max_s": round(done[-1], 3) if done else None,
            "run_median_s": round(statistics.median(runs), 3) if runs else None,
            "all_s": [round(s, 3) for s in done]}


def _load_avg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _progress(out: dict[str, object], key: str) -> None:
    """Say on stderr which phase finished, with its figures, so a long run shows where it is."""
    print(f"{time.strftime('%H:%M:%S')} {key}: {json.dumps(out[key])[:1500]} (load {_load_avg()[0]})", file=sys.stderr, flush=True)


async def _measure(app_url: str, floor_url: str, memory: TreeMemory, changes: int, timeout_ms: int,
                   phases: set[str] = frozenset(PHASES)) -> dict[str, object]:
    from playwright.async_api import async_playwright

    out: dict[str, object] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**{**CHROMIUM_LAUNCH, "args": [*CHROMIUM_LAUNCH["args"], LOCAL_ONLY]})
        try:
            # 1-2: first loads (both servers cold), then filter changes in that session
            floor_context, floor = await _new_page(browser)
            out["floor_first_load"] = await _load(floor, floor_url, timeout_ms)
            _progress(out, "floor_first_load")
            out["floor_changes"] = _seconds(await _changes(floor, FLOOR_CHANGES, changes, timeout_ms))
            _progress(out, "floor_changes")
            await floor_context.close()
            out["load_first"] = _load_avg()
            context, page = await _new_page(browser)
            out["first_load"] = await _load(page, f"{app_url}/timeline", timeout_ms)
            _progress(out, "first_load")
            out["changes"] = _seconds(rows := await _changes(page, APP_CHANGES, changes, timeout_ms))
            _progress(out, "changes")
            out["change_errors"] = [e for r in rows for e in r["errors"]]
            out["changes_each"] = [[r.get("change"), r["seconds"] and round(r["seconds"], 3), r["run_s"]] for r in rows]  # in order
            out["load_changes"] = _load_avg()
            # 3: pages, first and later opens, in this session; then a second session
            out["opens_first"] = [await _open(page, name, timeout_ms) for name in PAGES_FIRST]
            _progress(out, "opens_first")
            out["opens_later"] = [await _open(page, name, timeout_ms) for name in PAGES_LATER]
            _progress(out, "opens_later")
            await context.close()
            floor_context, floor = await _new_page(browser)
            out["floor_second_load"] = await _load(floor, floor_url, timeout_ms)
            _progress(out, "floor_second_load")
            await floor_context.close()
            context, page = await _new_page(browser)
            out["second_load"] = await _load(page, app_url, timeout_ms)
            _progress(out, "second_load")
            out["opens_second_session"] = [await _open(page, name, timeout_ms) for name in PAGES_LATER]
            _progress(out, "opens_second_session")
            await context.close()
            out["load_pages"] = _load_avg()
            if "sessions" not in phases:
                return out
            # 4: five sessions changing filters at once
            out["floor_changes_5"] = _seconds(await _together(
                browser, 5, lambda p: _session_changes(p, floor_url, FLOOR_CHANGES, changes, timeout_ms)))
            _progress(out, "floor_changes_5")
            out["changes_5"] = _seconds(await _together(
                browser, 5, lambda p: _session_changes(p, f"{app_url}/timeline", APP_CHANGES, changes, timeout_ms)))
            _progress(out, "changes_5")
            out["load_5"] = _load_avg()
            # 5: ten sessions open the Overview, then the Timeline
            memory.mark()
            opened = await _together(browser, 10, lambda p: _ten(p, app_url, timeout_ms))
            out["sessions_10"] = _seconds(opened)
            _progress(out, "sessions_10")
            out["sessions_10_errors"] = [e for r in opened for e in r["errors"]]
            out["load_10"] = _load_avg()
        finally:
            await browser.close()
    return out


async def _session_changes(page, url: str, choices, count: int, timeout_ms: int) -> list[dict[str, object]]:
    """A session of phase 4: load the page (untimed), then the filter changes."""
    await _load(page, url, timeout_ms)
    return await _changes(page, choices, count, timeout_ms)


async def _ten(page, url: str, timeout_ms: int) -> list[dict[str, object]]:
    return [await _load(page, url, timeout_ms), await _open(page, "Timeline", timeout_ms)]


def measure(db: Path, changes: int, timeout_ms: int, phases: set[str] = frozenset(PHASES)) -> dict[str, object]:
    """One run over a copy of ``db``: the floor's server and ours side by side, every phase."""
    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"  # an edit to the worktree mid-run must not reload lib/
    with (tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp,
          tempfile.TemporaryDirectory(prefix="bench-floor-") as floor_tmp,
          serve(db, Path(tmp)) as app_url, serve(None, Path(floor_tmp), app=FLOOR_APP) as floor_url):
        pid = _pid_on_port(app_url.rsplit(":", 1)[1])
        with TreeMemory(pid) as memory:
            row = asyncio.run(_measure(app_url, floor_url, memory, changes, timeout_ms, phases))
            time.sleep(0.5)
        row["server_tree_peak_mb"] = round(memory.peak)
        row["server_tree_peak_10_sessions_mb"] = round(memory.phase_peak)
        row["server_vmhwm_mb"] = round(_status_mb(pid, "VmHWM"))
    return row


def _ratio(ours: float | None, floor: float | None) -> str:
    return f"{ours / floor:.2f}×" if ours and floor else "–"


def _lines(row: dict[str, object]) -> str:
    fc, c = row["floor_changes"], row["changes"]
    none = {"median_s": None, "max_s": None, "timed_out": None}
    fc5, c5 = row.get("floor_changes_5", none), row.get("changes_5", none)
    first, floor_first = row["first_load"]["seconds"], row["floor_first_load"]["seconds"]
    second, floor_second = row["second_load"]["seconds"], row["floor_second_load"]["seconds"]

    def opens(rows: list[dict[str, object]]) -> str:
        return ", ".join(f"{r['page']} {r['seconds']:.2f} s (run {r['run_s'] or 0:.2f})" if r["seconds"] else f"{r['page']} –"
                         for r in rows)

    return "\n".join([
        f"== {row['events']:,} events ({row['date']} {row['started']} UTC, {row['machine']}); load average at start {row['load_start']}",
        f"filter change, 1 session: median {c['median_s']} s (server run {c['run_median_s']}), max {c['max_s']} s; "
        f"floor median {fc['median_s']} s, max {fc['max_s']} s -> {_ratio(c['median_s'], fc['median_s'])} the floor; "
        f"timed out {c['timed_out']}; load {row['load_changes']}",
        f"   each: {c['all_s']} / floor {fc['all_s']}",
        f"   in order (change, seconds, server run): {row.get('changes_each')}",
        f"filter change, 5 sessions: median {c5['median_s']} s, max {c5['max_s']} s; floor median {fc5['median_s']} s, "
        f"max {fc5['max_s']} s -> {_ratio(c5['median_s'], fc5['median_s'])}; timed out {c5['timed_out']}; load {row.get('load_5')}",
        f"first load (cold server, /timeline): {first and round(first, 2)} s (run {row['first_load']['run_s']}); floor "
        f"{floor_first and round(floor_first, 2)} s -> {_ratio(first, floor_first)}; load {row['load_first']}",
        f"later first load (new session, warm server, Overview): {second and round(second, 2)} s; floor "
        f"{floor_second and round(floor_second, 2)} s -> {_ratio(second, floor_second)}",
        f"first opens: {opens(row['opens_first'])}; load {row['load_pages']}",
        f"later opens (same session): {opens(row['opens_later'])}",
        f"opens in a second session: {opens(row['opens_second_session'])}",
        f"10 sessions (Overview then Timeline): median {row.get('sessions_10', none)['median_s']} s, "
        f"max {row.get('sessions_10', none)['max_s']} s, errors {len(row.get('sessions_10_errors', []))}; load {row.get('load_10')}",
        f"server memory: process tree peak {row['server_tree_peak_mb']} MB over the run, "
        f"{row['server_tree_peak_10_sessions_mb']} MB with 10 sessions; server VmHWM {row['server_vmhwm_mb']} MB",
        f"errors shown: {row['change_errors'][:3] + row.get('sessions_10_errors', [])[:3]}",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--changes", type=int, default=12, help="filter changes per session (at least 10)")
    parser.add_argument("--stores", type=Path, default=Path("/work/stores"))
    parser.add_argument("--store", type=Path, help="this store file (copied, never written) instead of the one --stores holds "
                        "for the size: e.g. a copy already at the current schema, so the first load does not upgrade it")
    parser.add_argument("--page-timeout", type=float, default=120, help="seconds one load or change may take")
    parser.add_argument("--phases", nargs="+", choices=PHASES, default=list(PHASES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    for events in args.events:
        db = args.store or ensure_store(args.stores, events)
        row = {"events": events, "date": dt.date.today().isoformat(), "started": time.strftime("%H:%M", time.gmtime()),
               "machine": f"{platform.machine()} {os.cpu_count()} cores", "load_start": _load_avg()}
        row.update(measure(db, args.changes, int(args.page_timeout * 1000), set(args.phases)))
        row["load_end"] = _load_avg()
        print(json.dumps(row) if args.json else _lines(row), flush=True)


if __name__ == "__main__":
    main()
