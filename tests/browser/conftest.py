"""Browser tests: a real `streamlit run` on a free port, driven by Playwright in Debian's Chromium.

Playwright cannot download its own browsers here, so the tests launch
/usr/bin/chromium. Without it they skip with a loud reason, except in CI
(STANCEWATCH_REQUIRE_BROWSER=1), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
SCREENSHOTS = ROOT / "test-results" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here as a browser test; skip (loudly) or fail when Chromium is missing."""
    for item in items:
        if "tests/browser" not in str(item.fspath):
            continue
        item.add_marker(pytest.mark.browser)
        if not HAVE_CHROMIUM:
            if os.environ.get("STANCEWATCH_REQUIRE_BROWSER"):
                raise pytest.UsageError("STANCEWATCH_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
            item.add_marker(pytest.mark.skip(
                reason="NO CHROMIUM AT /usr/bin/chromium: browser tests NOT RUN (apt-get install chromium)"
            ))


CHROMIUM_LAUNCH = {
    "executable_path": CHROMIUM,
    "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    ],
}
"""Debian's Chromium with the flags this closed network needs (the tests and bench/sessions.py)."""


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, object]:
    """Launch Debian's Chromium with the flags this closed network needs."""
    return CHROMIUM_LAUNCH


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, object]) -> dict[str, object]:
    """A wide viewport (the app uses the wide layout) and downloads allowed."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "accept_downloads": True}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(store_file: Path | None, tmp_dir: Path, port: int | None = None, options: Sequence[str] = (),
          env: dict[str, str] | None = None, app: Path = ROOT / "app.py") -> Iterator[str]:
    """A `streamlit run app.py` on a free port over a private copy of ``store_file``; yields its base URL.

    ``options`` go to streamlit (``--secrets.files PATH``), ``env`` adds to the environment (``STANCEWATCH_ROLES``).
    ``app`` is the script to run (bench/floor_app.py, which has no store: ``store_file`` None).
    """
    db = tmp_dir / "store.duckdb"
    if store_file is not None:
        shutil.copy(store_file, db)
    with serve_store(str(db) if store_file is not None else None, db.with_suffix(".log"), port, options, env, app) as url:
        yield url


@contextmanager
def serve_store(setting: str | None, log_path: Path, port: int | None = None, options: Sequence[str] = (),
                env: dict[str, str] | None = None, app: Path = ROOT / "app.py") -> Iterator[str]:
    """A `streamlit run` of ``app`` over the store ``setting`` itself (a file, or the team store several servers
    share; None for a script without a store)."""
    port = port or free_port()
    log = open(log_path, "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", *options,
         *(["--", "--db", setting] if setting is not None else [])],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not start: {log_path.read_text()}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(seed_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a private copy of the seed store; yields its base URL."""
    with serve(seed_store_file, tmp_path_factory.mktemp("browser")) as url:
        yield url


def wait_for_app(page) -> None:
    """Wait until the script has finished running and nothing on screen is stale."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')", timeout=30_000)


def choose_option(page, widget, option: str, attempts: int = 4) -> None:
    """Pick `option` in a selectbox by typing it and clicking the filtered entry.

    A rerun that lands while the list is open re-renders the widget and closes
    the list, so an open-then-click can wait forever under load; typing narrows
    the list to the one entry and each attempt starts again from a quiet app.
    """
    for attempt in range(attempts):
        wait_for_app(page)
        widget.locator("input").click()
        widget.locator("input").fill(option)
        entry = page.get_by_role("option", name=option).first
        try:
            entry.wait_for(state="visible", timeout=5_000)
            entry.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            if attempt == attempts - 1:
                raise
    wait_for_app(page)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under test-results/screenshots for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def dense_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic store too large to draw item by item: the Timeline draws density, the Stances chart merges marks."""
    from lib import store, synthetic

    path = tmp_path_factory.mktemp("dense") / "dense.duckdb"
    con = store.connect(path)
    synthetic.generate(con, events=6_000, statements=3_000, claims=1_000, seed=21)
    con.close()
    return path
