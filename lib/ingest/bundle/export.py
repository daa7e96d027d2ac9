"""Exporting the curated store as a bundle of CSVs that imports back to the same rows.

Text is written through ``cells.escape`` (a formula-like start gets an
apostrophe the importer takes off) and lists through ``cells.join_list``, so the
store's own export restores it whatever the text holds (docs/IMPORT.md).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from lib.ingest.bundle.cells import escape, join_list
from lib.ingest.bundle.spec import SPECS, Column, TableSpec


def export_bundle(con: duckdb.DuckDBPyConnection, out_dir: Path) -> dict[str, int]:
    """Write the curated store as a bundle of CSVs (same layout as the import; importing it back gives the same rows)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    for spec in SPECS:
        rows = list(_export_rows(con, spec))
        with (out_dir / f"{spec.table}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([c.name for c in spec.columns])
            writer.writerows(rows)
        counts[spec.table] = len(rows)
    return counts


def export_record(con: duckdb.DuckDBPyConnection, spec: TableSpec, key: tuple[str, ...]) -> dict[str, str] | None:
    """One stored row as the bundle cells that would import back to it (an edit form starts from them), or None."""
    where = " and ".join(f"{k} = ?" for k in spec.key)
    rows = list(_export_rows(con, spec, f"select * from ({_EXPORT_SQL.get(spec.table, f'select * from {spec.table}')}) where {where}", key))
    return dict(zip((c.name for c in spec.columns), rows[0], strict=True)) if rows else None


def _export_rows(con: duckdb.DuckDBPyConnection, spec: TableSpec, sql: str = "", params: tuple[str, ...] = ()) -> Iterator[list[str]]:
    sql = sql or _EXPORT_SQL.get(spec.table, f"select * from {spec.table}")
    result = con.execute(sql + f" order by {', '.join(spec.key)}", list(params))
    names = [d[0] for d in result.description]
    for values in result.fetchall():
        record = dict(zip(names, values, strict=True))
        yield [_export_cell(spec, column, record) for column in spec.columns]


_EXPORT_SQL = {
    "events": """select e.*,
        (select list(actor_id || ':' || role order by role, actor_id) from event_actors a
         where a.event_id = e.event_id) as actor_ids,
        (select list(document_id order by document_id) from event_documents d
         where d.event_id = e.event_id) as document_ids
        from events e where e.origin = 'curated'""",
}


def _export_cell(spec: TableSpec, column: Column, record: dict[str, Any]) -> str:
    value = record.get(column.target)
    if value is None:
        return ""
    if column.kind == "date":
        precision = record.get(spec.precision_column) or "day"
        return {"year": f"{value:%Y}", "month": f"{value:%Y-%m}"}.get(precision, value.isoformat())
    if column.kind in ("list", "roles"):
        return escape(join_list(str(v) for v in value))
    if column.kind == "bool":
        return "true" if value else "false"
    if column.kind == "int":
        return str(value)
    return escape(str(value))

