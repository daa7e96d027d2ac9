"""The default results computed ahead (lib/warmup.py) are the ones the pages ask for: after it, no page computes them again."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from lib import catalog, ui, warmup
from lib.sources import claim_status, reliability
from lib.stances import continuity, stance
from lib.timeline import timeline

# the store-wide computations a first open used to pay for
EXPENSIVE = [
    (catalog, "filter_options"), (catalog, "store_summary"), (continuity, "unacknowledged_shifts"), (claim_status, "claim_outcomes"),
    (catalog, "newest_items"), (claim_status, "claim_evidence"), (timeline, "build_chart"), (timeline, "build_table"),
    (stance, "standings"), (stance, "resolve_view"), (stance, "actor_cards"), (stance, "card_texts"), (stance, "build_chart"), (stance, "claims_table"),
    (stance, "build_table"), (reliability, "track_records"), (reliability, "grade_labels"), (reliability, "build_table"),
]


def _spy(func: Callable[..., object], calls: list[str]) -> Callable[..., object]:
    """``func`` noting each time it really runs (a cache hit does not run it); same name, so the same cache."""
    @functools.wraps(func)
    def spied(*args: object, **kwargs: object) -> object:
        calls.append(func.__qualname__)
        return func(*args, **kwargs)

    return spied


def test_pages_find_the_default_results_computed_ahead(app, seeded_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After default_results, opening the Overview, Timeline, Stances and Sources under no filter computes none of them."""
    monkeypatch.setenv(ui.WARM_ENV, "0")  # this test runs the warm-up itself, not in the background
    con = ui._shared_connection(str(seeded_path)).cursor()
    assert warmup.default_results(con, ui.cached) >= 20
    calls: list[str] = []
    for module, name in EXPENSIVE:
        monkeypatch.setattr(module, name, _spy(getattr(module, name), calls))
    for page in ("overview", "timeline", "stances", "sources"):
        app(page)
    assert calls == []


def test_the_warm_up_stops_when_the_data_moves_on(seeded_path: Path) -> None:
    """A write during the warm-up (a new data version) stops it: the next run warms the new data instead."""
    con = ui._shared_connection(str(seeded_path)).cursor()
    assert warmup.default_results(con, ui.cached, stop=lambda: True) == 0


def test_the_warm_up_waits_while_a_page_runs(seeded_path: Path) -> None:
    """Each computation waits until no session's page is running (ui.page_run), so a warm-up never delays a page run it can wait for."""
    import threading

    con = ui._shared_connection(str(seeded_path)).cursor()
    made: list[int] = []
    with ui.page_run():
        worker = threading.Thread(target=lambda: made.append(warmup.default_results(con, ui.cached, pause=ui._wait_for_idle)))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive() and not made  # still waiting for the page run to end
    worker.join(timeout=120)
    assert made and made[0] >= 20


def test_the_store_is_resolved_once_per_process(seeded_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every thread keys on the store the setting named at the first call, whatever it says later; until cleared."""
    import threading

    monkeypatch.setenv("STANCEWATCH_DB", str(seeded_path))
    assert ui.store_path() == str(seeded_path)
    monkeypatch.setenv("STANCEWATCH_DB", str(tmp_path / "another.duckdb"))
    seen: list[str] = []
    thread = threading.Thread(target=lambda: seen.append(ui.store_path()))  # as the warm-up's or a download's thread
    thread.start()
    thread.join()
    assert seen == [str(seeded_path)] and ui.store_path() == str(seeded_path)
    ui.store_path.cache_clear()
    assert ui.store_path().endswith("another.duckdb")


def test_keep_warm_computes_the_defaults_in_a_thread_once_per_data_version(seeded_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """keep_warm starts one thread per store and data version; it fills the cache the pages read, then ends."""
    import threading
    import time

    monkeypatch.setenv(ui.WARM_ENV, "1")
    monkeypatch.setenv("STANCEWATCH_DB", str(seeded_path))
    monkeypatch.setattr(ui, "WARM_QUIET", 0.0)
    monkeypatch.setattr(ui, "_warming", {})
    con = ui._shared_connection(str(seeded_path)).cursor()
    ui.keep_warm(str(seeded_path), con)
    ui.keep_warm(str(seeded_path), con)  # the same data version: no second thread
    warming = [t for t in threading.enumerate() if t.name.startswith("stancewatch-warm-")]
    assert len(warming) == 1
    warming[0].join(timeout=120)
    assert not warming[0].is_alive()
    calls: list[str] = []
    monkeypatch.setattr(catalog, "store_summary", _spy(catalog.store_summary, calls))
    start = time.perf_counter()
    ui.cached(catalog.store_summary)(con)
    assert calls == [] and time.perf_counter() - start < 5
