"""The benchmarks' run watcher (bench/sessions.py ``WATCH_RUNS``, ``IDLE``) in a real browser: it sees each run end,
a warm one of a few hundredths of a second too, which the page's script-state attribute can miss (bench/RESULTS.md,
2026-12-02: the browser-run stalls)."""

from __future__ import annotations

from playwright.sync_api import Page

from bench.sessions import IDLE, WATCH_RUNS

WAIT_MS = 60_000


def test_the_run_watcher_sees_every_page_run_finish(server: str, page: Page) -> None:
    """After each click the watcher is not idle until the server's new run has finished, then it is."""
    page.add_init_script(WATCH_RUNS)
    page.goto(server)
    page.wait_for_function(IDLE, timeout=WAIT_MS)
    nav = page.get_by_test_id("stSidebarNav")
    for name, path in (("Search", "/search"), ("Overview", ""), ("Search", "/search"), ("Overview", "")):  # warm runs
        page.evaluate("window.__sawRun = false; window.__doneAt = null")
        assert page.evaluate(IDLE) is False  # the run before does not count
        nav.get_by_role("link", name=name, exact=True).click()
        page.wait_for_function(IDLE, timeout=WAIT_MS)
        run_at, done_at = page.evaluate("[window.__runAt, window.__doneAt]")
        assert run_at is not None and done_at >= run_at
        assert page.url.rstrip("/").endswith(path or server.rsplit(":", 1)[1])
