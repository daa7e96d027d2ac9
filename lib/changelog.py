"""What changed the store, for the Overview and the Data page: the imports log, audit entries, edits since the last import.

Read queries over ``imports`` and ``audit_log`` (written by ``store.transaction``
and lib/ingest/history.py); values bound with ``?``.
"""

from __future__ import annotations

import duckdb
import pandas as pd


def recent_imports(con: duckdb.DuckDBPyConnection, limit: int = 5) -> pd.DataFrame:
    """The latest import attempts: imported_at, who, format, file_name, status, rows (JSON counts), message."""
    return con.execute(
        "select imported_at, who, format, file_name, status, rows, message from imports order by import_id desc limit ?",
        [limit],
    ).df()


def edits_since_last_import(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Audit entries written after the newest applied import (analyst edits): table_name, action, count."""
    return con.execute(
        """
        select table_name, action, count(*) as changes
        from audit_log
        where logged_at > coalesce((select max(imported_at) from imports where status = 'applied'), timestamp '1900-01-01')
          and action not like 'import%'
        group by all order by changes desc
        """
    ).df()


def import_history(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Import attempts, newest first: import_id, imported_at, who, format, file_name, status, message, sha256."""
    return con.execute(
        "select import_id, imported_at, who, format, file_name, status, message, sha256 from imports order by import_id desc limit ?",
        [limit],
    ).df()


AUDIT_TABLES = ("sources", "documents", "actors", "topics", "positions", "event_types", "events", "event_actors",
                "event_documents", "statements", "claims", "evidence", "imports", "acknowledgements", "briefs")


def audit_entries(con: duckdb.DuckDBPyConnection, table: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Audit log, newest first, optionally for one table: audit_id, logged_at, who, action, table_name, row_key, before, after."""
    return con.execute(
        """
        select audit_id, logged_at, who, action, table_name, row_key, before, after from audit_log
        where ? is null or table_name = ? order by audit_id desc limit ?
        """,
        [table, table, limit],
    ).df()
