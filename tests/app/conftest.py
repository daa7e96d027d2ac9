"""AppTest helpers: run the real app.py against a private copy of the seed store."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "app.py")


@pytest.fixture
def app(seeded_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Start the app at a page (file name under views/) with URL parameters, run it, and return the AppTest."""
    monkeypatch.setenv("STANCEWATCH_DB", str(seeded_path))

    def start(page: str = "overview", **params: str | list[str]) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=30)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if page != "overview":
            at.switch_page(str(ROOT / "views" / f"{page}.py"))
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert not [e.value for e in at.error if "internal error" in e.value]  # app.py turns a fault into this message
        return at

    return start


def shown(markdown: str) -> str:
    """The characters a markdown element shows: data text reaches markdown with its punctuation escaped (lib.safety.plain)."""
    return re.sub(r"\\(.)", r"\1", markdown)
