"""Logins against a real OpenID Connect provider (oidc-provider-mock: discovery, authorization code, tokens, JWKS)
on 127.0.0.1: a viewer finds no write controls, an analyst saves a grade under their own name, both log out."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest
import werkzeug.serving
from oidc_provider_mock import User, app

from tests.browser.conftest import free_port, screenshot, serve, wait_for_app

ROLES = '''default = "none"
[users]
"vera@example.org" = "viewer"
[groups]
"desk" = "analyst"
'''
IDENTITIES = [User(sub="vera", claims={"email": "vera@example.org", "name": "Vera"}),
              User(sub="ana", claims={"email": "ana@example.org", "name": "Ana", "groups": ["desk"]})]


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """The identity provider on a free loopback port, knowing Vera and Ana (one click each on its login form)."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=IDENTITIES), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@contextmanager
def with_logins(provider: str, store_file: Path, tmp: Path) -> Iterator[str]:
    """The app with [auth] pointing at the provider and a roles file; yields its URL (the store is tmp/store.duckdb)."""
    port = free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(f'''[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{'s' * 48}"
client_id = "stancewatch"
client_secret = "not-a-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"
client_kwargs = {{ scope = "openid email profile" }}
''', encoding="utf-8")
    roles = tmp / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    with serve(store_file, tmp, port=port, options=["--secrets.files", str(secrets)],
               env={"STANCEWATCH_ROLES": str(roles)}) as url:
        yield url


def _log_in(page, url: str, who: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator(".st-key-auth_login button").click()
    page.locator(f'button[name="sub"][value="{who}"]').click()  # the provider's own login form
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)


def _sidebar(page) -> str:
    """The sidebar's text as read (an email is shown with a word joiner before its @, so it never becomes a link)."""
    return page.locator('[data-testid="stSidebar"]').inner_text().replace("\u2060", "")


def _log_out(page, url: str) -> None:
    page.locator(".st-key-auth_logout button").click()
    page.get_by_role("button", name="End session").click()  # the provider ends its session, then sends us back
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)
    page.locator(".st-key-auth_login button").wait_for()


def test_viewer_then_analyst(page, provider: str, seed_store_file: Path, tmp_path: Path) -> None:
    with with_logins(provider, seed_store_file, tmp_path) as url:
        _viewer_and_analyst(page, url)
    with duckdb.connect(str(tmp_path / "store.duckdb"), read_only=True) as con:  # the server has let go of the file
        audited = con.execute("select who from audit_log where action like '%analyst grade'").fetchall()
    assert audited == [("ana@example.org",)]


def _viewer_and_analyst(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    assert page.locator(".st-key-auth_login").is_visible()  # nothing of the app before signing in
    assert not page.locator('[data-testid="stSidebarNav"]').count()

    _log_in(page, url, "vera")
    assert "Signed in as vera@example.org (viewer)" in _sidebar(page)
    assert not page.locator('[data-testid="stSidebarNav"] a[href$="/capture"]').count()
    page.goto(f"{url}/data")
    wait_for_app(page)
    page.get_by_role("heading", name="Import history").wait_for()
    assert not page.locator(".st-key-data_upload").count()
    page.goto(f"{url}/sources")
    wait_for_app(page)
    page.get_by_role("heading", name="Sources").first.wait_for()
    assert not page.get_by_role("button", name="Save grade").count()
    screenshot(page, "login-viewer-sources")
    _log_out(page, url)

    _log_in(page, url, "ana")
    assert "Signed in as ana@example.org (analyst)" in _sidebar(page)
    assert page.locator('[data-testid="stSidebarNav"] a[href$="/capture"]').count() == 1  # the viewer's check can fail
    page.goto(f"{url}/sources")
    wait_for_app(page)
    page.get_by_role("button", name="Save grade").click()
    page.get_by_text("Cleared: the derived grade is in force.").wait_for()
    screenshot(page, "login-analyst-graded")
    _log_out(page, url)


def test_an_exposed_port_without_logins_stops_the_server(page, seed_store_file: Path, tmp_path: Path) -> None:
    """`streamlit run app.py --server.address 0.0.0.0` without [auth] or --no-auth: the page says why, the server stops."""
    with serve(seed_store_file, tmp_path, options=["--server.address", "0.0.0.0"]) as url:
        page.goto(url)
        page.get_by_text("Stancewatch refuses to serve on address 0.0.0.0 without logins").wait_for(timeout=30_000)
        deadline = time.monotonic() + 30
        while _healthy(url) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not _healthy(url)
    assert "refuses to serve on address 0.0.0.0" in (tmp_path / "store.log").read_text()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
