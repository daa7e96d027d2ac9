"""The Data page in a real browser: upload a real GDELT file, preview, import."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, wait_for_app
from tests.test_paths import GDELT2_SAMPLE


def test_upload_preview_and_import_gdelt(server: str, page: Page) -> None:
    """Uploading the GDELT 2.0 sample shows the first mapped events; Import adds all 6,090 and says so."""
    page.goto(f"{server}/data")
    wait_for_app(page)
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(GDELT2_SAMPLE))
    expect(page.get_by_text("a GDELT events file", exact=False)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    page.locator(".st-key-data_import button").click()  # by key: "Undo import" is a button too
    expect(page.get_by_test_id("stText").filter(has_text="events: 6090 inserted")).to_be_visible(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "data_import")
