"""Data: import a bundle (check first, then apply), and read the import history and the audit log."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import queries, ui
from lib.ingest import bundle
from lib.ingest.report import ImportRefused

con = ui.connection()

st.title("Data")
st.caption("Imports are checked whole first: a file with any problem changes nothing. See docs/IMPORT.md for the format.")

st.subheader("Import a bundle")
uploaded = st.file_uploader(
    "A zip of CSV files named after the tables, one JSON file, one XLSX workbook, or a single table's CSV",
    type=["zip", "json", "xlsx", "csv"], key="data_upload",
)
if uploaded is not None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(uploaded.name).name
        path.write_bytes(uploaded.getvalue())
        counts, problems = bundle.check_bundle(con, path)
        if problems:
            st.error(f"{len(problems)} problem(s): nothing can be imported until they are fixed.")
            st.dataframe(pd.DataFrame([vars(p) for p in problems]), hide_index=True, width="stretch")
        else:
            st.success("Checked: no problems. " + ", ".join(f"{table}: {n} row(s)" for table, n in counts.items()))
            if st.button("Import", type="primary", key="data_import"):
                try:
                    result = bundle.import_bundle(con, path, who="dashboard")
                    st.success(f"Import {result.import_id}: {result.status}.")
                    st.text(result.summary())
                except ImportRefused as exc:
                    st.error(exc.first_line())

st.subheader("Import history")
st.dataframe(ui.cached(queries.import_history)(con), hide_index=True, width="stretch")

st.subheader("Audit log")
table = st.selectbox("Table", [None, *queries.AUDIT_TABLES], format_func=lambda t: "all tables" if t is None else t, key="audit_table")
st.dataframe(ui.cached(queries.audit_entries)(con, table), hide_index=True, width="stretch")
