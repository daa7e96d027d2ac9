"""The warm-up starts a computation only after a quiet moment (lib/ui.py ``WARM_QUIET``), not in the pause between two
filter changes."""

from __future__ import annotations

import time

import pytest

from lib import heap, ui


def test_the_warm_up_waits_for_a_quiet_moment_after_a_page_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Right after a page run it waits ``WARM_QUIET`` seconds; once the server has been quiet that long, not at all."""
    monkeypatch.setattr(ui, "WARM_QUIET", 0.4)
    monkeypatch.setattr(heap, "freeze_once", lambda: False)  # not this test's business (it would freeze the test process)
    with ui.page_run():
        pass
    start = time.monotonic()
    ui._wait_for_idle(poll=0.01)
    assert time.monotonic() - start >= 0.35
    time.sleep(0.4)
    start = time.monotonic()
    ui._wait_for_idle(poll=0.01)
    assert time.monotonic() - start < 0.2
