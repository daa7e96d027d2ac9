"""Sources: each outlet's track record, reliability estimate and grade; drill down to its claims and set the analyst grade."""

import dataclasses

import streamlit as st

from lib import access, export, ui
from lib.charts import grade_words
from lib.dates import format_partial_date
from lib.filters import Filters
from lib.safety import http_links
from lib.sources import claim_status, reliability, source_list

NEWEST_CLAIMS = 1000

con = ui.connection()
filters = ui.page_filters()

st.title("Sources")
st.caption(
    "Reliability is estimated from what became of each outlet's claims (Beta-Binomial, prior Beta(2, 2), 90% interval); "
    f"fewer than {reliability.MIN_JUDGED} judged claims is grade F, *cannot be judged*, not *bad*. The analyst's grade, "
    "when set, is the grade in force. Rules: docs/GRADING.md."
)

records = ui.cached(reliability.track_records)(con, filters)
listed = reliability.listed(records, filters)  # in the page's order (most claims first); the exports hold all of it
stem = export.file_stem("sources", filters)
search_col, order_col, page_col = st.columns([3, 2, 1], vertical_alignment="bottom")
search = search_col.text_input("Find a source by name", key="source_search", placeholder="part of its name")
order = order_col.selectbox("Order", list(source_list.ORDERS), key="source_order", format_func=lambda o: source_list.ORDERS[o][0])
matches = source_list.matching(source_list.ordered(listed, order), search)
size = source_list.PAGE_SIZE
pages = source_list.page_count(len(matches), size)
st.session_state["source_page"] = min(st.session_state.get("source_page", 1), pages)  # a narrower search has fewer pages
number = page_col.number_input("Page", 1, pages, key="source_page", help=f"{pages:,} pages of {size}") if pages > 1 else 1
shown = source_list.page(matches, number, size)
note = source_list.shown_note(len(shown), (number - 1) * size + 1, len(matches), len(listed), order, search)
st.text(note)  # names the user's search: plain text
ui.show_chart(reliability.chart_of(con, shown, filters, note if len(shown) < len(listed) else ""), name=stem, key="sources_chart",
              brief_chart="sources", exported=ui.built_later(lambda c: reliability.build_chart(c, filters, cache=ui.cached)))
ui.show_table(reliability.table_of(shown).drop(columns=["source_id"]), name=stem, key="sources_table",
              exported=ui.cached(reliability.build_table)(con, filters).drop(columns=["source_id"]))

st.subheader("One source")
# the sources drawn above (the one the filters name first); another is a search or a page away
every = ui.cached(reliability.track_records)(con, Filters())  # every source; the call above shares it when no filter is set
by_id = every.set_index("source_id")
choices = list(dict.fromkeys([*(s for s in filters.sources[:1] if s in by_id.index), *shown.source_id]))
if not choices:
    st.write("No source to show: change the search or the filters.")
    st.stop()
source_id = st.selectbox("Source (from the list above)", choices, key="source_pick", format_func=by_id.name.get)
record = by_id.loc[source_id]
cols = st.columns(4)
cols[0].metric("Grade in force", record.grade_in_force, help=grade_words(record.grade_in_force))
cols[1].metric("Derived", record.derived_grade, help=grade_words(record.derived_grade))
cols[2].metric("Estimate", f"{record['mean']:.0%}", help=f"90% interval {record.low:.0%}–{record.high:.0%}")
cols[3].metric("Judged claims", f"{int(record.judged)} of {int(record.claims)}")
if isinstance(record.analyst_grade, str) and record.analyst_grade:
    st.text(f"Analyst grade {record.analyst_grade} overrides the derived {record.derived_grade}. Note: {record.grade_note or '—'}")

mine = ui.cached(claim_status.claim_outcomes)(con, dataclasses.replace(filters, sources=(source_id,)), newest=NEWEST_CLAIMS)
if mine.empty:
    st.write("No claims of this source under the filters.")
else:
    if len(mine) == NEWEST_CLAIMS:
        st.caption(f"The {NEWEST_CLAIMS:,} newest claims of this source under the filters; narrow the dates to see older ones.")
    shown = mine.assign(date=[format_partial_date(d.date(), p) for d, p in zip(mine.claimed_on, mine.date_precision, strict=True)])
    st.dataframe(shown[["date", "text", "status", "credibility", "independent_corroborating", "independent_contradicting", "claim_id"]],
                 hide_index=True, width="stretch")
    evidence = ui.cached(claim_status.claim_evidence)(con, list(mine.claim_id))
    st.caption("Evidence for these claims")
    st.dataframe(http_links(evidence, "url"), hide_index=True, width="stretch", column_config={"url": st.column_config.LinkColumn("url")})
    # drawn only while open (on_change="rerun"): its pickers list thousands of documents
    editor = st.expander("Edit a claim: audited, with its history and revert", key="source_claim_edit_open", on_change="rerun")
    with editor:
        if editor.open:
            claim_texts = dict(zip(mine.claim_id, mine.text, strict=True))
            claim = st.selectbox("Claim", list(claim_texts), key="source_claim_pick", format_func=claim_texts.get)
            ui.record_editor(con, "claims", claim, "source_claim_edit")

if ui.current_user().can(access.WRITE):  # a viewer sees the grades, not the form
    with st.form("analyst_grade"):
        st.write("Analyst grade (overrides the derived one; recorded in the audit log)")
        left, right = st.columns([1, 3])
        options = ["", *[f"{letter}{digit}" for letter in "ABCDEF" for digit in ("", *"123456")]]
        current = record.analyst_grade if isinstance(record.analyst_grade, str) else ""
        grade = left.selectbox("Grade", options, index=options.index(current) if current in options else 0,
                               format_func=lambda g: g or "none (use derived)")
        note = right.text_input("Note", record.grade_note if isinstance(record.grade_note, str) else "", max_chars=500)
        if st.form_submit_button("Save grade"):
            with ui.reported_errors("saving an analyst grade"):
                reliability.set_analyst_grade(con, source_id, grade or None, note, who=ui.current_user())
                st.session_state["grade_saved"] = f"Saved grade {grade}." if grade else "Cleared: the derived grade is in force."
                st.rerun()
if "grade_saved" in st.session_state:
    st.success(st.session_state.pop("grade_saved"))
