"""Exports in a real browser: a download button and the chart toolbar's own image button."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, wait_for_app


def test_png_button_and_toolbar_image(server: str, page: Page, tmp_path: Path) -> None:
    """The PNG button under the Stances chart downloads a print-size PNG named after the filters; so does the toolbar."""
    page.goto(f"{server}/stances?topic=s400")
    wait_for_app(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible()
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="PNG").first.click()
    download = info.value
    assert download.suggested_filename.startswith("stances_s400") and download.suggested_filename.endswith(".png")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with Image.open(saved) as image:
        assert image.size[0] == 2400  # 1200 px at scale 2

    chart.hover()
    with page.expect_download(timeout=60_000) as info:
        chart.locator('[data-title="Download plot as a png"]').click()
    toolbar = info.value
    assert toolbar.suggested_filename == download.suggested_filename
    toolbar.save_as(tmp_path / "toolbar.png")
    with Image.open(tmp_path / "toolbar.png") as image:
        assert image.size[0] == 2400
    screenshot(page, "stances_export")


def test_csv_button_downloads_the_table(server: str, page: Page, tmp_path: Path) -> None:
    """The CSV button under the statements table downloads the rows with the filter header."""
    page.goto(f"{server}/stances?topic=s400")
    wait_for_app(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="CSV").last.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Table:")
    assert "no change in our position" in text
