"""Stancewatch: navigation and the shared sidebar; everything else lives in pages/ and lib/."""

from pathlib import Path

import streamlit as st

from lib import ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Stancewatch", page_icon="🧭", layout="wide")

PAGES = [
    st.Page(HERE / "pages" / "overview.py", title="Overview", icon="🏠", default=True, url_path="overview"),
    st.Page(HERE / "pages" / "timeline.py", title="Timeline", icon="🕒", url_path="timeline"),
    st.Page(HERE / "pages" / "stances.py", title="Stances", icon="🧭", url_path="stances"),
    st.Page(HERE / "pages" / "sources.py", title="Sources", icon="📰", url_path="sources"),
    st.Page(HERE / "pages" / "brief.py", title="Brief", icon="📝", url_path="brief"),
    st.Page(HERE / "pages" / "data.py", title="Data", icon="🗄️", url_path="data"),
]

page = st.navigation(PAGES)
ui.sidebar_filters(ui.connection())
page.run()
