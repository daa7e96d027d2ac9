"""Logins and roles on the pages: the local-use notice, the exposure guard, and what each role is shown and may do."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from lib import access, store
from tests.app.conftest import APP, shown
from tests.conftest import ROOT

AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32, "client_id": "stancewatch",
        "client_secret": "secret", "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}
ROLES = '''default = "none"
[users]
"vera@example.org" = "viewer"
[groups]
"desk" = "analyst"
'''


@pytest.fixture
def signed_in(seeded_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """``signed_in(user_claims, page)``: the app with [auth] configured, the roles above, and this identity signed in."""
    monkeypatch.setenv("STANCEWATCH_DB", str(seeded_path))
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("STANCEWATCH_ROLES", str(roles))

    def start(claims: dict[str, object] | None, page: str = "overview") -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30)
        at.secrets["auth"] = AUTH
        at.user = {"is_logged_in": False} if claims is None else {"is_logged_in": True, **claims}
        at.run()
        if page != "overview":
            at.switch_page(str(ROOT / "views" / f"{page}.py"))
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return start


def _captions(at: AppTest) -> list[str]:
    """The sidebar's captions as shown (identities are plain text: escaped, an autolink broken by a word joiner)."""
    return [shown(c.value).replace("\u2060", "") for c in at.sidebar.caption]


def test_local_use_says_so_and_may_write(app) -> None:
    at = app("data")
    assert access.LOCAL_NOTICE in _captions(at)
    assert at.get("file_uploader")  # the Import section is there


def test_an_exposed_port_without_logins_is_refused(app) -> None:
    config.set_option("server.address", "0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=30).run()
    [error] = at.error
    assert "refuses to serve on address 0.0.0.0 without logins" in error.value and "--no-auth" in error.value
    assert not at.title  # no page ran


def test_no_auth_flag_accepts_the_risk(app, monkeypatch: pytest.MonkeyPatch) -> None:
    config.set_option("server.address", "0.0.0.0")
    monkeypatch.setattr(sys, "argv", [*sys.argv, "--no-auth"])
    at = app()
    assert not at.error
    assert access.LOCAL_NOTICE in _captions(at)


def test_a_visitor_is_asked_to_log_in(signed_in) -> None:
    at = signed_in(None)
    assert [b.key for b in at.button] == ["auth_login"]
    assert [t.value for t in at.title] == ["Stancewatch"]  # and nothing else of the app


def test_an_unknown_user_sees_nothing(signed_in) -> None:
    at = signed_in({"email": "stranger@example.org", "sub": "9"})
    assert "has no access" in at.warning[0].value
    assert not at.title and "Signed in as stranger@example.org (none)" in _captions(at)


def test_a_viewer_reads_but_has_no_write_controls(signed_in) -> None:
    data = signed_in({"email": "vera@example.org", "sub": "1"}, "data")
    assert not data.get("file_uploader")
    assert "Signed in as vera@example.org (viewer)" in _captions(data)
    assert [t.value for t in data.title] == ["Data"]
    sources = signed_in({"email": "vera@example.org", "sub": "1"}, "sources")
    assert "Save grade" not in [b.label for b in sources.button]


def test_an_analyst_grades_under_their_name(signed_in, seeded_path: Path) -> None:
    at = signed_in({"email": "ana@example.org", "sub": "2", "groups": ["desk"]}, "sources")
    assert at.get("file_uploader") == [] and "Signed in as ana@example.org (analyst)" in _captions(at)
    next(s for s in at.selectbox if s.label == "Grade").select("B2")
    next(b for b in at.button if b.label == "Save grade").click().run()
    assert not at.exception
    assert "Saved grade B2." in [m.value for m in at.success]
    con = store.connect(seeded_path)  # the same process shares the app's open database
    assert con.execute("select who from audit_log where action = 'set analyst grade'").fetchall() == [("ana@example.org",)]


def test_a_refusal_is_said_in_words_and_not_logged_as_a_fault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANCEWATCH_LOG", str(tmp_path / "dash.log"))

    def page() -> None:
        from lib import access, ui
        with ui.reported_errors("saving a grade"):
            access.require(access.User("vera@example.org", "viewer"), access.WRITE, "grade sources")

    at = AppTest.from_function(page).run()
    [error] = at.error
    assert "vera@example.org (viewer) may not grade sources: that needs the analyst role" in shown(error.value).replace("\u2060", "")
    assert not (tmp_path / "dash.log").exists()
