"""The Timeline page on the seed case, driven through the shared sidebar."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from lib.timeline import timeline


def _item_ids(at: AppTest) -> set[str]:
    """Item ids of the chart's markers, read from the spec the browser would receive."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return {c[1] for trace in spec["data"] for c in (trace.get("customdata") or []) if c[0] != "bucket"}


def test_link_with_dates_opens_that_range(app) -> None:
    """/timeline?from=2019-01-01&to=2020-12-31 shows the four events of 2019-2020 and lists them in the table."""
    at = app("timeline", **{"from": "2019-01-01", "to": "2020-12-31"})
    assert _item_ids(at) == {"s400-first-delivery", "s400-test-sinop", "caatsa-sanctions", "f35-removal"}
    assert set(at.dataframe[0].value.item_id) == _item_ids(at)
    assert "4 items in range." in [c.value for c in at.caption]


def test_date_range_widget_narrows_the_chart_and_the_url(app) -> None:
    """Choosing a custom range in the sidebar redraws the chart with that range and writes it into the URL."""
    at = app("timeline")
    assert len(_item_ids(at)) == 9
    at.sidebar.selectbox(key="flt_preset").select("custom").run()
    # the typed range opens at the data's span, not at 2000 – today
    assert (at.text_input(key="flt_from").value, at.text_input(key="flt_to").value) == ("2017-12-01", "2025-09-03")
    at.text_input(key="flt_from").input("2025-09").run()
    at.text_input(key="flt_to").input("2025").run()
    assert not at.exception
    assert _item_ids(at) == {"stmt-anon-ria", "stmt-msb-no-change", "claim-nefes-buyback", "claim-ria-no-return"}
    assert (at.query_params["from"], at.query_params["to"]) == ("2025-09-01", "2025-12-31")
    assert at.text_input(key="flt_to").value == "2025-12-31"  # the typed year shows as the day it stands for


def test_presets_for_a_year_a_quarter_the_span_and_the_last_shift(app) -> None:
    """A calendar year, a quarter, the data's span and 'since the last shift' each set dates, and the link keeps them."""
    at = app("timeline")
    at.sidebar.selectbox(key="flt_preset").select("year").run()
    at.sidebar.selectbox(key="flt_year").select("2019").run()
    assert at.query_params["range"] == "2019" and _item_ids(at) == {"s400-first-delivery"}
    at.sidebar.selectbox(key="flt_preset").select("quarter").run()
    at.sidebar.selectbox(key="flt_quarter").select("2025-Q3").run()
    assert at.query_params["range"] == "2025-Q3"
    assert "claim-nefes-buyback" in _item_ids(at) and "s400-first-delivery" not in _item_ids(at)
    at.sidebar.selectbox(key="flt_preset").select("span").run()
    assert (at.query_params["range"], at.query_params["from"], at.query_params["to"]) == ("span", "2017-12-01", "2025-09-03")
    at.sidebar.selectbox(key="flt_preset").select("shift").run()
    assert not at.exception and at.query_params["range"] == "shift"


def test_actor_filter_includes_the_ministry(app) -> None:
    """Picking Turkey keeps its ministry's statement and drops the claim about Russia."""
    at = app("timeline")
    at.sidebar.multiselect[0].select("TUR").run()
    ids = _item_ids(at)
    assert "stmt-msb-no-change" in ids and "claim-nefes-buyback" not in ids
    assert at.query_params["actor"] == "TUR"


def test_text_search_finds_the_quote(app) -> None:
    """Searching 'no change' leaves the ministry's statement alone on the chart."""
    at = app("timeline")
    at.sidebar.text_input[0].input("no change").run()
    assert _item_ids(at) == {"stmt-msb-no-change"}


def test_opened_item_shows_quote_documents_and_evidence(app) -> None:
    """An opened claim shows its text, its Nefes document and the two statements that contradict it."""
    at = app("timeline", open="claim:claim-nefes-buyback")  # the link carries the opened item
    texts = [t.value for t in at.text]
    assert "Russia approached Ankara about taking back the S-400 systems" in texts
    frames = [d.value for d in at.dataframe]
    assert any("nefes-2025-09-03" in set(f.get("document_id", [])) for f in frames)
    assert any(set(f.get("evidence_id", [])) == {"stmt-anon-ria", "stmt-msb-no-change"} for f in frames)


def test_density_is_announced_above_the_limit(app, monkeypatch: pytest.MonkeyPatch) -> None:
    """With more items than the point limit the chart is a density chart that says so."""
    monkeypatch.setattr(timeline, "POINT_LIMIT", 3)
    at = app("timeline")
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith("Timeline density")
    assert any("showing counts per" in a["text"] for a in spec["layout"]["annotations"])


def test_lanes_and_lane_count_go_in_the_link(app) -> None:
    """Lanes by topic and 5 named lanes are written into the URL, and a link with them opens that view."""
    at = app("timeline")
    at.segmented_control(key="tl_lane").set_value("topic").run()
    at.select_slider(key="tl_nlanes").set_value(5).run()
    assert (at.query_params["lanes"], at.query_params["nlanes"]) == ("topic", "5")
    again = app("timeline", lanes="source", nlanes="30", open="event:s400-contract")
    assert again.segmented_control(key="tl_lane").value == "source" and again.select_slider(key="tl_nlanes").value == 30
    assert "Selected event" in [s.value for s in again.subheader]
    spec = json.loads(again.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["title"]["text"] == "Source"
