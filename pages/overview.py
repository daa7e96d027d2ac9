"""Overview: what the store holds, what is newest, what changed, and where each actor stands."""

import streamlit as st

from lib import queries, ui
from lib.dates import format_partial_date

con = ui.connection()
filters = ui.page_filters()

st.title("Overview")
summary = ui.cached(queries.store_summary)(con)
if not summary["events"] and not summary["statements"] and not summary["claims"]:
    st.info("The store is empty. Import a bundle or a dataset on the Data page, or run `make seed` for the demo case.")
    st.stop()

cols = st.columns(6)
for col, (label, key) in zip(cols, [("Events", "events"), ("Statements", "statements"), ("Claims", "claims"),
                                    ("Sources", "sources"), ("Actors", "actors"), ("Documents", "documents")], strict=True):
    col.metric(label, f"{summary[key]:,}")
first, last = summary["first_day"], summary["last_day"]
origins = ", ".join(f"{n:,} {origin}" for origin, n in summary["events_by_origin"].items())
st.caption(f"Dated items from {first:%d %b %Y} to {last:%d %b %Y}. Events by origin: {origins or 'none'}.")

left, right = st.columns([3, 2])
with left:
    st.subheader("Newest items")
    st.caption(f"Under the sidebar's topic and actor filters ({filters.describe(queries.names(con))}).")
    newest = ui.cached(queries.newest_items)(con, filters)
    newest.insert(2, "date", [format_partial_date(d, p) for d, p in zip(newest.dated, newest.date_precision, strict=True)])
    st.dataframe(newest.drop(columns=["dated", "date_precision"]), hide_index=True, width="stretch")
with right:
    st.subheader("Since the last import")
    imports = ui.cached(queries.recent_imports)(con)
    if imports.empty:
        st.write("No import recorded yet.")
    else:
        latest = imports.iloc[0]
        st.text(f"Last import: {latest.file_name} ({latest.format}) by {latest.who}, "
                 f"{latest.imported_at:%d %b %Y %H:%M}, {latest.status}.")
        st.dataframe(imports, hide_index=True, width="stretch")
    edits = ui.cached(queries.edits_since_last_import)(con)
    st.write("Edits since then:" if not edits.empty else "No edits since then.")
    if not edits.empty:
        st.dataframe(edits, hide_index=True, width="stretch")
