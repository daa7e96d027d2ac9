"""In a real browser, markdown and HTML in actor and source names and javascript: document URLs stay text: no image is
fetched from the data, no script link exists."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.app.test_untrusted_text import make_hostile
from tests.browser.conftest import screenshot, serve, wait_for_app

TRAP = "127.0.0.1:9/"  # the host the hostile names point at: nothing listens there


@pytest.fixture(scope="module")
def hostile_server(seed_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over a copy of the seed store whose names hold markdown images, HTML and script links."""
    hostile = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    shutil.copy(seed_store_file, hostile)
    make_hostile(hostile)
    with serve(hostile, hostile.parent) as url:
        yield url


@pytest.mark.parametrize("path", ["/?actor=TUR-MSB", "/stances?actor=TUR-MSB", "/sources"])
def test_no_image_or_script_link_from_the_data(hostile_server: str, page: Page, path: str) -> None:
    """The page shows the hostile name as text, has no <img> or link to the trap host, no javascript: link, and the
    browser requests nothing from the trap host."""
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(hostile_server + path)
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("img.png", exact=False).first.wait_for(timeout=30_000)  # the name is on the page, as text
    wait_for_app(page)
    assert page.locator(f'img[src*="{TRAP}"]').count() == 0
    assert page.locator(f'a[href*="{TRAP}"]').count() == 0
    assert page.locator('a[href^="javascript:" i]').count() == 0
    assert not [url for url in requested if TRAP in url]
    screenshot(page, "hostile" + path.split("?")[0].replace("/", "_"))
