"""Browser tests of the app on other screens: the system's dark theme, and a 390 px phone."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot, wait_for_app

CHART = '[data-testid="stMain"] .st-key-tl_chart .js-plotly-plot'


@pytest.fixture
def screen(browser, server):
    """Open a context with the given screen, go to the Timeline and return the page (closed after the test)."""
    contexts = []

    def open_timeline(**context_args):
        context = browser.new_context(accept_downloads=True, **context_args)
        contexts.append(context)
        page = context.new_page()
        page.goto(server)
        wait_for_app(page)
        page.goto(f"{server}/timeline")
        wait_for_app(page)
        page.wait_for_selector(f"{CHART} .scatterlayer .point")
        return page

    yield open_timeline
    for context in contexts:
        context.close()


def _luminance(css_colour: str) -> float:
    """0 (black) to 1 (white) for 'rgb(r, g, b)' or 'rgba(r, g, b, a)'."""
    r, g, b = (float(v) for v in css_colour[css_colour.index("(") + 1:].rstrip(")").split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_dark_system_theme_gives_a_dark_page_and_dark_charts(screen):
    """With the system in dark mode the app is dark and the chart draws light ink on the page's dark ground."""
    page = screen(color_scheme="dark", viewport={"width": 1280, "height": 1000})
    background = page.evaluate("() => getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    assert _luminance(background) < 0.2
    layout = page.evaluate(f"() => document.querySelector('{CHART}').layout")
    assert layout["paper_bgcolor"] == "rgba(0,0,0,0)"
    text = page.evaluate(f"() => getComputedStyle(document.querySelector('{CHART} .gtitle')).fill")
    assert _luminance(text) > 0.7  # the title is light on dark
    screenshot(page, "screen_dark_timeline")


def test_phone_width_gives_the_chart_the_whole_width(screen):
    """At 390 px the chart spans the main column, its time axis is labelled, and nothing runs off the side."""
    page = screen(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    main = page.locator('[data-testid="stMain"] [data-testid="stMainBlockContainer"]').bounding_box()
    chart = page.locator(CHART).bounding_box()
    assert chart["width"] >= main["width"] - 40
    plot_area = page.locator(f"{CHART} .nsewdrag").first.bounding_box()
    assert plot_area["width"] >= 0.75 * chart["width"]  # lane names sit inside the plot, not beside it
    assert page.locator(f"{CHART} .xtick text").count() >= 3
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.locator('[data-testid="stMain"] .st-key-tl_table').scroll_into_view_if_needed()
    assert page.locator('[data-testid="stMain"] .st-key-tl_table [data-testid="stDataFrame"]').is_visible()
    screenshot(page, "screen_390_timeline")
