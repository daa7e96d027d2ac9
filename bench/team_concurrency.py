"""Benchmark: the team store in use by many at once — nothing shown in error, nothing lost, the import seen by all.

Issue 14's setting, on one machine: a team store (DuckLake on a throwaway
PostgreSQL, tests/pg.py, Parquet files in a temporary data path) holding the
seed case and a synthetic record; two dashboard processes serving it; at the
same time a CLI GDELT import (the real 2017 sample in ../shared/realdata), one
analyst grading sources over and over in a process of their own, and N browser
sessions (Debian's Chromium, spread over both servers) changing the Timeline's
date filter page after page. When the import and the grading are over, every
session opens the Overview and must show the store's new event count.

It reports: the errors any page showed; every table's rows before and after
(what existed before must still be there unchanged, except the graded sources'
grade fields; what is new must be exactly the import's); the grades the grader
wrote against what the store holds and the audit log recorded; how many sessions
saw the import's rows; page-load medians; the servers' peak memory; the import's
seconds. Nothing here is a timed test: a busy host slows it, it does not fail it.

    python bench/team_concurrency.py [--events 100000] [--sessions 10] [--loads 6] [--grades 20] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sessions import LOCAL_ONLY, PAGES, WATCH_RUNS, _load, _peak_rss_mb, server_pids  # noqa: E402 - after the path is set
from tests import pg  # noqa: E402
from tests.browser.conftest import CHROMIUM_LAUNCH, serve_store  # noqa: E402

GDELT = ROOT.parent / "shared" / "realdata" / "gdelt" / "gdelt2_events_sample_2017.export.CSV"
RANGES = ("2017", "span", "2019", "2017-Q3", "2020", "span")
"""The Timeline's date presets the sessions step through (the import's events fall in 2017)."""
GRADES = ("B2", "C3", "A1", "D4")
IMPORTED_ORIGIN = "gdelt"


def grade(setting: str, count: int, pause: float) -> None:
    """The grading analyst (run in a process of its own): ``count`` grades, round the first three sources; JSON out."""
    from lib import access, store
    from lib.sources import reliability

    con = store.connect(setting)
    sources = [r[0] for r in con.execute("select source_id from sources order by source_id limit 3").fetchall()]
    written: dict[str, str] = {}
    failed: list[str] = []
    for i in range(count):
        source, value = sources[i % len(sources)], GRADES[i % len(GRADES)]
        try:
            reliability.set_analyst_grade(con, source, value, f"bench grade {i}", access.LOCAL_USER)
            written[source] = value
        except Exception as exc:  # a refused grade is the finding, not the end of the run
            failed.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
        time.sleep(pause)
    print(json.dumps({"written": written, "done": count - len(failed), "failed": failed}))


def row_hashes(setting: str) -> dict[str, list[int]]:
    """Every data table's rows as hashes (sorted), from a connection of its own."""
    from lib import store

    con = store.connect(setting, read_only=True)
    try:
        return {t: sorted(r[0] for r in con.execute(f"select hash(t) from {t} t").fetchall()) for t in store.TABLES}
    finally:
        con.close()


def _facts(setting: str) -> dict[str, object]:
    """What the store holds after the run: counts, the import's row, the graded sources, the grade audit rows."""
    from lib import store

    con = store.connect(setting, read_only=True)
    try:
        one = lambda sql: con.execute(sql).fetchall()  # noqa: E731 - a local shorthand
        return {
            "events": one("select count(*) from events")[0][0],
            "imported_events": one(f"select count(*) from events where origin = '{IMPORTED_ORIGIN}'")[0][0],
            "grades": dict(one("select source_id, analyst_grade from sources where analyst_grade is not null")),
            "grade_audit_rows": one("select count(*) from audit_log where action = 'set analyst grade'")[0][0],
            "imports": [dict(zip([d[0] for d in con.description], r, strict=True))
                        for r in con.execute("select * from imports order by 1").fetchall()],
        }
    finally:
        con.close()


def lost_rows(before: dict[str, list[int]], after: dict[str, list[int]], changed: dict[str, int]) -> dict[str, int]:
    """Per table, rows of before that are gone after, beyond the ``changed`` rows allowed to differ (graded sources)."""
    from collections import Counter

    gone = {}
    for table, rows in before.items():
        missing = Counter(rows) - Counter(after[table])
        excess = sum(missing.values()) - changed.get(table, 0)
        if excess > 0:
            gone[table] = excess
    return gone


async def _session(browser, url: str, loads: int, others_done: asyncio.Event, timeout_ms: int) -> dict[str, object]:
    """One analyst: the Timeline under one date preset after another, until the writers are done; then the Overview."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    await context.add_init_script(WATCH_RUNS)
    page = await context.new_page()
    timed: list[dict[str, object]] = []
    try:
        step = 0
        while step < loads or not others_done.is_set():
            target = f"{url}/timeline?range={RANGES[step % len(RANGES)]}"
            # each load is a new document: sessions._load times it from the navigation, as it does the first page
            timed.append(await _load(page, lambda target=target: page.goto(target, timeout=timeout_ms), PAGES[0], timeout_ms))
            step += 1
        final = await _load(page, lambda: page.goto(f"{url}/", timeout=timeout_ms), PAGES[0], timeout_ms)
        metric = page.get_by_test_id("stMetric").filter(has_text="Events").get_by_test_id("stMetricValue")
        shown = (await metric.inner_text(timeout=timeout_ms)).strip()
        return {"loads": timed, "final": final, "events_shown": shown}
    finally:
        await context.close()


async def _writer(command: list[str], env: dict[str, str]) -> dict[str, object]:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*command, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    return {"exit": proc.returncode, "seconds": round(time.perf_counter() - started, 2),
            "stdout": out.decode(errors="replace").strip()[-2000:], "stderr": err.decode(errors="replace").strip()[-2000:]}


async def _run(urls: list[str], env: dict[str, str], args: argparse.Namespace) -> dict[str, object]:
    from playwright.async_api import async_playwright

    setting = env["STANCEWATCH_DB"]
    done = asyncio.Event()
    timeout_ms = int(args.page_timeout * 1000)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**{**CHROMIUM_LAUNCH, "args": [*CHROMIUM_LAUNCH["args"], LOCAL_ONLY]})
        try:
            sessions = [asyncio.create_task(_session(browser, urls[i % len(urls)], args.loads, done, timeout_ms))
                        for i in range(args.sessions)]
            await asyncio.sleep(args.head_start)  # the sessions are reading when the writes begin
            importing = _writer([sys.executable, "-m", "lib.cli", "--db", setting, "import", "gdelt", str(GDELT)], env)
            grading = _writer([sys.executable, "-c", f"from bench.team_concurrency import grade; grade({setting!r}, "
                               f"{args.grades}, {args.grade_pause})"], env)
            imported, graded = await asyncio.gather(importing, grading)
            done.set()
            results = await asyncio.wait_for(asyncio.gather(*sessions), args.timeout)
        finally:
            await browser.close()
    return {"import": imported, "grading": graded, "sessions": results}


def build(setting: str, events: int) -> float:
    """The seed case and a synthetic record of ``events`` events in the team store; seconds taken."""
    from lib import store, synthetic
    from lib.ingest.bundle import import_bundle

    started = time.perf_counter()
    con = store.connect(setting)
    import_bundle(con, ROOT / "data" / "seed", who="bench")
    synthetic.generate(con, events=events, statements=events // 10, claims=events // 10, seed=1)
    con.close()
    return round(time.perf_counter() - started, 1)


def summarise(run: dict[str, object], before: dict, after: dict, facts: dict[str, object], events_before: int) -> dict:
    graded = json.loads(run["grading"]["stdout"].splitlines()[-1]) if run["grading"]["exit"] == 0 else {}
    written = graded.get("written", {})
    loads = [load for s in run["sessions"] for load in s["loads"]]
    seconds = [load["seconds"] for load in loads if load["seconds"] is not None]
    errors = [e for s in run["sessions"] for load in [*s["loads"], s["final"]] for e in load["errors"]]
    expected = f"{facts['events']:,}"
    return {
        "errors_shown": errors,
        "import": {k: run["import"][k] for k in ("exit", "seconds", "stdout", "stderr")},
        "events_before": events_before, "events_after": facts["events"], "imported_events": facts["imported_events"],
        "import_applied": run["import"]["exit"] == 0 and facts["imported_events"] > 0,
        "new_events_are_the_import": facts["events"] - events_before == facts["imported_events"],
        "rows_lost": lost_rows(before, after, {"sources": len(written)}),
        "grades_written": written, "grades_in_store": {source: facts["grades"].get(source) for source in written},
        "grades_match": written == {source: facts["grades"].get(source) for source in written},
        "grades_done": graded.get("done"), "grade_audit_rows": facts["grade_audit_rows"],
        "grades_failed": graded.get("failed", [run["grading"]["stderr"]]),
        "sessions_seeing_import": sum(s["events_shown"] == expected for s in run["sessions"]),
        "sessions": len(run["sessions"]), "events_shown": sorted({s["events_shown"] for s in run["sessions"]}),
        "timeline_loads": len(loads),
        "timeline_median_s": round(statistics.median(seconds), 2) if seconds else None,
        "timeline_max_s": round(max(seconds), 2) if seconds else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--loads", type=int, default=6, help="Timeline loads per session at the least")
    parser.add_argument("--grades", type=int, default=20)
    parser.add_argument("--grade-pause", type=float, default=0.5, help="seconds between two grades")
    parser.add_argument("--head-start", type=float, default=20, help="seconds the sessions read before the writes")
    parser.add_argument("--page-timeout", type=float, default=180)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds the sessions may take after the writes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from lib import backend

    with ExitStack() as stack:
        server = pg.start()
        stack.callback(server.stop)
        data = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-team-"))
        setting = f"{backend.LAKE_PREFIX}postgres:{server.new_database()}"
        env = {**os.environ, "STANCEWATCH_DB": setting, backend.DATA_PATH_ENV: str(Path(data) / "lake"),
               "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", "PYTHONPATH": str(ROOT)}
        os.environ.update({k: env[k] for k in ("STANCEWATCH_DB", backend.DATA_PATH_ENV)})
        built = build(setting, args.events)
        before = row_hashes(setting)
        events_before = len(before["events"])
        print(f"team store: {events_before:,} events (built in {built} s); load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        urls = [stack.enter_context(serve_store(setting, Path(data) / f"server{i}.log", env=env)) for i in (1, 2)]
        pids = server_pids()
        run = asyncio.run(_run(urls, env, args))
        peaks = [_peak_rss_mb(pid) for pid in pids]
        after = row_hashes(setting)
        row = summarise(run, before, after, _facts(setting), events_before)
    row.update({"date": dt.date.today().isoformat(), "servers": len(urls), "servers_peak_rss_mb": peaks,
                "load_average": [round(x, 2) for x in os.getloadavg()], "events": args.events})
    print(json.dumps(row, indent=None if args.json else 2, default=str), flush=True)


if __name__ == "__main__":
    main()
