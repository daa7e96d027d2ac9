"""Capture: paste, upload or fetch an article, review what it says as proposed rows, commit them as one bundle.

The page only lays out widgets; reading the article, the proposals, the
bundle and the commit live in lib/capture (docs/ARCHITECTURE.md).
"""

import pandas as pd
import streamlit as st

from lib import ui
from lib.capture import commit, extract, known, review, text
from lib.ingest.report import ImportRefused
from lib.vocab import ATTRIBUTIONS, EVIDENCE_RELATIONS

con = ui.connection()
store_view = known.load(con)
STATE = "capture_state"

st.title("Capture")
st.caption("Record what an article says: every proposal shows the words it came from; accept, edit or reject "
           "each row, check the preview, then commit once (validated and audited like any bundle, docs/IMPORT.md).")

how = st.radio("Article from", ["Paste", "Upload", "URL"], horizontal=True, key="capture_input")
left, middle, right = st.columns(3)
published = left.date_input("Published on (if the article does not say)", value=None, key="capture_published")
sources = [review.label(s.name, s.source_id) for s in store_view.sources.values()]
source = middle.selectbox("Outlet (if its name or web address does not say)", sources, index=None, key="capture_source")
topics = [review.label(name, t) for t, (name, _) in store_view.topics.items()]
topic = right.selectbox("Topic (else the best match)", topics, index=None, key="capture_topic")

article = None
try:
    if how == "Paste":
        pasted = st.text_area("Article text", height=220, key="capture_text")
        if st.button("Propose", type="primary", key="capture_propose") and pasted.strip():
            article = text.from_paste(pasted)
    elif how == "Upload":
        uploaded = st.file_uploader("A .txt, .html (saved from the browser), .pdf or .docx file",
                                    type=["txt", "html", "htm", "pdf", "docx"], key="capture_file")
        if uploaded is not None and st.button("Propose", type="primary", key="capture_propose"):
            article = text.from_file(uploaded.name, uploaded.getvalue())
    else:
        url = st.text_input("Address (http or https; fetched by the server)", key="capture_url")
        if st.button("Fetch and propose", type="primary", key="capture_propose") and url.strip():
            article = text.from_url(url)
except text.InputError as exc:
    st.error(str(exc))

if article is not None:
    proposals = extract.propose(con, article, source_id=review.ident(source) or None,
                                topic_id=review.ident(topic) or None, published=published)
    run = st.session_state.get(STATE, {}).get("run", 0) + 1
    st.session_state[STATE] = {"proposals": proposals, "run": run, "result": None}

state = st.session_state.get(STATE)
if state and state.get("proposals") is not None:
    proposals = state["proposals"]
    choices = review.Choices(store_view, proposals)
    run = state["run"]

    st.subheader("The article")
    text_col, span_col = st.columns([3, 2])
    with text_col.container(height=360, border=True, key=f"capture_view_{run}"):
        st.text(proposals.text)
    span_col.dataframe(review.spans(proposals), hide_index=True, width="stretch", height=360, key=f"capture_spans_{run}")

    st.subheader("Document")
    doc = proposals.document
    d1, d2, d3 = st.columns(3)
    document = {
        "title": d1.text_input("Title", doc.title, key=f"capture_doc_title_{run}"),
        "published_on": d2.text_input("Published on (YYYY, YYYY-MM or YYYY-MM-DD)", doc.published_on,
                                      key=f"capture_doc_published_{run}"),
        "source_id": review.ident(d3.selectbox("Outlet", choices.sources, index=choices.sources.index(choices.of(doc.source_id))
                                               if choices.of(doc.source_id) in choices.sources else None,
                                               key=f"capture_doc_source_{run}")),
    }
    if proposals.new_sources:
        st.info("New source proposed (written with the document): "
                + ", ".join(f"{s.name} ({s.source_id})" for s in proposals.new_sources))
    if proposals.new_actors:
        st.warning("New actor? These names are not in the store; a statement by one is written with a new actor row: "
                   + ", ".join(f"{a.name} ({a.actor_id})" for a in proposals.new_actors))

    frames = review.review_frames(proposals, choices)
    select = st.column_config.SelectboxColumn
    configs = {
        "statements": {"speaker": select(options=choices.actors, required=True),
                       "position": select(options=choices.positions),
                       "topic": select(options=choices.topics, required=True),
                       "attribution": select(options=list(ATTRIBUTIONS)),
                       "duplicate_of": st.column_config.TextColumn(help="a stored statement with the same speaker, date and words")},
        "claims": {"claimant": select(options=choices.sources, disabled=True),
                   "subject": select(options=choices.actors),
                   "asserted_position": select(options=choices.positions),
                   "topic": select(options=choices.topics, required=True)},
        "evidence": {"relation": select(options=list(EVIDENCE_RELATIONS), required=True)},
        "events": {},
    }
    locked = {"statements": ["statement_id", "document_id", "excerpt", "why_position", "duplicate_of"],
              "claims": ["claim_id", "document_id", "excerpt", "claimant", "duplicate_of"],
              "evidence": ["claim_id", "statement_id", "note"],
              "events": ["event_id", "excerpt", "actors", "duplicate_of"]}
    edited = {}
    for kind in review.KINDS:
        st.subheader(f"{kind.capitalize()} ({len(frames[kind])} proposed)")
        if "duplicate_of" in frames[kind] and (frames[kind]["duplicate_of"] != "").any():
            st.warning(f"Some {kind} repeat one already stored (see duplicate_of): they start unaccepted.")
        edited[kind] = st.data_editor(frames[kind], hide_index=True, width="stretch", column_config=configs[kind],
                                      disabled=locked[kind], key=f"capture_{kind}_{run}")

    tables = review.bundle_tables(proposals, edited, document)
    st.subheader("Preview: exactly what will be written")
    if not tables:
        st.info("Nothing accepted.")
    for table, frame in review.preview_frames(tables).items():
        st.caption(f"{table}.csv — {len(frame)} row(s)")
        st.dataframe(frame, hide_index=True, width="stretch", key=f"capture_preview_{table}_{run}")

    if tables and st.button("Commit", type="primary", key="capture_commit"):
        try:
            result = commit.commit(con, tables, who=ui.current_user())
            state["result"] = ("ok", result.summary())
        except ImportRefused as exc:
            state["result"] = ("refused", exc.problems)
    if state.get("result"):
        status, detail = state["result"]
        if status == "ok":
            st.success("Committed in one audited import.")
            st.text(detail)
        else:
            st.error("Refused, nothing changed. Fix these rows and commit again:")
            st.dataframe(pd.DataFrame([vars(p) for p in detail]), hide_index=True, width="stretch", key="capture_problems")
