"""Search: events, statements, claims and documents ranked by relevance to the analyst's words, under the sidebar's filters.

Words match in any form ("buy back" finds "buying them back"; Turkish "iade"
finds "iadesi"); words in double quotes must stand side by side. Choosing a
row opens the item on the Timeline; a document row links to its page.
"""

from dataclasses import replace

import streamlit as st

from lib import export, search, ui
from lib.filters import MAX_TEXT, Filters

QUERY_KEY, TABLE_KEY, GO_KEY = "search_q", "search_results", "search_go"
TIMELINE_PAGE = "views/timeline.py"

con = ui.connection()


def _filters() -> Filters:
    """The sidebar's filters without its text: the words typed here take its place."""
    return replace(ui.page_filters(), text="")


def _on_select() -> None:
    """Table callback: open the chosen item on the Timeline, in its view and so in the URL (open=kind:id).

    Documents are not Timeline items; their row carries a link. The page switch happens in the next run:
    a callback cannot switch pages.
    """
    rows = st.session_state[TABLE_KEY]["selection"]["rows"]
    table = ui.cached(search.results_table)(con, st.session_state[QUERY_KEY], _filters())
    if rows and table is not None and table.iloc[rows[0]]["kind"] != "document":
        row = table.iloc[rows[0]]
        ui.set_timeline_view(replace(ui.timeline_view(), opened=(row["kind"], row["item_id"])))
        st.session_state[GO_KEY] = True


if st.session_state.pop(GO_KEY, False):
    st.switch_page(TIMELINE_PAGE)

filters = _filters()
if QUERY_KEY not in st.session_state:
    st.session_state[QUERY_KEY] = ui.page_filters().text  # start from the sidebar's text search, if any
st.title("Search")
text = st.text_input("Search for", key=QUERY_KEY, max_chars=MAX_TEXT, placeholder='buy back · iade · "no change"')
st.caption('Words match in any form; "words in quotes" must stand side by side. '
           "The sidebar's dates, actors, topics, sources and kinds narrow the results.")
if text.strip():
    table = ui.cached(search.results_table)(con, text, filters)
    if table is None:
        st.warning("Ranked search needs the fts extension package (duckdb-extension-fts), which is not installed, "
                   "or a store opened read-only: use the sidebar's text filter (literal).")
    elif table.empty:
        st.info(f"Nothing matches every word under the filters ({filters.describe()}).")
    else:
        st.caption(f"{len(table)} best match(es), best first, under: {filters.describe()}. Matching words are in «». "
                   "Choose a row to open the item on the Timeline.")
        ui.show_table(table, export.file_name("search", filters, "csv")[:-4], TABLE_KEY, on_select=_on_select,
                      selection_mode="single-row",
                      column_config={"url": st.column_config.LinkColumn("link"), "match": st.column_config.TextColumn(width="large")})
