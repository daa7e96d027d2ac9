"""Stancewatch: navigation and the shared sidebar; everything else lives in views/ and lib/."""

from pathlib import Path

import streamlit as st

from lib import ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Stancewatch", page_icon="🧭", layout="wide")

PAGES = [
    st.Page(HERE / "views" / "overview.py", title="Overview", icon="🏠", default=True, url_path="overview"),
    st.Page(HERE / "views" / "timeline.py", title="Timeline", icon="🕒", url_path="timeline"),
    st.Page(HERE / "views" / "stances.py", title="Stances", icon="🧭", url_path="stances"),
    st.Page(HERE / "views" / "sources.py", title="Sources", icon="📰", url_path="sources"),
    st.Page(HERE / "views" / "brief.py", title="Brief", icon="📝", url_path="brief"),
    st.Page(HERE / "views" / "data.py", title="Data", icon="🗄️", url_path="data"),
]

page = st.navigation(PAGES)
ui.sidebar_filters(ui.connection())
page.run()
