"""Timeline: events, statements and claims on a time axis in lanes, with each item's detail and a table.

Clicking an item opens it; box-selecting along the time axis (or clicking a
density period) narrows the shared date filter, so the URL and every page follow.
"""

import streamlit as st

from lib import export, timeline, ui
from lib.safety import http_links, plain

CHART_KEY, TABLE_KEY, LANE_KEY, OPEN_KEY = "tl_chart", "tl_table", "tl_lane", "tl_open"

con = ui.connection()
filters = ui.page_filters()


def _on_chart_select() -> None:
    """Chart callback (runs before the next run, while the sidebar widgets may still be set): open or zoom."""
    selection = st.session_state[CHART_KEY]["selection"]
    points, boxes = selection.get("points") or [], selection.get("box") or []
    current = ui.page_filters()
    density = timeline.chart_mode(con, current, ui.cached)
    if points:
        data = points[0].get("customdata") or []
        span = timeline.selection_dates(points[0], density.bucket if density else None)
        if span:
            ui.set_filters(current.with_dates(*span))
        elif len(data) >= 2:
            st.session_state[OPEN_KEY] = (data[0], data[1])
    elif boxes and (span := timeline.box_dates(boxes[0])):
        ui.set_filters(current.with_dates(*span))


def _on_table_select() -> None:
    """Table callback: open the chosen row's item."""
    rows = st.session_state[TABLE_KEY]["selection"]["rows"]
    if rows:
        table = timeline.build_table(con, ui.page_filters(), ui.cached)
        row = table.iloc[rows[0]]
        st.session_state[OPEN_KEY] = (row["kind"], row["item_id"])


st.title("Timeline")
lane = st.segmented_control("Lanes by", list(timeline.LANES), format_func=timeline.LANES.get, key=LANE_KEY, default="actor")
lane = lane or "actor"
fig = timeline.build_chart(con, filters, lane, ui.cached)
ui.show_chart(fig, export.file_name("timeline", filters, "png")[:-4], CHART_KEY, brief_chart="timeline",
              on_select=_on_chart_select, selection_mode=("points", "box"))
st.caption("Click an item to open it (in density, click a period to zoom to it). With the toolbar's box select, "
           "mark a stretch of time to narrow the dates to it: the sidebar and the link follow.")

opened = st.session_state.get(OPEN_KEY)
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
        if st.button("Close", key="tl_close"):
            del st.session_state[OPEN_KEY]
            st.rerun()

table = timeline.build_table(con, filters, ui.cached)
st.subheader("Items")
st.caption(timeline.table_note(con, filters, len(table), ui.cached))
ui.show_table(table, export.file_name("timeline-items", filters, "csv")[:-4], TABLE_KEY,
              on_select=_on_table_select, selection_mode="single-row")
