"""The layering rules of docs/ARCHITECTURE.md, checked on the source tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PY_FILES = sorted(p for p in [*ROOT.glob("lib/**/*.py"), *ROOT.glob("views/*.py"), ROOT / "app.py"])
STREAMLIT_ALLOWED = {"lib/ui.py", "app.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_only_ui_and_pages_import_streamlit(path: Path) -> None:
    """streamlit is imported only by app.py, views/ and lib/ui.py, so lib stays testable without a browser."""
    rel = str(path.relative_to(ROOT))
    if rel in STREAMLIT_ALLOWED or rel.startswith("views/"):
        return
    assert "streamlit" not in _imports(path), f"{rel} imports streamlit"


@pytest.mark.parametrize("path", PY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_html_rendering_of_user_text(path: Path) -> None:
    """No page or helper turns on streamlit's raw-HTML rendering, so typed text never becomes markup."""
    assert "unsafe_allow_html=True" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", [*sorted(ROOT.glob("views/*.py")), ROOT / "app.py"], ids=lambda p: p.name)
def test_pages_run_no_sql(path: Path) -> None:
    """Pages hold no SQL: each feature's queries live in lib beside its logic (docs/ARCHITECTURE.md)."""
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\.execute\(|\bselect\b.+\bfrom\b", text, flags=re.IGNORECASE), path.name


def test_every_page_is_in_the_navigation() -> None:
    """Each file in views/ is reachable from app.py's navigation, and each navigation entry exists."""
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    listed = set(re.findall(r'"views" / "(\w+\.py)"', app))
    present = {p.name for p in (ROOT / "views").glob("*.py")}
    assert listed == present


@pytest.mark.parametrize("path", [*sorted(ROOT.glob("views/*.py")), ROOT / "app.py", ROOT / "lib" / "ui.py"], ids=lambda p: p.name)
def test_the_dashboard_writes_as_the_signed_in_user(path: Path) -> None:
    """Dashboard writes pass the session's user (lib/access.py checks its role); a name as a string would skip the check."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                assert not (keyword.arg == "who" and isinstance(keyword.value, ast.Constant)), f"{path.name}:{node.lineno}"
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "acknowledge_shifts":
            assert any(k.arg == "who" for k in node.keywords), f"{path.name}:{node.lineno}: acknowledge as the user"


STORE_IMPORTS_AT_MODULE_LEVEL = {"lib.backend"}
STORE_IMPORTS_AT_CALL_TIME = {"lib.derived"}
"""lib/derived.py reads the store and the feature SQL (series, search index) while store.transaction must run it:
the one import store makes at call time, so that the dependency runs from the features to the store."""


def _lib_imports(tree: ast.AST) -> list[tuple[str, bool]]:
    """Each lib module a module imports, with whether the import sits inside a function."""
    inside = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) for n in ast.walk(f)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in inside) for alias in node.names if alias.name.split(".")[0] == "lib"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "lib":
            names = [f"{node.module}.{a.name}" for a in node.names] if node.module == "lib" else [node.module]
            found += [(name, id(node) in inside) for name in names]
    return found


def test_store_imports_no_feature_package() -> None:
    """lib/store.py reads no feature's SQL (the upkeep of derived data is lib/derived.py's), so store and the
    features no longer import each other; its only import at call time is lib.derived."""
    found = _lib_imports(ast.parse((ROOT / "lib" / "store.py").read_text(encoding="utf-8")))
    assert {name for name, late in found if not late} == STORE_IMPORTS_AT_MODULE_LEVEL
    assert {name for name, late in found if late} == STORE_IMPORTS_AT_CALL_TIME


def test_lib_imports_are_found() -> None:
    """The import finder above sees both kinds, so the store test can fail."""
    found = _lib_imports(ast.parse("from lib import store\ndef f():\n    from lib.timeline import queries\n    import lib.catalog\n"))
    assert sorted(found) == [("lib.catalog", True), ("lib.store", False), ("lib.timeline", True)]
