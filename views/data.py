"""Data: import a bundle or an event dataset (check and preview first, then apply), and read the import history and audit log."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import access, queries, store, ui
from lib.ingest import bundle, datasets, tabular
from lib.ingest.report import ImportRefused
from lib.safety import plain

con = ui.connection()

st.title("Data")
st.caption("Every import is checked whole first: a file with a problem changes nothing. Formats: docs/IMPORT.md.")

uploaded = None
if ui.current_user().can(access.WRITE):  # a viewer reads the history and the audit log only
    st.subheader("Import a file")
    uploaded = st.file_uploader(
        "A bundle (zip of CSVs named after the tables, one JSON, one XLSX, or one table's CSV), or a GDELT, ICEWS or ACLED events file",
        type=["zip", "json", "xlsx", "csv", "tsv", "tab", "txt", "gz"], key="data_upload",
    )


def _problem_table(problems: list) -> None:
    st.dataframe(pd.DataFrame([vars(p) for p in problems]), hide_index=True, width="stretch")


if uploaded is not None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / Path(uploaded.name).name
        path.write_bytes(uploaded.getvalue())
        fmt = None if path.suffix.lower() in (".json", ".xlsx") else datasets.sniff(path)
        if fmt is None:
            counts, problems = bundle.check_bundle(con, path)
            st.text(f"{uploaded.name}: a bundle ({', '.join(f'{t}: {n} row(s)' for t, n in counts.items()) or 'no tables'})")
        else:
            first, problems = tabular.preview(con, datasets.FORMATS[fmt], path)
            st.text(f"{uploaded.name}: a {fmt.upper()} events file. The first events as they will be stored:")
            st.dataframe(first, hide_index=True, width="stretch")
        extra = {}
        if fmt == "gdelt":
            mentions = st.file_uploader("Optional: the GDELT 2.0 mentions file of the same update (one document per mentioning article)",
                                        type=["csv", "tsv", "txt", "gz", "zip"], key="data_mentions")
            if mentions is not None:
                extra["mentions"] = Path(tmp) / f"mentions-{Path(mentions.name).name}"
                extra["mentions"].write_bytes(mentions.getvalue())
        skip = False
        if problems:
            st.error(f"{len(problems)} problem(s). The file is refused as it is.")
            _problem_table(problems)
            skip = fmt is not None and st.checkbox("Import the good rows and skip these", key="data_skip")
        if busy := store.writer_busy(con):
            st.info(f"The store is busy with {busy}: an import started now is queued behind it.")
        if (not problems or skip) and st.button("Import", type="primary", key="data_import"):
            bar = st.progress(0.0, text="starting")
            with ui.reported_errors(f"importing {uploaded.name}"):
                try:
                    progress = lambda f, phrase: bar.progress(f, text=phrase)  # noqa: E731 - one callback for both importers
                    if fmt is None:
                        result = bundle.import_bundle(con, path, who=ui.current_user(), progress=progress)
                    else:
                        result = datasets.IMPORTERS[fmt](con, path, who=ui.current_user(), skip_bad_rows=skip, progress=progress, **extra)
                    bar.progress(1.0, text="done")
                    st.success(f"Import {result.import_id}: {result.status}.")
                    st.text(result.summary())
                except ImportRefused as exc:
                    st.error(plain(exc.first_line()))  # quotes the file's text
                    _problem_table(exc.problems)
                except store.StoreError as exc:  # the store busy past the wait, or held by another process
                    st.error(plain(str(exc)))
                except ValueError as exc:  # a limit set to nonsense ($STANCEWATCH_MAX_...): the setting is named
                    st.error(plain(f"error: {exc}"))

st.subheader("Import history")
st.dataframe(ui.cached(queries.import_history)(con), hide_index=True, width="stretch")

st.subheader("Audit log")
table = st.selectbox("Table", [None, *queries.AUDIT_TABLES], format_func=lambda t: "all tables" if t is None else t, key="audit_table")
st.dataframe(ui.cached(queries.audit_entries)(con, table), hide_index=True, width="stretch")
