"""A CLI import while a real `streamlit run` holds the store: queued, applied by the dashboard, shown on the Data page."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lib import store
from lib.ingest import inbox
from tests.browser.conftest import screenshot, serve, wait_for_app
from tests.test_paths import GDELT2_SAMPLE
from tests.unit.test_cli import cli

APPLY_WITHIN = 90
"""Seconds the dashboard may take to apply the queued 6,090-event update (a poll every 2 s, then the import: ~10 s here)."""


def test_a_cli_import_during_the_dashboard_arrives(seed_store_file: Path, tmp_path: Path, page: Page) -> None:
    """With the dashboard serving, `import gdelt` exits 4 naming it; the rows arrive and the Data page lists the job applied."""
    with serve(seed_store_file, tmp_path) as url:
        db = tmp_path / "store.duckdb"
        page.goto(f"{url}/data")  # the first session opens the store: from now on the server holds it
        wait_for_app(page)
        expect(page.locator(".st-key-import_queue").get_by_test_id("stText")).to_have_text("Nothing queued.")
        done = cli("--db", str(db), "--who", "cron", "import", "gdelt", str(GDELT2_SAMPLE))
        assert done.returncode == 4, done.stderr
        assert "the dashboard (process" in done.stdout and "applies it within seconds" in done.stdout
        started = time.monotonic()
        while [job.state for job in inbox.jobs(db)] != ["applied"]:
            if time.monotonic() - started > APPLY_WITHIN:
                pytest.fail(f"not applied within {APPLY_WITHIN} s: {inbox.jobs(db)}")
            time.sleep(0.5)
        page.reload()
        wait_for_app(page)
        expect(page.locator(".st-key-import_queue").get_by_test_id("stDataFrame")).to_be_visible()
        expect(page.locator(".st-key-import_queue").get_by_test_id("stText")).to_have_count(0)
        page.locator(".st-key-import_queue").scroll_into_view_if_needed()
        screenshot(page, "data_import_queue")
    con = store.connect(db)
    seed_events = store.table_counts(store.connect(seed_store_file, read_only=True))["events"]
    assert store.table_counts(con)["events"] == seed_events + 6090
    assert con.execute("select who, status from imports where format = 'gdelt'").fetchall() == [("cron (queued from CLI)", "applied")]
