"""Data: import a bundle or an event dataset (check and preview what it changes first, then apply), edit one record,
see the imports the CLI queued, and read the import history (undo an import) and the audit log (revert a write)."""

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from lib import access, changelog, store, ui
from lib.edits import records, revert
from lib.edits.diff import diff_bundle
from lib.ingest import bundle, datasets, inbox, tabular
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
        confirmed = True
        if fmt is None:
            preview = diff_bundle(con, path)
            problems = preview.problems
            st.text(f"{uploaded.name}: a bundle ({', '.join(f'{t}: {n} row(s)' for t, n in preview.counts.items()) or 'no tables'})")
            if not problems:
                st.text(f"What it changes: {preview.added} row(s) added, {preview.changed_fields} field(s) of existing rows changed.")
                if preview.changes:
                    st.dataframe(pd.DataFrame(preview.as_rows()), hide_index=True, width="stretch", key="data_diff")
                for duplicate in preview.duplicates:
                    st.warning(plain(duplicate), icon=":material/content_copy:")
                if preview.changed_fields:
                    confirmed = st.checkbox(f"apply these {preview.changed_fields} changes to existing rows", key="data_confirm_changes")
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
        if (not problems or skip) and st.button("Import", type="primary", key="data_import", disabled=not confirmed,
                                                help=None if confirmed else "tick the box above to overwrite existing rows"):
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

st.subheader("Import queue")
st.caption("Imports run by `python -m lib.cli import …` while this dashboard holds the store are queued and applied here "
           "within seconds, in the order they arrived. An applied one is in the import history below under its import id (a bundle can be undone there like any import).")
queued = inbox.jobs(ui.store_path())
with st.container(key="import_queue"):
    if queued:
        st.dataframe(pd.DataFrame([job.row() for job in queued]), hide_index=True, width="stretch")
    else:
        st.text("Nothing queued.")

st.subheader("Edit a record")
edit_table = st.selectbox("Table", records.EDITABLE, key="edit_table")
rows = ui.cached(records.choices)(con, edit_table)
edit_key = st.selectbox("Record", [None, *rows], key=f"edit_key_{edit_table}",
                        format_func=lambda k: "(add a new one)" if k is None else rows.get(k, k))
ui.record_editor(con, edit_table, edit_key, "data_edit")

st.subheader("Import history")
history = ui.cached(changelog.import_history)(con)
st.dataframe(history, hide_index=True, width="stretch", key="import_history")
applied = history[history.status == "applied"]
if not applied.empty:
    imports = {int(i): f"#{i} {name} ({fmt}, {at:%Y-%m-%d %H:%M})"
               for i, name, fmt, at in zip(applied.import_id, applied.file_name, applied.format, applied.imported_at, strict=True)}
    undo_id = st.selectbox("Import to undo", list(imports), key=f"undo_pick_{max(imports)}", format_func=imports.get)
    ui.guarded_action("Undo import", lambda ok: f"Import {undo_id} undone: {revert.undo_import(con, undo_id, ui.current_user(), confirmed=ok)} "
                      "row(s) restored.", f"undo_{undo_id}", "Undo anyway, overwriting the later changes listed",
                      done="import_undone")

st.subheader("Audit log")
table = st.selectbox("Table", [None, *changelog.AUDIT_TABLES], format_func=lambda t: "all tables" if t is None else t, key="audit_table")
entries = ui.cached(changelog.audit_entries)(con, table)
st.dataframe(entries, hide_index=True, width="stretch", key="audit_entries")
revertible = entries[entries.row_key.notna()]
if not revertible.empty:
    writes = {int(a): f"#{a} {action}: {name} {key}"
              for a, action, name, key in zip(revertible.audit_id, revertible.action, revertible.table_name, revertible.row_key, strict=True)}
    audit_id = st.selectbox("Write to revert", list(writes), key=f"audit_revert_pick_{max(writes)}", format_func=writes.get)
    ui.guarded_action("Revert this write", lambda ok: f"Reverted write #{audit_id}: "
                      f"{revert.revert_write(con, audit_id, ui.current_user(), confirmed=ok)} row(s) restored.",
                      f"audit_revert_{audit_id}", "Revert anyway, overwriting the later changes listed",
                      done="audit_reverted")
