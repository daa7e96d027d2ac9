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
    """The PNG button and the toolbar's camera both save a print-size PNG named after chart and filters."""
    main = _open_stances(page, server)
    chart = main.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    height = int(chart.evaluate("el => el.layout.height"))

    with page.expect_download(timeout=30_000) as button_download:
        main.locator(".st-key-stance_chart_png button").click()
    from_button = button_download.value
    assert from_button.suggested_filename == EXPECTED
    image = _png(from_button)
    scale = export.DEFAULT_SCALE  # print-sized: the A4 text width at 3x
    assert image.size == (round(export.DEFAULT_WIDTH * scale), round(height * scale))
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
    # by the button's key: a search by name could pick Streamlit's own "Download as CSV" in the table toolbar
    with page.expect_download(timeout=30_000) as info:
        main.locator(".st-key-stance_table_csv button").click()
    assert info.value.suggested_filename == export.file_name("stances", Filters(topics=("s400",)), "csv")
    text = info.value.path().read_text(encoding="utf-8")
    assert text.startswith("# Table:") and "# Filters: all dates · topic Turkey's S-400 systems" in text
    assert "no change in our position" in text
    screenshot(page, "export_stances_csv")


def _download(page, main, key: str, timeout: int = 90_000):
    """Click the download button with this key and return the download."""
    with page.expect_download(timeout=timeout) as info:
        main.locator(f".st-key-{key} button").click()
    return info.value


def test_brief_downloads_as_pdf_html_docx_and_pptx(page, server):
    """'Add to brief' under the chart; on the Brief page a captioned brief saves, and its PDF, HTML, DOCX and PPTX
    downloads open back with the caption, the citations and a page per figure."""
    import docx
    import pptx

    main = _open_stances(page, server)
    main.locator(".st-key-stance_chart_brief button").click()
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=re.compile("^brief$", re.I)).click()
    page.wait_for_url(re.compile(r"/brief"))
    wait_for_app(page)
    assert main.get_by_text("Figure 1. Stances over time").is_visible()
    caption = main.get_by_label("Caption")
    caption.fill("Turkey reaffirmed <retain>")
    caption.press("Enter")
    marking = main.locator(".st-key-brief_marking input")
    marking.fill("FOR TRAINING ONLY")
    marking.press("Enter")
    wait_for_app(page)
    # saving shows a message from a run that has the caption: downloads clicked before that run ends are stale
    main.locator(".st-key-brief_save button").click()
    expect(main.get_by_text("Saved as brief-")).to_be_visible(timeout=30_000)
    wait_for_app(page)

    pdf_download = _download(page, main, "brief_pdf")
    assert pdf_download.suggested_filename == "brief_s400_start_now.pdf"
    pdf = pdf_download.path().read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/Type\s*/Page\b", pdf)

    brief_html = _download(page, main, "brief_html").path().read_text(encoding="utf-8")
    assert "Turkey reaffirmed &lt;retain&gt;" in brief_html and "Sources cited" in brief_html and "<svg" in brief_html
    assert "FOR TRAINING ONLY" in brief_html and "Rests on [1–4]" in brief_html

    document = docx.Document(io.BytesIO(_download(page, main, "brief_docx").path().read_bytes()))
    texts = [p.text for p in document.paragraphs]
    assert "Turkey reaffirmed <retain>" in texts and "Figure 1. Stances over time" in texts
    assert len(document.inline_shapes) == 1 and any(t.startswith("[1] ") for t in texts)
    assert document.sections[0].header.paragraphs[0].text == "FOR TRAINING ONLY"

    deck = pptx.Presentation(io.BytesIO(_download(page, main, "brief_pptx").path().read_bytes()))
    assert len(deck.slides) == 2
    figure_slide = " ".join(shape.text_frame.text for shape in deck.slides[1].shapes if shape.has_text_frame)
    assert "Figure 1. Stances over time" in figure_slide and "Turkey reaffirmed <retain>" in figure_slide
    screenshot(page, "export_brief_page")
