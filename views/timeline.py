"""Timeline: events, statements and claims on a time axis in lanes, with each item's detail and a table.

Clicking an item opens it; box-selecting along the time axis (or clicking a
density period) narrows the shared date filter, so the URL and every page follow.
"""

from dataclasses import replace

import streamlit as st

from lib import export, ui
from lib.filters import LANE_COUNTS
from lib.safety import http_links, plain
from lib.timeline import timeline

CHART_KEY, TABLE_KEY, LANE_KEY, COUNT_KEY = "tl_chart", "tl_table", "tl_lane", "tl_nlanes"

con = ui.connection()
filters = ui.page_filters()
view = ui.timeline_view()


def _open(item: tuple[str, str] | None) -> None:
    """Open an item's detail (None closes it); the link carries it."""
    ui.set_timeline_view(replace(ui.timeline_view(), opened=item))


def _on_chart_select() -> None:
    """Chart callback (runs before the next run, while the sidebar widgets may still be set): zoom to a box, or open."""
    current = ui.page_filters()
    density = timeline.chart_mode(con, current, ui.cached)
    action = timeline.selection_action(st.session_state[CHART_KEY]["selection"], density.bucket if density else None)
    if action and action[0] == "dates":
        ui.set_filters(current.with_dates(*action[1]))
    elif action:
        _open(action[1])


def _on_table_select() -> None:
    """Table callback: open the chosen row's item."""
    rows = st.session_state[TABLE_KEY]["selection"]["rows"]
    if rows:
        table = ui.cached(timeline.build_table)(con, ui.page_filters())
        row = table.iloc[rows[0]]
        _open((row["kind"], row["item_id"]))


def _on_lanes() -> None:
    """Lane controls: keep the choice in the view (and so in the link)."""
    ui.set_timeline_view(replace(ui.timeline_view(), lanes=st.session_state[LANE_KEY] or "actor",
                                 lane_count=st.session_state[COUNT_KEY]))


st.title("Timeline")
for notice in view.notices:
    st.warning(plain(notice), icon=":material/warning:")
# widgets start from the view (the link's, or the session's after a page switch)
st.session_state.setdefault(LANE_KEY, view.lanes)
st.session_state.setdefault(COUNT_KEY, view.lane_count)
lanes_col, count_col = st.columns([3, 2])
lanes_col.segmented_control("Lanes by", list(timeline.LANES), format_func=timeline.LANES.get, key=LANE_KEY, on_change=_on_lanes)
count_col.select_slider("Lanes named before “(other)”", LANE_COUNTS, key=COUNT_KEY, on_change=_on_lanes,
                        help="The busiest lanes are named; the rest are drawn together as “(other)”.")
fig = ui.cached(timeline.build_chart)(con, filters, view.lanes, lane_count=view.lane_count)
lanes_words = [f"by-{view.lanes}"] if view.lanes != "actor" else []  # the file name tells lane views apart
ui.show_chart(fig, export.file_stem("timeline", filters, *lanes_words), CHART_KEY, brief_chart="timeline",
              brief_view=replace(view, opened=None).to_query_params(), on_select=_on_chart_select,
              selection_mode=("points", "box"))
# plotly's zoom stays in the browser: Streamlit 1.67 sends the page selections only, never a relayout (zoom)
# event, and a modebar button cannot call back into Python, so box select is the way to turn a range into the filter
st.caption("Click an item to open it (in density, click a period to zoom to it). To narrow the dates, choose "
           "**Box select** in the chart's toolbar and drag across a stretch of time: the sidebar, the link and the "
           "exports follow. The toolbar's zoom only magnifies the picture; it does not change the filter.")

opened = view.opened
if opened:
    detail = timeline.item_detail(con, *opened)
    with st.container(border=True):
        if detail is None:
            st.warning(f"Item {plain(opened[1])} is no longer in the store.")
        else:
            item = detail["item"]
            st.subheader(f"Selected {item['kind']}")  # user text below goes through st.text: shown as typed
            st.text(item["title"])
            st.text(f"{detail['when']} ({item['date_precision']} precision) · {', '.join(detail['actors']) or 'no actor'}")
            if isinstance(item["text"], str) and item["text"]:
                st.text(f"“{item['text']}”" if item["kind"] == "statement" else item["text"])
            facts = {"attribution": item["attribution"], "continuity": item["continuity"], "claim status": item["status"],
                     "event type": item["event_type"], "origin": item["origin"]}
            st.text(" · ".join(f"{k}: {v}" for k, v in facts.items() if isinstance(v, str) and v))
            docs = detail["documents"]
            st.markdown("**Documents**" if len(docs) else "No document recorded.")
            if len(docs):
                st.dataframe(http_links(docs.assign(grade=docs.grade.fillna("")), "url"), hide_index=True, width="stretch",
                             column_config={"url": st.column_config.LinkColumn("link")})
            if item["kind"] == "claim":
                st.markdown("**Evidence**" if len(detail["evidence"]) else "No evidence recorded yet: the claim is open.")
                if len(detail["evidence"]):
                    st.dataframe(detail["evidence"], hide_index=True, width="stretch")
        st.button("Close", key="tl_close", on_click=_open, args=(None,))

table = ui.cached(timeline.build_table)(con, filters)
st.subheader("Items")
st.caption(timeline.table_note(con, filters, len(table), ui.cached))
ui.show_table(table, export.file_stem("timeline-items", filters), TABLE_KEY,
              on_select=_on_table_select, selection_mode="single-row")
