"""Shared fixtures: temporary stores, empty or holding the seed case."""

from __future__ import annotations

import functools
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest

from lib import store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"
HEDGE = ROOT / "tests" / "data" / "hedge_bundle"
"""A state's line kept by its president 2017-2025, with one-off hedges by two ministers (no shift of the state)."""
REALDATA = ROOT.parent / "shared" / "realdata"


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty store in a temporary file, closed after the test."""
    connection = store.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


def store_of(bundle: Path, folder: Path) -> Path:
    """A store file in ``folder`` holding one bundle."""
    from lib.ingest.bundle import import_bundle

    path = folder / f"{bundle.name}.duckdb"
    connection = store.connect(path)
    import_bundle(connection, bundle, who="tests")
    connection.close()
    return path


@pytest.fixture(scope="session")
def seed_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the seed case, built once per session; copy it before writing."""
    return store_of(SEED, tmp_path_factory.mktemp("seed"))


@pytest.fixture(scope="session")
def hedge_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file holding the hedge bundle, built once per session; copy it before writing."""
    return store_of(HEDGE, tmp_path_factory.mktemp("hedge"))


@pytest.fixture
def seeded_path(seed_store_file: Path, tmp_path: Path) -> Path:
    """A private copy of the seed store that a test may change."""
    target = tmp_path / "seeded.duckdb"
    shutil.copy(seed_store_file, target)
    return target


@pytest.fixture
def seeded(seeded_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a private copy of the seed store."""
    connection = store.connect(seeded_path)
    yield connection
    connection.close()


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[tuple]:
    """Wrap ``owner.name`` so that each call's arguments after the connection are recorded; return the record.

    For tests that hold a page or a lib function to running a query once.
    """
    calls: list[tuple] = []
    original = getattr(owner, name)

    @functools.wraps(original)
    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1:])
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


@contextmanager
def holding_write(con: duckdb.DuckDBPyConnection, who: str, action: str, seconds: float = 30) -> Iterator[None]:
    """Another thread holds a write transaction on ``con`` (a cursor) for the with block, or ``seconds`` if shorter.

    For tests of writers that must wait their turn, or give up waiting.
    """
    started, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.transaction(con, who, action):
            started.set()
            release.wait(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert started.wait(10), "the holding write did not start"
    try:
        yield
    finally:
        release.set()
        thread.join(10)
