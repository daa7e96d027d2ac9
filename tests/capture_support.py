"""The capture tests' store: the seed case plus the actors and sources the labelled articles name."""

from __future__ import annotations

import duckdb

from lib.ingest.bundle import import_bundle
from tests.conftest import ROOT

CAPTURE_DATA = ROOT / "tests" / "data" / "capture"
ARTICLES = CAPTURE_DATA / "articles"


def add_capture_actors(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Import tests/data/capture/store (ministries, officials, outlets) on top of the seed store."""
    import_bundle(con, CAPTURE_DATA / "store", who="tests")
    return con
