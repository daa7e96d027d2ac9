"""Shared fixtures: temporary stores, empty or holding the seed case."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import settings

from lib import backend as backends
from lib import store
from tests import pg

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed"
HEDGE = ROOT / "tests" / "data" / "hedge_bundle"
"""A state's line kept by its president 2017-2025, with one-off hedges by two ministers (no shift of the state)."""
REALDATA = ROOT.parent / "shared" / "realdata"

settings.register_profile("stancewatch", deadline=None)
settings.load_profile("stancewatch")
"""No per-example wall-clock deadline for property tests: on a 2-core host with the tests running on every core, an
example's time measures the neighbours (a 58 ms example took 266 ms once, and hypothesis called that a failure).
Speed has its own benchmarks in bench/."""


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty store in a temporary file, closed after the test."""
    connection = store.connect(tmp_path / "test.duckdb")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.Server]:
    """A throwaway PostgreSQL for the session (tests/pg.py); skipped loudly without one, an error when CI requires it."""
    try:
        server = pg.start()
    except (OSError, RuntimeError) as exc:
        if os.environ.get(pg.REQUIRE_ENV) == "1":
            raise
        pytest.skip(f"NO POSTGRESQL: team-store tests skipped ({exc}); ${pg.REQUIRE_ENV}=1 makes this an error")
    yield server
    server.stop()


BACKENDS = ("file", "lake")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each store backend in turn: the DuckDB file, and DuckLake on the throwaway PostgreSQL."""
    return request.param


@pytest.fixture(scope="session")
def lake_seed(postgres: pg.Server, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A team store holding the seed case, built once per session: (its database, its data path). Tests write copies
    (:func:`any_seeded_setting`): PostgreSQL copies the catalog, the immutable Parquet files are shared."""
    from lib.ingest.bundle import import_bundle

    data = str(tmp_path_factory.mktemp("lake-seed"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(backends.DATA_PATH_ENV, data)
        postgres.run("createdb", "seed")
        connection = store.connect(f"ducklake:postgres:{postgres.conninfo('seed')}")
        import_bundle(connection, SEED, who="tests")
        connection.close()
    return "seed", data


@pytest.fixture
def any_setting(backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new empty store's setting on each backend."""
    if backend == "file":
        return str(tmp_path / "test.duckdb")
    server: pg.Server = request.getfixturevalue("postgres")
    monkeypatch.setenv(backends.DATA_PATH_ENV, str(tmp_path / "lake-data"))
    return f"ducklake:postgres:{server.new_database()}"


@pytest.fixture
def any_seeded_setting(backend: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The setting of a private copy of the seed store on each backend."""
    if backend == "file":
        return str(request.getfixturevalue("seeded_path"))
    server: pg.Server = request.getfixturevalue("postgres")
    template, data = request.getfixturevalue("lake_seed")
    monkeypatch.setenv(backends.DATA_PATH_ENV, data)
    return f"ducklake:postgres:{server.new_database(template)}"


@pytest.fixture
def any_con(any_setting: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """An empty store on each backend, closed after the test."""
    connection = store.connect(any_setting)
    yield connection
    connection.close()


@pytest.fixture
def any_seeded(any_seeded_setting: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A private copy of the seed store on each backend, closed after the test."""
    connection = store.connect(any_seeded_setting)
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


@contextmanager
def store_copy(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a throwaway copy of a store file, for a property test's example (function fixtures are shared
    between hypothesis' examples)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "store.duckdb"
        shutil.copy(path, copy)
        connection = store.connect(copy)
        try:
            yield connection
        finally:
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
