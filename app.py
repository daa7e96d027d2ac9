"""Stancewatch: navigation and the shared sidebar; everything else lives in views/ and lib/."""

from pathlib import Path

import streamlit as st

from lib import access, ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Stancewatch", page_icon=":material/explore:", layout="wide")

PAGES = [
    st.Page(HERE / "views" / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(HERE / "views" / "timeline.py", title="Timeline", icon=":material/timeline:", url_path="timeline"),
    st.Page(HERE / "views" / "search.py", title="Search", icon=":material/search:", url_path="search"),
    st.Page(HERE / "views" / "stances.py", title="Stances", icon=":material/explore:", url_path="stances"),
    st.Page(HERE / "views" / "sources.py", title="Sources", icon=":material/newspaper:", url_path="sources"),
    st.Page(HERE / "views" / "brief.py", title="Brief", icon=":material/description:", url_path="brief"),
    st.Page(HERE / "views" / "data.py", title="Data", icon=":material/database:", url_path="data"),
    st.Page(HERE / "views" / "capture.py", title="Capture", icon=":material/edit_note:", url_path="capture"),
]

user = ui.gate()  # stops here for a visitor who may not see the data, or on an exposed port without logins
page = st.navigation([p for p in PAGES if p.title != "Capture" or user.can(access.WRITE)])
with ui.page_run(), ui.reported_errors(f"page {page.title}"):
    ui.sidebar_filters(ui.connection())
    page.run()
