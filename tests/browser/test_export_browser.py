"""Browser test of chart export: the page's PNG download button and plotly's own toolbar image button."""

from __future__ import annotations

import io
import re

from PIL import Image
from playwright.sync_api import expect

from lib import export
from lib.filters import Filters
from tests.browser.conftest import screenshot, wait_for_app

EXPECTED = export.file_name("stances", Filters(topics=("s400",)), "png")


def _open_stances(page, server: str):
    # a server's very first session opened straight at a page runs it without app.py: open the root first
    page.goto(server)
    wait_for_app(page)
    page.goto(f"{server}/stances?topic=s400")
    wait_for_app(page)
    return page.locator('[data-testid="stMain"]')


def _png(download) -> Image.Image:
    return Image.open(io.BytesIO(download.path().read_bytes()))


def test_download_button_and_toolbar_give_the_same_print_size_and_name(page, server):
    """The PNG button and the toolbar's camera both save a 2x print-size PNG named after chart and filters."""
    main = _open_stances(page, server)
    chart = main.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    height = int(chart.evaluate("el => el.layout.height"))

    with page.expect_download(timeout=30_000) as button_download:
        main.locator(".st-key-stance_chart_png button").click()
    from_button = button_download.value
    assert from_button.suggested_filename == EXPECTED
    image = _png(from_button)
    assert image.size == (export.DEFAULT_WIDTH * 2, height * 2)
    assert len(image.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 10

    chart.hover()
    with page.expect_download(timeout=30_000) as toolbar_download:
        chart.locator('.modebar-btn[data-title^="Download plot"]').click()
    from_toolbar = toolbar_download.value
    assert from_toolbar.suggested_filename == EXPECTED
    assert _png(from_toolbar).size == image.size
    screenshot(page, "export_stances_buttons")


def test_csv_button_downloads_the_table(page, server):
    """The CSV button under the statements table downloads its rows after the filter header."""
    main = _open_stances(page, server)
    with page.expect_download(timeout=30_000) as info:
        main.get_by_role("button", name="CSV").last.click()
    text = info.value.path().read_text(encoding="utf-8")
    assert text.startswith("# Table:") and "# Filters: all dates · topic Turkey's S-400 systems" in text
    assert "no change in our position" in text
    screenshot(page, "export_stances_csv")


def test_brief_from_the_stances_chart_downloads_as_pdf_and_html(page, server):
    """'Add to brief' under the chart; on the Brief page a captioned brief saves, and its PDF and HTML downloads carry it."""
    main = _open_stances(page, server)
    main.get_by_role("button", name="Add to brief").click()
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("^brief$", re.I)).click()
    page.wait_for_url(re.compile(r"/brief"))
    wait_for_app(page)
    assert main.get_by_text("Figure 1. Stances over time").is_visible()
    caption = main.get_by_label("Caption")
    caption.fill("Turkey reaffirmed <retain>")
    caption.press("Enter")
    # saving shows a message from a run that has the caption: downloads clicked before that run ends are stale
    main.get_by_role("button", name="Save this brief").click()
    expect(main.get_by_text("Saved as brief-")).to_be_visible(timeout=30_000)
    wait_for_app(page)

    with page.expect_download(timeout=60_000) as pdf_info:
        main.get_by_role("button", name="Brief as PDF").click()
    assert pdf_info.value.suggested_filename == "brief_s400_start_now.pdf"
    pdf = pdf_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/Type\s*/Page\b", pdf)

    with page.expect_download(timeout=60_000) as html_info:
        main.get_by_role("button", name="Brief as HTML").click()
    brief_html = html_info.value.path().read_text(encoding="utf-8")
    assert "Turkey reaffirmed &lt;retain&gt;" in brief_html and "Sources cited" in brief_html and "<svg" in brief_html
    screenshot(page, "export_brief_page")
