"""The Sources page in a real browser: pick a source and read its claims and evidence."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, wait_for_app


def test_drill_down_to_nefes(server: str, page: Page) -> None:
    """Choosing Nefes shows grade F, its contradicted claim and the two statements that contradict it."""
    page.goto(f"{server}/sources")
    wait_for_app(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    page.get_by_test_id("stSelectbox").filter(has_text="Source").first.click()
    page.get_by_role("option", name="Nefes").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="Grade in force")).to_contain_text("F")
    expect(page.get_by_text("contradicted").first).to_be_attached()
    screenshot(page, "sources_nefes")
