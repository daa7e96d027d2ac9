"""Reading and writing one stored row by its key, the shared ground of edits, deletes and reverts.

Keys are the bundle's (lib/ingest/bundle/spec.py); the event link tables, which have none, are keyed by
all their columns, as the bundle's audit rows are. Table names come from this allow-list only.
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from lib.ingest.bundle import SPEC_BY_TABLE

KEYS: dict[str, tuple[str, ...]] = {
    **{table: spec.key for table, spec in SPEC_BY_TABLE.items()},
    "event_actors": ("event_id", "actor_id", "role"),
    "event_documents": ("event_id", "document_id"),
}


def key_of(table: str, values: dict[str, Any], row_key: str) -> tuple[str, ...]:
    """The key of an audited row: from its values when they hold the key columns (a bundle's rows do), else from row_key."""
    if all(k in values for k in KEYS[table]):
        return tuple(str(values[k]) for k in KEYS[table])
    return split_key(table, row_key)


def split_key(table: str, key: str) -> tuple[str, ...]:
    """A joined key back into the key columns' values (joined by '/'; ids may hold '/', so only the last parts are split off)."""
    width = len(KEYS[table])
    if width == 1:
        return (key,)
    head, *tail = key.rsplit("/", width - 1)
    return (head, *tail)


def row_key(table: str, key: tuple[str, ...]) -> str:
    """The audit log's row_key: key values joined by '/', as the bundle import writes it."""
    return "/".join(key)


def _where(table: str) -> str:
    return " and ".join(f"{k} = ?" for k in KEYS[table])


def fetch(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...]) -> dict[str, Any] | None:
    """The stored row with this key as JSON-ready values (dates as ISO text), or None."""
    rows = con.execute(f"select to_json(t)::varchar from {table} t where {_where(table)}", list(key)).fetchall()
    if not rows:
        return None
    return json.loads(rows[0][0])


def _types(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    return dict(con.execute("select column_name, data_type from information_schema.columns where table_name = ?", [table]).fetchall())


def insert(con: duckdb.DuckDBPyConnection, table: str, values: dict[str, Any]) -> None:
    """Insert a row from JSON-ready values, each cast to its column's type."""
    types = _types(con, table)
    columns = [c for c in values if c in types]
    con.execute(f"insert into {table} ({', '.join(columns)}) values ({', '.join(f'cast(? as {types[c]})' for c in columns)})",
                [values[c] for c in columns])


def update(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], values: dict[str, Any]) -> None:
    """Set these columns of the row with this key, each value cast to its column's type."""
    types = _types(con, table)
    columns = [c for c in values if c in types]
    if columns:
        con.execute(f"update {table} set {', '.join(f'{c} = cast(? as {types[c]})' for c in columns)} where {_where(table)}",
                    [values[c] for c in columns] + list(key))


def delete(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...]) -> None:
    """Delete the row with this key."""
    con.execute(f"delete from {table} where {_where(table)}", list(key))
