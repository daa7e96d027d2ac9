"""Browser test of the Capture page: paste a seed-style article, commit, and find the statement on Stances."""

from __future__ import annotations

from tests.browser.conftest import choose_option, screenshot, wait_for_app

ARTICLE = """Turkey again says no change on S-400s

Nefes reported on October 7, 2025 that Russia had renewed its request to take back the S-400 systems.

"The S-400 air defense systems are in our inventory, and there is no change in our position," Turkish defence ministry sources said on October 9, 2025.
"""


def test_paste_commit_then_stances_shows_reaffirmation(page, server):
    """A pasted article's ministry statement, committed, is the ministry's last statement on Stances, a reaffirmation."""
    page.goto(f"{server}/capture")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.locator(".st-key-capture_text textarea").fill(ARTICLE)
    choose_option(page, main.locator(".st-key-capture_source"), "News About Turkey · nat")
    main.locator(".st-key-capture_propose button").click()
    main.get_by_text("Preview: exactly what will be written").wait_for(timeout=30_000)
    wait_for_app(page)
    assert main.locator('[class*="st-key-capture_statements_"]').count() == 1
    assert main.get_by_text("statements.csv — 1 row(s)").is_visible()
    screenshot(page, "capture_review")
    main.get_by_text("Preview: exactly what will be written").scroll_into_view_if_needed()
    screenshot(page, "capture_preview")
    main.locator(".st-key-capture_commit button").click()
    main.get_by_text("Committed in one audited import.").wait_for(timeout=30_000)
    wait_for_app(page)

    page.goto(f"{server}/stances?topic=s400&actor=TUR-MSB")
    wait_for_app(page)
    card = main.locator(".st-key-stance_card_TUR-MSB")
    card.wait_for(timeout=30_000)
    assert card.get_by_text("9 Oct 2025").is_visible()
    assert card.get_by_text("2 since taken up", exact=True).is_visible()  # the card's reaffirmations
    screenshot(page, "capture_then_stances")
