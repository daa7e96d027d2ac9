"""Benchmark: many analysts at once — N browser sessions opening the dashboard together over 1M events.

It builds (or reuses) the 1M-event synthetic store of bench/timeline.py under
bench/data/, starts ``streamlit run app.py`` on a free port over a copy of it
(tests/browser/conftest.py ``serve``), then opens N sessions in Debian's
Chromium at once (one browser, a context per session: a Streamlit session each).
Every session loads the Overview, then follows the sidebar to the Timeline, then
to Stances — three page loads, no more. A page load is timed from the navigation
(the ``goto`` or the click) to idle: the script ran and finished (the
server's new_session, then script_finished message on the websocket; the page
says "notRunning") and nothing on screen is stale. It reports per page and over all pages the median, p90 and
max, the errors shown (exceptions and error alerts, with their first words),
and the server's peak resident memory (VmHWM from /proc). The server is
restarted for each N, so each round measures concurrent *first* loads (empty
caches), the case that was slow.

Bounded: Chromium resolves no host but 127.0.0.1 (``--host-resolver-rules``),
each session makes exactly three page loads, each load has a timeout
(``--page-timeout``) and the whole run another (``--timeout``).

    python bench/sessions.py [--sessions 5 10 20] [--events 1000000] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.timeline import ensure_store  # noqa: E402 - after the path is set
from tests.browser.conftest import CHROMIUM_LAUNCH, serve  # noqa: E402

PAGES = ("Overview", "Timeline", "Stances")
LOCAL_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"

# Installed before any page script: notes when the app's script starts (the server's new_session message) and when
# it finishes (script_finished, unless cut short for a rerun), read from the websocket's frames, so that "idle" after
# a click is the idle that follows the new page's run, not the quiet moment before the run begins. Not from the page's
# data-test-script-state: a warm run (0.1 s on the server) can start and finish between two renders, the attribute
# never shows "running", and a wait for it stalled the benchmark with the server idle (bench/RESULTS.md, 2026-12-02).
WATCH_RUNS = """(() => {
window.__sawRun = false; window.__runAt = null; window.__doneAt = null; window.__drawn = false;
const NEW_SESSION = 4, SCRIPT_FINISHED = 6, FINISHED_EARLY_FOR_RERUN = 2;  // streamlit/proto/ForwardMsg.proto
const topLevel = bytes => {  // a protobuf message's top-level fields: number -> varint value (true for others)
  const fields = new Map();
  let i = 0;
  const varint = () => { let value = 0, shift = 0, b; do { b = bytes[i++]; value += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80); return value; };
  while (i < bytes.length) {
    const key = varint(), wire = key % 8;
    if (wire === 0) fields.set(Math.floor(key / 8), varint());
    else if (wire === 2) { const n = varint(); i += n; fields.set(Math.floor(key / 8), true); }
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else break;
  }
  return fields;
};
const NativeSocket = window.WebSocket;
window.WebSocket = class extends NativeSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', event => {
      if (!(event.data instanceof ArrayBuffer)) return;
      const fields = topLevel(new Uint8Array(event.data));
      if (fields.has(NEW_SESSION)) {
        if (!window.__sawRun) window.__runAt = performance.now();
        window.__sawRun = true; window.__doneAt = null; window.__drawn = false;
      } else if (fields.has(SCRIPT_FINISHED) && fields.get(SCRIPT_FINISHED) !== FINISHED_EARLY_FOR_RERUN && window.__sawRun) {
        window.__doneAt = performance.now();
        requestAnimationFrame(() => requestAnimationFrame(() => { window.__drawn = window.__doneAt !== null; }));
      }
    });
  }
};
})();
"""
IDLE = """() => window.__sawRun && window.__doneAt !== null && window.__drawn
  && document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]') !== null
  && !document.querySelector('[data-stale="true"]')"""
ERRORS = """() => [...document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]')]
  .map(e => e.innerText.slice(0, 160))"""


async def _load(page, how, name: str, timeout_ms: int) -> dict[str, object]:
    """One page load: navigate, wait for the run that follows to finish; seconds taken and errors on screen.

    ``to_run_s`` is the part before the server started the page's script (loading the app in the
    browser and the server's answer to it); ``run_s`` is from the script's start to the server saying it
    finished (the server's work, while the browser draws what arrives); the rest is drawing the last of it.
    """
    # the browser's clock: a new document counts from its navigation (0), a page switch from the click
    clicked = 0.0 if name == PAGES[0] else await page.evaluate("window.__sawRun = false; window.__doneAt = null; performance.now()")
    start = time.perf_counter()
    try:
        await how()
        await page.wait_for_function(IDLE, timeout=timeout_ms, polling=100)
        seconds = time.perf_counter() - start
        run_at, done_at = await page.evaluate("[window.__runAt, window.__doneAt]")
        to_run, run = (run_at - clicked) / 1000, (done_at - run_at) / 1000
        errors = await page.evaluate(ERRORS)
    except Exception as exc:  # a timeout or a crashed page is a result, not the end of the run
        seconds, to_run, run, errors = None, None, None, [f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"]
    return {"page": name, "seconds": seconds, "to_run_s": to_run, "run_s": run, "errors": errors}


async def _session(browser, url: str, timeout_ms: int) -> list[dict[str, object]]:
    """One analyst: the Overview, then the Timeline and Stances through the sidebar, in one Streamlit session."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(WATCH_RUNS)
    page = await context.new_page()
    nav = page.get_by_test_id("stSidebarNav")
    try:
        loads = [await _load(page, lambda: page.goto(url, timeout=timeout_ms), PAGES[0], timeout_ms)]
        for name in PAGES[1:]:
            link = nav.get_by_role("link", name=re.compile(f"^{name}$", re.I))
            loads.append(await _load(page, lambda link=link: link.click(timeout=timeout_ms), name, timeout_ms))
        return loads
    finally:
        await context.close()


async def _round(url: str, sessions: int, timeout_ms: int, budget_s: float) -> list[dict[str, object]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**{**CHROMIUM_LAUNCH, "args": [*CHROMIUM_LAUNCH["args"], LOCAL_ONLY]})
        try:
            per_session = await asyncio.wait_for(asyncio.gather(*(_session(browser, url, timeout_ms) for _ in range(sessions))), budget_s)
        finally:
            await browser.close()
    return [load for loads in per_session for load in loads]


def server_pids() -> list[int]:
    """The streamlit servers this process started (``serve``): its children running streamlit."""
    found = []
    for children in Path(f"/proc/{os.getpid()}/task").glob("*/children"):
        for pid in children.read_text().split():
            if b"streamlit" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
    return found


def _peak_rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def _figures(seconds: list[float]) -> dict[str, float | None]:
    if not seconds:
        return {"median_s": None, "p90_s": None, "max_s": None}
    ordered = sorted(seconds)
    return {"median_s": round(statistics.median(ordered), 2),
            "p90_s": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2),
            "max_s": round(ordered[-1], 2)}


def measure(db: Path, sessions: int, timeout_ms: int, budget_s: float) -> dict[str, object]:
    """One round: a fresh server over a copy of ``db``, ``sessions`` analysts at once, within ``budget_s`` seconds."""
    os.environ["STREAMLIT_SERVER_FILE_WATCHER_TYPE"] = "none"  # an edit to the worktree mid-run must not reload lib/ under the sessions
    with tempfile.TemporaryDirectory(prefix="bench-sessions-") as tmp, serve(db, Path(tmp)) as url:
        pid = next(iter(server_pids()), None)
        start = time.perf_counter()
        loads = asyncio.run(_round(url, sessions, timeout_ms, budget_s))
        wall = time.perf_counter() - start
        peak = _peak_rss_mb(pid)
    timed = [load["seconds"] for load in loads if load["seconds"] is not None]
    return {
        "sessions": sessions, "loads": len(loads), "timed_out": len(loads) - len(timed), "wall_s": round(wall, 1),
        "all": _figures(timed),
        **{name: _figures([load["seconds"] for load in loads if load["page"] == name and load["seconds"] is not None])
           for name in PAGES},
        **{f"{part}_median_s": {name: _figures([load[part] for load in loads if load["page"] == name and load[part] is not None])["median_s"]
                                for name in PAGES} for part in ("to_run_s", "run_s")},
        "errors": [f"{load['page']}: {error}" for load in loads for error in load["errors"]],
        "server_peak_rss_mb": peak,
    }


def _line(row: dict[str, object]) -> str:
    pages = "; ".join(f"{name} {row[name]['median_s']}/{row[name]['p90_s']}/{row[name]['max_s']}" for name in PAGES)
    return (f"{row['sessions']:>3} sessions: all pages median {row['all']['median_s']} s, p90 {row['all']['p90_s']} s, "
            f"max {row['all']['max_s']} s ({pages}; median/p90/max s); timed out {row['timed_out']}; "
            f"before the script ran (median s) {row['to_run_s_median_s']}; script run {row['run_s_median_s']}; errors {len(row['errors'])}; server peak RSS {row['server_peak_rss_mb']} MB; round {row['wall_s']} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 20])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--stores", type=Path, default=ROOT / "bench" / "data")
    parser.add_argument("--page-timeout", type=float, default=180, help="seconds one page load may take")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds the whole run may take")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    deadline = time.monotonic() + args.timeout
    args.stores.mkdir(parents=True, exist_ok=True)
    db, generated = ensure_store(args.stores, args.events)
    print(f"store {db} ({args.events:,} events{f', generated in {generated} s' if generated else ''}); "
          f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    rows = []
    for sessions in args.sessions:
        if time.monotonic() > deadline:
            print(f"{sessions} sessions: not run, the run's --timeout of {args.timeout:g} s has passed", flush=True)
            continue
        row = measure(db, sessions, int(args.page_timeout * 1000), deadline - time.monotonic())
        row["load_average"] = [round(x, 2) for x in os.getloadavg()]
        row["date"] = dt.date.today().isoformat()
        rows.append(row)
        print(json.dumps(row) if args.json else _line(row) + f"; load average after {row['load_average']}", flush=True)
        for error in row["errors"][:5]:
            print(f"    error shown: {error}", flush=True)


if __name__ == "__main__":
    main()
