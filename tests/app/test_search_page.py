"""The Search page: ranked results with marked words under the sidebar's filters, and a row opening the Timeline."""

from __future__ import annotations

from tests.conftest import ROOT


def _results(at) -> object:
    """The results table of the page (the dataframe keyed search_results)."""
    return next(df.value for df in at.dataframe if df.proto.id and "search_results" in df.proto.id)


def test_search_ranks_and_marks_the_matching_words(app) -> None:
    """A quoted phrase finds the Ministry's statement with the words marked; the sidebar's kinds narrow the list."""
    at = app("search")
    at.text_input(key="search_q").input('"no change"').run()
    table = _results(at)
    assert list(table.item_id) == ["stmt-msb-no-change"]
    assert "«no» «change»" in table.match.iloc[0]
    at = app("search", kind="claim")
    at.text_input(key="search_q").input("S-400").run()
    assert set(_results(at).kind) == {"claim"}


def test_nothing_found_says_so(app) -> None:
    """A word the store does not hold gives a notice, not an empty table."""
    at = app("search")
    at.text_input(key="search_q").input("zeppelin").run()
    assert any("Nothing matches" in i.value for i in at.info)


def test_the_timeline_opens_what_the_search_holds_for_it(app) -> None:
    """The contract the table callback relies on: the Timeline opens the (kind, id) held under tl_open.

    The click itself is tested in the browser (tests/browser/test_search_browser.py): AppTest cannot select a row.
    """
    at = app("search")
    at.text_input(key="search_q").input("sanctions").run()
    assert list(_results(at).item_id) == ["caatsa-sanctions"]
    at.session_state["tl_open"] = ("event", "caatsa-sanctions")
    at.switch_page(str(ROOT / "views" / "timeline.py")).run()
    assert not at.exception
    assert any(s.value == "Selected event" for s in at.subheader)
