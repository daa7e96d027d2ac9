"""The Overview in a real browser."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, wait_for_app


def test_overview_loads_in_chromium(server: str, page: Page) -> None:
    """A real streamlit run serves the Overview with the seed counts and the sidebar filters."""
    page.goto(server)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_visible()
    assert "Events" in page.get_by_test_id("stMetric").first.inner_text()
    screenshot(page, "overview")
