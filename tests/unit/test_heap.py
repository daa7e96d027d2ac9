"""Memory handed back to the system: glibc's thresholds set, trims at most once per TRIM_EVERY seconds."""

from __future__ import annotations

import platform

import pytest

from lib import heap

glibc = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")


@glibc
def test_configure_sets_the_thresholds() -> None:
    assert heap.configure() is True


@glibc
def test_trims_are_spaced(monkeypatch: pytest.MonkeyPatch) -> None:
    """A trim right after another is skipped; one after TRIM_EVERY runs."""
    clock = [1000.0]
    monkeypatch.setattr(heap.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(heap, "_last_trim", [0.0])
    assert heap.trim() is True
    clock[0] += heap.TRIM_EVERY / 2
    assert heap.trim() is False
    clock[0] += heap.TRIM_EVERY
    assert heap.trim() is True


def test_the_collector_is_spared_the_first_run_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first call freezes what is alive (the collector no longer walks it); later calls do nothing."""
    import gc

    monkeypatch.setattr(heap, "_frozen", [False])
    kept = [[i] for i in range(1000)]  # tracked objects alive at the freeze
    try:
        assert heap.freeze_once() is True
        assert gc.get_freeze_count() >= len(kept)
        assert heap.freeze_once() is False
    finally:
        gc.unfreeze()
