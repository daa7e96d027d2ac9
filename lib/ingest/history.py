"""The `imports` log: one row for every import attempt, applied, unchanged or refused.

An applied import writes its row inside the data's own transaction (a crash
leaves both or neither, so a re-import never finds data without history and
calls it "unchanged"); a refused one writes it in a small transaction of its own.
"""

from __future__ import annotations

import json
import logging
from typing import NoReturn

import duckdb

from lib import store
from lib.ingest.report import ImportRefused, Problem

log = logging.getLogger(__name__)


def record(con: duckdb.DuckDBPyConnection, who: str, fmt: str, file_name: str, digest: str, status: str,
           counts: dict[str, dict[str, int]], message: str, import_id: int | None = None) -> int:
    """Insert the attempt's `imports` row inside the caller's transaction; its id (``import_id`` when the caller
    drew it already, so that its audit rows could name the import)."""
    import_id = import_id or store.next_id(con, "import_seq")
    con.execute(
        """insert into imports (import_id, who, format, file_name, sha256, rows, status, message)
           values (?, ?, ?, ?, ?, ?, ?, ?)""",
        [import_id, who, fmt, file_name, digest, json.dumps(counts), status, message[:2000]],
    )
    return import_id


def refuse(con: duckdb.DuckDBPyConnection, who: str, fmt: str, file_name: str, digest: str, problems: list[Problem]) -> NoReturn:
    """Log the refused attempt (its own small transaction) and raise the refusal; a store still busy only costs the log line."""
    refusal = ImportRefused(problems)
    try:
        with store.transaction(con, who, "log import"):
            record(con, who, fmt, file_name, digest, "refused", {}, refusal.first_line())
    except store.StoreBusy:
        log.warning("refused import of %s not logged: the store stayed busy", file_name)
    raise refusal
