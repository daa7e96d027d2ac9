"""Stancewatch: navigation and the shared sidebar; everything else lives in pages/ and lib/."""

from pathlib import Path

import streamlit as st

from lib import ui

HERE = Path(__file__).parent

st.set_page_config(page_title="Stancewatch", page_icon="🧭", layout="wide")

SPECS = [
    (HERE / "pages" / "overview.py", {"title": "Overview", "icon": "🏠", "default": True, "url_path": "overview"}),
    (HERE / "pages" / "timeline.py", {"title": "Timeline", "icon": "🕒", "url_path": "timeline"}),
    (HERE / "pages" / "stances.py", {"title": "Stances", "icon": "🧭", "url_path": "stances"}),
    (HERE / "pages" / "sources.py", {"title": "Sources", "icon": "📰", "url_path": "sources"}),
    (HERE / "pages" / "brief.py", {"title": "Brief", "icon": "📝", "url_path": "brief"}),
    (HERE / "pages" / "data.py", {"title": "Data", "icon": "🗄️", "url_path": "data"}),
]
# A page whose branch is not merged yet is left out rather than breaking every page (st.Page refuses a missing file).
PAGES = [st.Page(path, **options) for path, options in SPECS if path.exists()]

page = st.navigation(PAGES)
ui.sidebar_filters(ui.connection())
page.run()
