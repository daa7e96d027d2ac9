"""Helpers the robustness tests share: a store's fingerprint, and the check that a refusal changed nothing but `imports`."""

from __future__ import annotations

import hashlib

import duckdb

from lib import store
from lib.ingest.report import ImportRefused


def fingerprint(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """Each data table's row count and a checksum of its sorted rows, plus the audit log's size."""
    tables = (*store.TABLES, "audit_log")
    out = {}
    for table in tables:
        rows = sorted(map(repr, con.execute(f"select * exclude (logged_at) from {table}" if table == "audit_log"
                                            else f"select * from {table}").fetchall()))
        out[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return out


def assert_refused_cleanly(con: duckdb.DuckDBPyConnection, refused: ImportRefused, before: dict, version: int) -> None:
    """The refusal names a file for every problem; the data and audit are as before; only the `imports` row was added."""
    assert refused.problems, refused
    assert all(p.file for p in refused.problems), refused.problems
    assert fingerprint(con) == before
    assert store.data_version(con) == version + 1
    assert con.execute("select status from imports order by import_id desc limit 1").fetchall() == [("refused",)]
