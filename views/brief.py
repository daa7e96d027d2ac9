"""Brief: charts added from the other pages with their filters, captions and key judgements, exported as one file.

The brief itself lives in the session as JSON (``ui.current_brief``); the text
boxes are seeded from it whenever they are (re)created, so the brief survives
reruns and page switches, and a reopened brief shows its own text.
"""

from collections.abc import Callable

import duckdb
import streamlit as st

from lib import brief as briefs
from lib import catalog, export, figures, store, ui

con = ui.connection()
brief = ui.current_brief()
names = catalog.names(con)


def _seed(key: str, value: str) -> str:
    """Widget key whose box starts from the brief's value when the box is new (first run, back from another page)."""
    if key not in st.session_state:
        st.session_state[key] = value
    return key


def _move(index: int, step: int) -> None:
    moved = ui.current_brief()
    moved.move(index, step)
    ui.keep_brief(moved)


def _remove(index: int) -> None:
    kept = ui.current_brief()
    kept.items.pop(index)
    ui.keep_brief(kept)


def _open(brief_id: str) -> None:
    """Load a saved brief and let every text box start again from it."""
    for key in [k for k in st.session_state if str(k).startswith(("brief_title", "brief_judgements", "brief_caption_",
                                                                  "brief_paper", "brief_marking"))]:
        del st.session_state[key]
    ui.keep_brief(briefs.load(con, brief_id))


def _deferred(render: Callable[[duckdb.DuckDBPyConnection], bytes]) -> Callable[[], bytes]:
    """Download data is made on click in a server thread, maybe while this session's script runs: own cursor (DESIGN §7)."""

    def run() -> bytes:
        cursor = store.cursor(con)
        try:
            return render(cursor)
        finally:
            cursor.close()

    return run


st.title("Brief")
st.caption("Add charts with **Add to brief** under any chart; each keeps the filters it was added with.")

brief.title = st.text_input("Title", key=_seed("brief_title", brief.title), max_chars=200)
brief.judgements = st.text_area("Key judgements (one per line)", key=_seed("brief_judgements", brief.judgements),
                                height=140, max_chars=5000)
paper_col, marking_col = st.columns([1, 3])
brief.paper = paper_col.selectbox("Paper", list(export.PAPERS), key=_seed("brief_paper", brief.paper),
                                  help="PDF and DOCX are laid out for this paper; figures are drawn at its text width.")
brief.marking = marking_col.text_input(
    "Marking line (printed on every page and image)", key=_seed("brief_marking", brief.marking), max_chars=200,
    placeholder=export.default_marking() or "none, e.g. a handling caveat",
    help=f"Empty: the server's ${export.MARKING_ENV} ({export.default_marking() or 'not set'}).")

if not brief.items:
    st.info("No charts yet. Open Timeline, Stances or Sources and press **Add to brief** under a chart.")
for index, item in enumerate(brief.items):
    with st.container(border=True):
        head, up, down, drop = st.columns([5, 1, 1, 2])
        head.markdown(f"**Figure {index + 1}. {figures.TITLES.get(item.chart, item.chart)}**")
        head.text(item.filters().describe(names))
        up.button("↑", key=f"brief_up_{index}", disabled=index == 0, help="Move up", on_click=_move, args=(index, -1))
        down.button("↓", key=f"brief_down_{index}", disabled=index == len(brief.items) - 1, help="Move down",
                    on_click=_move, args=(index, 1))
        drop.button("Remove", key=f"brief_drop_{index}", icon=":material/delete:", on_click=_remove, args=(index,))
        item.caption = st.text_input("Caption", key=_seed(f"brief_caption_{item.item_id}", item.caption), max_chars=500)
ui.keep_brief(brief)

st.subheader("Export")
static_ok = export.chromium_path() is not None
needs = None if static_ok else export.CHROMIUM_MISSING
if not static_ok:
    st.warning(f"{export.CHROMIUM_MISSING} HTML export works (interactive charts).", icon=":material/print:")
stem = export.file_stem("brief", brief.items[0].filters() if brief.items else ui.page_filters())
formats = (
    ("Brief as HTML", "html", "text/html", lambda c: briefs.render_html(c, brief, static=static_ok).encode("utf-8"), False),
    ("Brief as PDF", "pdf", "application/pdf", lambda c: briefs.render_pdf(briefs.render_html(c, brief)), True),
    ("Brief as DOCX", "docx", export.MIME["docx"], lambda c: briefs.render_docx(c, brief), True),
    ("Brief as PPTX", "pptx", export.MIME["pptx"], lambda c: briefs.render_pptx(c, brief), True),
    ("Images and data (zip)", "zip", "application/zip", lambda c: briefs.render_zip(c, brief), True),
)
for column, (label, ext, mime, render, static) in zip(st.columns(len(formats)), formats, strict=True):
    column.download_button(label, data=_deferred(render), file_name=f"{stem}.{ext}", mime=mime, key=f"brief_{ext}",
                           disabled=not brief.items or (static and not static_ok), on_click="ignore", width="stretch",
                           help=needs if static else None)

st.subheader("Saved briefs")
save_col, open_col = st.columns(2)
if save_col.button("Save this brief", key="brief_save", disabled=not brief.items):
    brief.brief_id = briefs.save(con, brief, who=ui.current_user())
    ui.keep_brief(brief)
    st.success(f"Saved as {brief.brief_id}.")
saved = briefs.saved_briefs(con)
if saved.empty:
    open_col.write("No saved briefs yet.")
else:
    titles = dict(zip(saved.brief_id, saved.title, strict=True))
    choice = open_col.selectbox("Saved briefs", list(titles), format_func=lambda b: f"{titles[b]} ({b})", key="brief_saved")
    open_col.button("Open", key="brief_open", on_click=_open, args=(choice,))

if brief.snapshot is not None:
    st.subheader("As it was")
    st.caption(f"Saved from {'snapshot' if brief.on_team_store else 'data version'} {brief.snapshot} of the store.")
    if brief.on_team_store:
        def _as_it_was(_: duckdb.DuckDBPyConnection) -> bytes:
            """The brief rendered from the store as it was when saved (its own read-only connection at that snapshot)."""
            past = briefs.as_it_was(ui.store_path(), brief)
            try:
                return briefs.render_html(past, brief, static=static_ok).encode("utf-8")
            finally:
                past.close()

        st.download_button("Brief as it was (HTML)", data=_deferred(_as_it_was), file_name=f"{stem}-as-saved.html",
                           mime="text/html", key="brief_as_it_was", on_click="ignore")
    else:
        st.info(store.NO_TIME_TRAVEL.capitalize() + ".", icon=":material/history:")
