"""Commit: the reviewed rows are written as a bundle folder and imported like any bundle, so a captured
statement passes the same validation, in one audited transaction, and a refusal changes nothing.

Cells are written as the bundle export writes them (``cells.escape``): a quote that starts with '-' or
'=' is text the importer takes back as written, not a formula it refuses.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import duckdb

from lib import access
from lib.capture.review import BUNDLE_COLUMNS
from lib.ingest.bundle import import_bundle
from lib.ingest.bundle.cells import escape
from lib.ingest.report import ImportResult


def write_bundle(tables: dict[str, list[dict[str, str]]], folder: Path) -> list[Path]:
    """One CSV per table (named after it, header first, UTF-8), as docs/IMPORT.md describes."""
    written = []
    for table, rows in tables.items():
        path = Path(folder) / f"{table}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(BUNDLE_COLUMNS[table]))
            writer.writeheader()
            writer.writerows({column: escape(str(value)) for column, value in row.items()} for row in rows)
        written.append(path)
    return written


def commit(con: duckdb.DuckDBPyConnection, tables: dict[str, list[dict[str, str]]], who: access.Actor,
           name: str = "capture") -> ImportResult:
    """Import exactly these rows through `import_bundle`; raises ImportRefused (file, row, column, reason)."""
    access.require(who, access.WRITE, "commit captured rows")
    if not tables:
        raise ValueError("nothing accepted: accept at least one row before committing")
    with tempfile.TemporaryDirectory(prefix="stancewatch-capture-") as tmp:
        folder = Path(tmp) / name
        folder.mkdir()
        write_bundle(tables, folder)
        return import_bundle(con, folder, who)
