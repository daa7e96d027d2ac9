"""Overview: what the store holds, what is newest, what changed, and where each actor stands."""

import pandas as pd
import streamlit as st

from lib import catalog, changelog, ui
from lib.dates import format_partial_date
from lib.safety import plain
from lib.sources import claim_status, reliability
from lib.stances import stance

NEWEST_CLAIMS = 200

con = ui.connection()
filters = ui.page_filters()

st.title("Overview")
ui.shift_alerts(con)
summary = ui.cached(catalog.store_summary)(con)
if not summary["events"] and not summary["statements"] and not summary["claims"]:
    st.info("The store is empty. Import a bundle or a dataset on the Data page, or run `make seed` for the demo case.")
    st.stop()

cols = st.columns(6)
for col, (label, key) in zip(cols, [("Events", "events"), ("Statements", "statements"), ("Claims", "claims"),
                                    ("Sources", "sources"), ("Actors", "actors"), ("Documents", "documents")], strict=True):
    ui.count_metric(col, label, summary[key])
first, last = summary["first_day"], summary["last_day"]
origins = ", ".join(f"{n:,} {origin}" for origin, n in summary["events_by_origin"].items())
st.caption(f"Dated items from {first:%d %b %Y} to {last:%d %b %Y}. Events by origin: {plain(origins or 'none')}.")

left, right = st.columns([3, 2])
with left:
    st.subheader("Newest items")
    st.caption(f"Under the sidebar's topic and actor filters ({plain(filters.describe(ui.cached(catalog.names)(con)))}).")  # names are data
    newest = ui.cached(catalog.newest_items)(con, filters)
    newest.insert(2, "date", [format_partial_date(d, p) for d, p in zip(newest.dated, newest.date_precision, strict=True)])
    st.dataframe(newest.drop(columns=["dated", "date_precision"]), hide_index=True, width="stretch")
with right:
    st.subheader("Since the last import")
    imports = ui.cached(changelog.recent_imports)(con)
    if imports.empty:
        st.write("No import recorded yet.")
    else:
        latest = imports.iloc[0]
        st.text(f"Last import: {latest.file_name} ({latest.format}) by {latest.who}, "
                 f"{latest.imported_at:%d %b %Y %H:%M}, {latest.status}.")
        st.dataframe(imports, hide_index=True, width="stretch")
    edits = ui.cached(changelog.edits_since_last_import)(con)
    since = "since then" if not imports.empty else "recorded"
    st.write(f"Edits {since}:" if not edits.empty else f"No edits {since}.")
    if not edits.empty:
        st.dataframe(edits, hide_index=True, width="stretch")

st.subheader("Where each actor stands")
scope = ui.cached(catalog.actor_scope)(con, filters) or None
held = ui.cached(stance.standings)(con, scope, list(filters.topics) or None, filters.include_children)
if held.empty:
    st.write("No coded statements under these filters.")
else:
    if held.attrs["total"] > len(held):
        st.caption(f"The {len(held)} busiest of {held.attrs['total']:,} actor-topic lines; the Stances page shows any of them.")
    st.dataframe(held, hide_index=True, width="stretch")

st.subheader("Claims and what became of them")
outcomes = ui.cached(claim_status.claim_outcomes)(con, filters, newest=NEWEST_CLAIMS)
if outcomes.empty:
    st.write("No claims under these filters.")
else:
    if len(outcomes) == NEWEST_CLAIMS:
        st.caption(f"The {NEWEST_CLAIMS} newest claims under the filters; the Sources page lists every claim of an outlet.")
    labels = ui.cached(reliability.grade_labels)(con)
    st.dataframe(
        pd.DataFrame({
            "date": [format_partial_date(d.date(), p) for d, p in zip(outcomes.claimed_on, outcomes.date_precision, strict=True)],
            "source": [labels.get(s, s) for s in outcomes.source_id],
            "claim": outcomes.text,
            "status": outcomes.status,
            "credibility": outcomes.credibility,
            "independent for / against": [f"{a} / {b}" for a, b in zip(outcomes.independent_corroborating,
                                                                           outcomes.independent_contradicting, strict=True)],
        }).iloc[::-1],
        hide_index=True, width="stretch",
    )
