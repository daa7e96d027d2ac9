"""Browser test of the Stances page: pick an actor, see its card and its line on the chart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lib import charts
from tests.browser.conftest import choose_option, screenshot, serve, wait_for_app


@pytest.fixture(scope="module")
def hedge_server(hedge_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a state's record with two ministers' one-off hedges."""
    with serve(hedge_store_file, tmp_path_factory.mktemp("hedge_browser")) as url:
        yield url


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
    assert card.get_by_text("Retain the systems", exact=True).is_visible()
    assert card.get_by_text("none reported").is_visible()  # Nefes' claim is about Russia: the ministry is its witness
    assert "actor=TUR&actor=TUR-MSB" in page.url
    chart = main.locator(".js-plotly-plot").first
    chart.scroll_into_view_if_needed()
    chart.locator(".scatterlayer .point").first.wait_for(timeout=30_000)
    assert chart.locator(".scatterlayer .point").count() >= 4
    assert chart.locator(".legendtext", has_text="reaffirmed").count() == 1
    screenshot(page, "stances_two_actors")


def test_one_off_hedges_are_divergent_voices_not_shifts(page, hedge_server):
    """Turkey's card on a record with two ministers' one-off hedges: no shift, held since 2017, both voices named."""
    page.goto(f"{hedge_server}/stances?topic=s400&actor=TUR")
    wait_for_app(page)
    card = page.locator('[data-testid="stMain"] .st-key-stance_card_TUR')
    card.wait_for(timeout=30_000)
    text = card.inner_text()
    assert "Retain the systems since 10 Mar 2017; no shift; 2 divergent statements not taken up." in text
    assert "divergent: Foreign Minister of Turkey, 5 Oct 2017: Undecided or open to a compromise" in text
    assert "divergent: Defence Minister of Turkey, 11 Feb 2021: Undecided or open to a compromise" in text
    chart = page.locator('[data-testid="stMain"] .js-plotly-plot').first
    chart.scroll_into_view_if_needed()
    chart.locator(".legendtext", has_text="divergent").wait_for(timeout=30_000)
    assert chart.locator(".legendtext", has_text="shifted").count() == 0
    screenshot(page, "stances_hedges")


@pytest.fixture(scope="module")
def dense_server(dense_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a synthetic record of 3,000 statements and 1,000 claims."""
    with serve(dense_store_file, tmp_path_factory.mktemp("dense_stances")) as url:
        yield url


def test_a_large_record_draws_its_shifts_and_voices_in_few_marks(page, dense_server):
    """Hundreds of statements on the default topic: the chart keeps the shifted, reaffirmed and divergent marks and
    the claims lane, in at most MARK_BUDGET SVG marks, and says that a larger mark stands for several."""
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(f"{dense_server}/stances")
    wait_for_app(page)
    chart = page.locator('[data-testid="stMain"] .st-key-stance_chart .js-plotly-plot')
    chart.scroll_into_view_if_needed()
    chart.locator(".scatterlayer .point").first.wait_for(timeout=60_000)
    for meaning in ("shifted", "reaffirmed", "divergent", "claim open"):
        assert chart.locator(".legendtext", has_text=meaning).count() == 1, meaning
    assert chart.locator(".scatterlayer .point").count() <= charts.MARK_BUDGET
    assert "A larger mark stands for several" in chart.locator(".gtitle-subtitle").text_content()
    screenshot(page, "stances_merged")
