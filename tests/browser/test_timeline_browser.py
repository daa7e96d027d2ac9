"""Browser tests of the Timeline page: a link with dates, typed dates applied on Enter, box select, opening a point."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.conftest import screenshot, serve, wait_for_app

CHART = '[data-testid="stMain"] .st-key-tl_chart .js-plotly-plot'
POINT_IDS = """() => {
    const chart = document.querySelector('[data-testid="stMain"] .st-key-tl_chart .js-plotly-plot');
    return chart.data.flatMap(trace => (trace.customdata || []).map(c => c[1]));
}"""
X_PIXELS = """([start, end]) => {
    const chart = document.querySelector('[data-testid="stMain"] .st-key-tl_chart .js-plotly-plot');
    const area = chart.querySelector('.nsewdrag').getBoundingClientRect(), x = chart._fullLayout.xaxis;
    return {start: area.left + x.d2p(start), end: area.left + x.d2p(end), top: area.top, bottom: area.bottom};
}"""


def _open_timeline(page, server: str, query: str) -> None:
    page.goto(server)  # a server's first session opened at a page URL runs it without app.py
    wait_for_app(page)
    page.goto(f"{server}/timeline?{query}")
    wait_for_app(page)
    page.wait_for_selector(f"{CHART} .scatterlayer .point")


def _box_select(page, start: str, end: str, rows: str = "all") -> None:
    """Choose the toolbar's box select and drag across [start, end] on the time axis (the whole height, or a thin strip)."""
    chart = page.locator(CHART)
    chart.hover()
    chart.locator('.modebar-btn[data-title="Box Select"]').click()
    px = page.evaluate(X_PIXELS, [start, end])
    top, bottom = (px["top"] + 4, px["bottom"] - 4) if rows == "all" else (px["bottom"] - 14, px["bottom"] - 4)
    page.mouse.move(px["start"], top)
    page.mouse.down()
    page.mouse.move((px["start"] + px["end"]) / 2, (top + bottom) / 2, steps=6)
    page.mouse.move(px["end"], bottom, steps=6)
    page.mouse.up()


def _url_dates(page) -> tuple[dt.date, dt.date]:
    query = parse_qs(urlparse(page.url).query)
    return dt.date.fromisoformat(query["from"][0]), dt.date.fromisoformat(query["to"][0])


def _near(day: dt.date, target: str) -> bool:
    """Within 5 days: a pixel of the 5-year axis is about 4 days, so a drag cannot hit a day exactly."""
    return abs((day - dt.date.fromisoformat(target)).days) <= 5


def test_typed_end_date_applies_on_enter_and_a_click_opens_a_point(page, server):
    """/timeline?from=…&to=… shows that range; typing an end year and pressing Enter narrows it; a click opens a point."""
    _open_timeline(page, server, "from=2019-01-01&to=2020-12-31")
    assert set(page.evaluate(POINT_IDS)) == {"s400-first-delivery", "s400-test-sinop", "caatsa-sanctions", "f35-removal"}
    screenshot(page, "timeline_link_2019_2020")

    end = page.locator(".st-key-flt_to input")
    assert end.input_value() == "2020-12-31"
    end.fill("2019")
    end.press("Enter")  # no blur: Enter alone applies it
    page.wait_for_function("() => location.search.includes('to=2019-12-31')", timeout=30_000)
    wait_for_app(page)
    assert end.input_value() == "2019-12-31"
    assert set(page.evaluate(POINT_IDS)) == {"s400-first-delivery"}

    point = page.locator(f"{CHART} .scatterlayer .point").first
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Selected event").wait_for(timeout=15_000)
    assert main.get_by_text("First S-400 deliveries received").first.is_visible()
    assert main.get_by_text("Jul 2019 (month precision)", exact=False).is_visible()
    screenshot(page, "timeline_point_detail")


def test_box_select_over_points_narrows_the_dates_instead_of_opening_one(page, server):
    """A box over Jun–Sep 2019 (which holds the first deliveries) sets the dates to it; nothing opens."""
    _open_timeline(page, server, "from=2017-01-01&to=2021-12-31")
    _box_select(page, "2019-06-01 12:00", "2019-09-30 12:00")
    page.wait_for_function("() => !location.search.includes('to=2021')", timeout=30_000)
    wait_for_app(page)
    start, end = _url_dates(page)
    assert _near(start, "2019-06-01") and _near(end, "2019-09-30")
    assert page.locator(".st-key-flt_from input").input_value() == start.isoformat()
    assert set(page.evaluate(POINT_IDS)) == {"s400-first-delivery"}
    assert page.locator('[data-testid="stMain"]').get_by_text("Selected event").count() == 0
    screenshot(page, "timeline_box_select_points")


def test_box_select_over_an_empty_stretch_narrows_the_dates(page, server):
    """A thin box over Feb–Jun 2018, where nothing happened, still sets the dates, and the chart says nothing matches."""
    _open_timeline(page, server, "from=2017-01-01&to=2021-12-31")
    _box_select(page, "2018-02-01 12:00", "2018-06-30 12:00", rows="strip")
    page.wait_for_function("() => !location.search.includes('to=2021')", timeout=30_000)
    wait_for_app(page)
    start, end = _url_dates(page)
    assert _near(start, "2018-02-01") and _near(end, "2018-06-30")
    screenshot(page, "timeline_box_select_empty")

    # the empty chart keeps its time axis: a second box, inside it, narrows again
    _box_select(page, "2018-03-01 12:00", "2018-04-30 12:00")
    page.wait_for_function("() => !location.search.includes('to=2018-06')", timeout=30_000)
    wait_for_app(page)
    start, end = _url_dates(page)
    assert _near(start, "2018-03-01") and _near(end, "2018-04-30")


DENSITY = """() => {
    const chart = document.querySelector('[data-testid="stMain"] .st-key-tl_chart .js-plotly-plot');
    const [cells, bars] = chart.data, box = chart.getBoundingClientRect(), layout = chart._fullLayout;
    return {types: chart.data.map(t => t.type), starts: bars.customdata.map(c => c[1]), totals: Array.from(bars.y),
            marks: chart.querySelectorAll('.scatterlayer .point, .barlayer .point').length,
            images: chart.querySelectorAll('.heatmaplayer image').length,
            left: box.left + layout.xaxis._offset, width: layout.xaxis._length,
            barsBottom: box.top + layout.yaxis2._offset + layout.yaxis2._length,
            lanesTop: box.top + layout.yaxis._offset, lanesBottom: box.top + layout.yaxis._offset + layout.yaxis._length};
}"""


@pytest.fixture(scope="module")
def dense_server(dense_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a synthetic store of 10,000 items: the Timeline opens on their density."""
    with serve(dense_store_file, tmp_path_factory.mktemp("dense_browser")) as url:
        yield url


def test_density_is_one_image_and_a_click_on_a_period_narrows_the_dates(page, dense_server):
    """Too many items for points: one heatmap image of lanes x months under one bar per month; clicking a month's bar
    sets the dates to that month; a box drawn across the lanes sets them to its stretch."""
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(dense_server)
    wait_for_app(page)
    page.goto(f"{dense_server}/timeline")
    wait_for_app(page)
    page.wait_for_selector(f"{CHART} .heatmaplayer image")
    drawn = page.evaluate(DENSITY)
    assert drawn["types"] == ["heatmap", "bar"] and drawn["images"] == 1
    assert drawn["marks"] <= len(drawn["starts"])  # a bar per period at most: no marker per lane and period
    screenshot(page, "timeline_density")

    month = drawn["starts"][len(drawn["starts"]) // 2]
    x = page.evaluate("""(day) => {
        const chart = document.querySelector('[data-testid="stMain"] .st-key-tl_chart .js-plotly-plot');
        const x = chart._fullLayout.xaxis, middle = new Date(day).getTime() + 14 * 86400000;
        return chart.getBoundingClientRect().left + x._offset + x.l2p(middle);
    }""", month)
    page.mouse.click(x, drawn["barsBottom"] - 3)
    page.wait_for_function(f"() => location.search.includes('from={month}')", timeout=30_000)
    wait_for_app(page)
    start, end = _url_dates(page)
    assert start == dt.date.fromisoformat(month) and end.month == start.month and (end + dt.timedelta(days=1)).day == 1

    page.goto(f"{dense_server}/timeline")  # a new session over the whole span again
    wait_for_app(page)
    page.wait_for_selector(f"{CHART} .heatmaplayer image")
    _box_select(page, drawn["starts"][2], drawn["starts"][5], rows="all")
    page.wait_for_function("() => location.search.includes('from=')", timeout=30_000)
    wait_for_app(page)
    start, end = _url_dates(page)
    assert _near(start, drawn["starts"][2]) and _near(end, drawn["starts"][5])
