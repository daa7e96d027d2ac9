"""The Search page: ranked results with marked words under the sidebar's filters, and a row opening the Timeline."""

from __future__ import annotations

from lib.filters import TimelineView
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


def test_the_timeline_opens_the_item_its_view_holds(app) -> None:
    """The contract the table callback relies on: an item put into the Timeline's view (ui.set_timeline_view) is
    open on the Timeline after the page switch, and the URL carries it (open=kind:id).

    AppTest cannot select a dataframe row; the click itself is tested in the browser (tests/browser/test_search_browser.py).
    """
    at = app("search")
    at.text_input(key="search_q").input("sanctions").run()
    assert list(_results(at).item_id) == ["caatsa-sanctions"]
    at.session_state["_timeline_view"] = TimelineView(opened=("event", "caatsa-sanctions"))
    at.switch_page(str(ROOT / "views" / "timeline.py")).run()
    assert not at.exception
    assert any(s.value == "Selected event" for s in at.subheader)
    assert at.query_params.get("open") == "event:caatsa-sanctions"


def test_buy_back_finds_buying_them_back_on_the_page(app, seeded_path) -> None:
    """The issue's case on the page itself: "buy back" lists a quote that says "buying them back", words marked."""
    from lib import store
    from tests.unit.test_search import add_statements

    con = store.connect(seeded_path)
    add_statements(con, seeded_path.parent / "b", {"st-buying": ("Turkey is buying them back", "en")})
    con.close()
    at = app("search")
    at.text_input(key="search_q").input("buy back").run()
    table = _results(at)
    row = table[table.item_id == "st-buying"]
    assert len(row) == 1 and row.match.iloc[0] == "Turkey is «buying» them «back»"
