"""AppTest helpers: run the real app.py against a private copy of the seed store."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from lib import ui
from tests.conftest import ROOT, store_of

APP = str(ROOT / "app.py")


def _run(page: str, params: dict[str, str | list[str]]) -> AppTest:
    """Start the app at a page (file name under views/) with URL parameters, run it, and return the AppTest."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(str(ROOT / "views" / f"{page}.py"))
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not [e.value for e in at.error if "internal error" in e.value]  # app.py turns a fault into this message
    return at


@pytest.fixture(autouse=True)
def loopback() -> Iterator[None]:
    """Serve as `make run` does, on 127.0.0.1: an unset address means every interface, which the app refuses without logins."""
    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


@pytest.fixture(autouse=True)
def no_background_warm_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """No warm-up thread per test store: each would outlive its test (it waits for a quiet moment, which a test run
    never leaves) and then fill the per-function caches during later tests, evicting their results.
    tests/app/test_warmup.py runs the warm-up itself."""
    monkeypatch.setenv("STANCEWATCH_WARM", "0")


@pytest.fixture(autouse=True)
def store_resolved_per_test() -> Iterator[None]:
    """Each test's store setting is resolved afresh: the app resolves it once per process (``ui.store_path``), and
    the tests of one process serve many stores, each set before the test's first run."""
    ui.store_path.cache_clear()
    yield
    ui.store_path.cache_clear()


@pytest.fixture
def app(seeded_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """The app over a private copy of the seed store: ``app(page, **url_params)``."""
    monkeypatch.setenv("STANCEWATCH_DB", str(seeded_path))
    return lambda page="overview", **params: _run(page, params)


@pytest.fixture
def app_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """The app over a fresh store holding one bundle: ``app_on(bundle, page, **url_params)``."""
    def start(bundle: Path, page: str = "overview", **params: str | list[str]) -> AppTest:
        monkeypatch.setenv("STANCEWATCH_DB", str(store_of(bundle, tmp_path)))
        ui.store_path.cache_clear()  # a test may start the app on a second bundle
        return _run(page, params)

    return start


def shown(markdown: str) -> str:
    """The characters a markdown element shows: data text reaches markdown with its punctuation escaped (lib.safety.plain)."""
    return re.sub(r"\\(.)", r"\1", markdown)
