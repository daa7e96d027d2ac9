"""The Sources page in a real browser: pick a source and read its claims and evidence."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import choose_option, screenshot, wait_for_app


def test_drill_down_to_nefes(server: str, page: Page) -> None:
    """Choosing Nefes shows grade F, its contradicted claim and the two statements that contradict it."""
    page.goto(f"{server}/sources")
    wait_for_app(page)
    expect(page.get_by_test_id("stPlotlyChart").first).to_be_visible()
    choose_option(page, page.locator(".st-key-source_pick"), "Nefes")
    expect(page.get_by_test_id("stMetric").filter(has_text="Grade in force")).to_contain_text("F", timeout=30_000)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("Russia approached Ankara about taking back").first).to_be_attached()
    expect(main.get_by_text("stmt-msb-no-change").first).to_be_attached()
    expect(main.get_by_text("stmt-anon-ria").first).to_be_attached()
    screenshot(page, "sources_nefes")
