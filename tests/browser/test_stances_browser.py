"""Browser test of the Stances page: pick an actor, see its card and its line on the chart."""

from __future__ import annotations

from tests.browser.conftest import choose_option, screenshot, wait_for_app


def test_pick_actor_shows_card_and_chart(page, server):
    """Adding the ministry in the page's actor picker adds its card and its markers on the step chart."""
    page.goto(f"{server}/stances")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("Retain the systems").first.wait_for(timeout=30_000)
    picker = main.locator('[data-testid="stMultiSelect"]').filter(has_text="Actors")
    choose_option(page, picker, "Ministry of National Defence")
    page.keyboard.press("Escape")
    # the rerun may not have started yet when the picker closes: wait for its result, then for a quiet app
    main.locator(".st-key-stance_card_TUR-MSB").wait_for(timeout=30_000)
    wait_for_app(page)
    assert main.locator('[class*="st-key-stance_card_"]').count() == 2
    card = main.locator(".st-key-stance_card_TUR-MSB")
    assert card.get_by_text("Ministry of National Defence").is_visible()
    assert card.get_by_text("Retain the systems").is_visible()
    assert card.get_by_text("contradicted: Russia approached Ankara", exact=False).is_visible()
    assert "actor=TUR&actor=TUR-MSB" in page.url
    chart = main.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    chart.locator(".scatterlayer .point").first.wait_for(timeout=30_000)
    assert chart.locator(".scatterlayer .point").count() >= 4
    assert chart.locator(".legendtext", has_text="reaffirmed").count() == 1
    screenshot(page, "stances_two_actors")
