"""The floor page of bench/browser.py: Streamlit's own cost of a page with one sidebar selectbox, a chart and a table.

A bare Streamlit script with one sidebar selectbox, a 3,000-point plotly chart
that the choice redraws and a table of the same rows: what any Streamlit page
with a chart pays in the browser and on the server, with no store behind it.
Started exactly as the app (``streamlit run``; ``tests/browser/conftest.py``
``serve``) and measured in the same run, so that our figures are ratios to it.

    streamlit run bench/floor_app.py
"""

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

POINTS = 3_000
CHOICES = ("all dates", "the data's full span", "a calendar year", "2024", "2023", "last 12 months")

st.set_page_config(page_title="Floor", layout="wide")
choice = st.sidebar.selectbox("Dates", CHOICES, key="floor_pick")
rng = np.random.default_rng(CHOICES.index(choice))
rows = pd.DataFrame({
    "day": pd.Timestamp("2016-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 3652, POINTS)), unit="D"),
    "lane": rng.choice([f"lane {i}" for i in range(12)], POINTS),
    "title": [f"item {i}" for i in range(POINTS)],
})
st.title("Floor")
fig = go.Figure(go.Scatter(x=rows.day, y=rows.lane, mode="markers", text=rows.title))
st.plotly_chart(fig, key="floor_chart", width="stretch", theme=None)
st.dataframe(rows, key="floor_table", width="stretch", hide_index=True)
