"""Every page of the app runs on the seed store without an exception."""

from __future__ import annotations

import re

import pytest

from tests.app.conftest import shown
from tests.conftest import ROOT

PAGES = sorted(re.findall(r'"views" / "(\w+)\.py"', (ROOT / "app.py").read_text(encoding="utf-8")))


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_seed_store(app, page: str) -> None:
    """The page renders on the seed case with no exception and no error box."""
    at = app(page)
    assert not at.exception
    assert not [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_bad_url_values_give_a_notice_not_a_traceback(app, page: str) -> None:
    """Nonsense in the URL is dropped with a visible notice on every page."""
    at = app(page, **{"from": "not-a-date", "actor": "NOBODY", "kind": "bogus"})
    assert not at.exception
    notices = " ".join(shown(w.value) for w in at.sidebar.warning)
    assert "from=" in notices and "NOBODY" in notices and "bogus" in notices


@pytest.mark.parametrize("page", PAGES)
def test_dates_outside_the_widgets_range_are_notices(app, page: str) -> None:
    """?from=0001-01-01 (below the date widget's minimum: it stopped the page) and ?to=9999-12-31 are sidebar notices;
    the typed range still shows the date it kept."""
    at = app(page, **{"from": "0001-01-01", "to": "2024-01-01"})
    assert not at.exception and not [e.value for e in at.error]
    assert "ignored from='0001-01-01'" in " ".join(shown(w.value) for w in at.sidebar.warning)
    assert at.sidebar.text_input(key="flt_to").value == "2024-01-01"
    at = app(page, to="9999-12-31", range="forever")
    notices = " ".join(shown(w.value) for w in at.sidebar.warning)
    assert not at.exception and "ignored to='9999-12-31'" in notices and "ignored range='forever'" in notices


def test_a_fault_in_a_page_is_a_plain_message_naming_the_log(seeded_path, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception while drawing a page shows one plain line with the log file's path; the trace is in the log."""
    from streamlit.testing.v1 import AppTest

    from lib import catalog
    from tests.app.conftest import APP

    def broken(*args, **kwargs):
        raise RuntimeError("boom <img src=x>")

    monkeypatch.setattr(catalog, "store_summary", broken)
    monkeypatch.setenv("STANCEWATCH_DB", str(seeded_path))
    monkeypatch.setenv("STANCEWATCH_LOG", str(tmp_path / "dash.log"))
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [f"internal error: RuntimeError: boom <img src=x> (details in {tmp_path / 'dash.log'})"]
    assert "Traceback" in (tmp_path / "dash.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("backend", ["lake"])
@pytest.mark.parametrize("page", PAGES)
def test_page_runs_on_the_team_store(any_seeded_setting: str, monkeypatch: pytest.MonkeyPatch, page: str) -> None:
    """The same pages, unchanged, on the seed case in DuckLake on the throwaway PostgreSQL."""
    from tests.app.conftest import _run

    monkeypatch.setenv("STANCEWATCH_DB", any_seeded_setting)
    at = _run(page, {})
    assert not at.exception
    assert not [e.value for e in at.error]
