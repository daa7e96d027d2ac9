"""Browser test of the Timeline page: a link with dates, the date widget, and clicking a point to open it."""

from __future__ import annotations

from tests.browser.conftest import screenshot, wait_for_app

POINT_IDS = """() => {
    const chart = document.querySelector('[data-testid="stMain"] .js-plotly-plot');
    return chart.data.flatMap(trace => (trace.customdata || []).map(c => c[1]));
}"""


def test_link_dates_widget_and_point_detail(page, server):
    """/timeline?from=…&to=… shows that range; a new end date in the widget narrows it; clicking a point opens its detail."""
    page.goto(f"{server}/timeline?from=2019-01-01&to=2020-12-31")
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMain"] .js-plotly-plot .scatterlayer .point')
    assert set(page.evaluate(POINT_IDS)) == {"s400-first-delivery", "s400-test-sinop", "caatsa-sanctions", "f35-removal"}
    screenshot(page, "timeline_link_2019_2020")

    end_year = page.get_by_role("spinbutton", name="year, Custom range end date")
    end_year.click()
    page.keyboard.type("2019")
    page.locator('[data-testid="stMain"] h1').click()  # the widget sends its value on blur
    wait_for_app(page)
    page.wait_for_function("() => !location.search.includes('to=2020')")
    assert "to=2019-12-31" in page.url
    assert set(page.evaluate(POINT_IDS)) == {"s400-first-delivery"}

    point = page.locator('[data-testid="stMain"] .js-plotly-plot .scatterlayer .point').first
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Selected event").wait_for(timeout=15_000)
    assert main.get_by_text("First S-400 deliveries received").first.is_visible()
    assert main.get_by_text("Jul 2019 (month precision)", exact=False).is_visible()
    assert main.get_by_text("nat-s400-2025-09").first.is_visible() or main.locator('[data-testid="stDataFrame"]').count() >= 2
    screenshot(page, "timeline_point_detail")
