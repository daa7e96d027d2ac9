"""Brief: charts added from the other pages with their filters, captions and key judgements, exported as one file."""

import streamlit as st

from lib import brief as briefs
from lib import export, figures, queries, ui

con = ui.connection()
brief = ui.current_brief()
names = queries.names(con)

st.title("Brief")
st.caption("Add charts with **Add to brief** under any chart; each keeps the filters it was added with.")

brief.title = st.text_input("Title", brief.title, max_chars=200)
brief.judgements = st.text_area("Key judgements (one per line)", brief.judgements, height=140, max_chars=5000)

if not brief.items:
    st.info("No charts yet. Open Timeline, Stances or Sources and press **Add to brief** under a chart.")
for index, item in enumerate(brief.items):
    with st.container(border=True):
        head, up, down, drop = st.columns([6, 1, 1, 1])
        head.markdown(f"**Figure {index + 1}. {figures.TITLES.get(item.chart, item.chart)}**")
        head.text(item.filters().describe(names))
        if up.button("↑", key=f"brief_up_{index}", disabled=index == 0, help="Move up"):
            brief.move(index, -1)
            ui.keep_brief(brief)
            st.rerun()
        if down.button("↓", key=f"brief_down_{index}", disabled=index == len(brief.items) - 1, help="Move down"):
            brief.move(index, 1)
            ui.keep_brief(brief)
            st.rerun()
        if drop.button("Remove", key=f"brief_drop_{index}"):
            brief.items.pop(index)
            ui.keep_brief(brief)
            st.rerun()
        item.caption = st.text_input("Caption", item.caption, key=f"brief_caption_{index}", max_chars=500)
ui.keep_brief(brief)

st.subheader("Export")
static_ok = export.chromium_path() is not None
stem = export.file_stem("brief", brief.items[0].filters() if brief.items else ui.page_filters())
html_col, pdf_col, zip_col = st.columns(3)
html_col.download_button("Brief as HTML", data=lambda: briefs.render_html(con, brief, static=static_ok).encode("utf-8"),
                         file_name=f"{stem}.html", mime="text/html", disabled=not brief.items, on_click="ignore", width="stretch")
pdf_col.download_button("Brief as PDF", data=lambda: briefs.render_pdf(briefs.render_html(con, brief)), file_name=f"{stem}.pdf",
                        mime="application/pdf", disabled=not (brief.items and static_ok), on_click="ignore", width="stretch",
                        help=None if static_ok else f"Needs Chromium on the server: {export.INSTALL_HINT}")
zip_col.download_button("Images and data (zip)", data=lambda: briefs.render_zip(con, brief), file_name=f"{stem}.zip",
                        mime="application/zip", disabled=not (brief.items and static_ok), on_click="ignore", width="stretch")

st.subheader("Saved briefs")
save_col, open_col = st.columns(2)
if save_col.button("Save this brief", disabled=not brief.items):
    brief.brief_id = briefs.save(con, brief, who="dashboard")
    ui.keep_brief(brief)
    st.success(f"Saved as {brief.brief_id}.")
saved = briefs.saved_briefs(con)
if saved.empty:
    open_col.write("No saved briefs yet.")
else:
    choice = open_col.selectbox("Saved briefs", saved.brief_id, format_func=lambda b: f"{saved.set_index('brief_id').title[b]} ({b})")
    if open_col.button("Open"):
        ui.keep_brief(briefs.load(con, choice))
        st.rerun()
