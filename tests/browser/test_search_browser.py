"""Browser test of the Search page: type words, get ranked results, choose one and land on its Timeline detail."""

from __future__ import annotations

from tests.browser.conftest import screenshot, wait_for_app


def test_search_and_click_through_to_the_timeline(page, server):
    """Searching "sanctions" lists the CAATSA event first; choosing its row opens it on the Timeline."""
    page.goto(f"{server}/search")
    wait_for_app(page)
    box = page.locator(".st-key-search_q input")
    box.fill("sanctions")
    box.press("Enter")
    wait_for_app(page)
    grid = page.locator(".st-key-search_results [data-testid='stDataFrameResizable']")
    grid.wait_for(timeout=15_000)
    screenshot(page, "search_results")
    # the grid is a canvas: the row marker (selection box) of the first row sits left of its first cell
    frame = grid.bounding_box()
    page.mouse.click(frame["x"] + 18, frame["y"] + 35 + 17)
    page.wait_for_url("**/timeline**", timeout=20_000)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Selected event").wait_for(timeout=15_000)
    assert main.get_by_text("US sanctions Turkey under CAATSA").first.is_visible()
    assert "open=event" in page.url and "caatsa-sanctions" in page.url  # the link carries the open item
    screenshot(page, "search_click_through")
