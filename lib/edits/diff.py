"""What a bundle import would change, before it commits: new rows, each changed field's old and new value, likely duplicates.

Computed from the validated staged rows (lib/ingest/bundle/validate.py) against the stored rows, with
the same comparison the upsert makes (a column the file leaves out is not compared; a row whose given
columns all equal the store's is unchanged). A new actor whose name or alias equals an existing actor's
name or alias, ignoring case and diacritics (Türkiye / TURKIYE), is flagged as a likely duplicate.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from lib.ingest.bundle import Staged
from lib.ingest.bundle.apply import stage_bundle
from lib.ingest.report import Problem

NEW_ROW = "(new row)"
"""The field column of a row the import adds."""


@dataclass(frozen=True)
class FieldChange:
    """One line of the preview: a new row (field NEW_ROW, new = its readable name) or one changed field of a stored row."""

    table: str
    key: str
    field: str
    old: str
    new: str


@dataclass
class BundleDiff:
    """The preview of one bundle against the store."""

    changes: list[FieldChange]
    duplicates: list[str]
    problems: list[Problem]
    counts: dict[str, int]
    """Rows per table in the bundle (empty when it has problems)."""

    @property
    def added(self) -> int:
        return sum(c.field == NEW_ROW for c in self.changes)

    @property
    def changed_fields(self) -> int:
        """Fields of existing rows the import would overwrite: what the analyst confirms before importing."""
        return sum(c.field != NEW_ROW for c in self.changes)

    def as_rows(self) -> list[dict[str, str]]:
        return [vars(c) for c in self.changes]


def fold(text: str) -> str:
    """A name for comparison: case and diacritics dropped, white space collapsed (Türkiye -> turkiye)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def diff_bundle(con: duckdb.DuckDBPyConnection, path: Path) -> BundleDiff:
    """Read and check a bundle without writing, and compare what it would write with the store."""
    staged, problems = stage_bundle(con, path)
    if problems:
        return BundleDiff([], [], problems, {})
    return BundleDiff([c for table in staged for c in diff_staged(con, table)], duplicate_actors(con, staged), [],
                      {s.spec.table: len(s.rows) for s in staged})


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(":".join(v) if isinstance(v, tuple | list) else str(v) for v in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _same(stored: Any, new: Any) -> bool:
    if isinstance(stored, dt.date) and isinstance(new, str):
        return stored.isoformat() == new
    if isinstance(stored, list | tuple) or isinstance(new, list | tuple):
        return list(stored or []) == list(new or [])
    return stored == new


def _name(row: dict[str, Any]) -> str:
    for column in ("name", "title", "label", "text", "quote"):
        if row.get(column):
            return str(row[column])
    return ""


def diff_staged(con: duckdb.DuckDBPyConnection, staged: Staged) -> list[FieldChange]:
    """The changes one staged table would make: new rows, then each differing given column of stored rows, in file order."""
    table, key_columns = staged.spec.table, staged.spec.key
    link_columns = {"actor_ids", "document_ids"}
    columns = [c for c in staged.columns if c not in link_columns and c not in key_columns]
    keys = ["/".join(str(r[k]) for k in key_columns) for r in staged.rows]
    key_sql = " || '/' || ".join(key_columns)
    result = con.execute(f"select {key_sql} as stage_key, * from {table} where {key_sql} in (select unnest(?::varchar[]))", [keys])
    names = [d[0] for d in result.description]
    stored = {r[0]: dict(zip(names, r, strict=True)) for r in result.fetchall()}
    links = _stored_links(con, [k for k in keys if k in stored]) if table == "events" else {}
    out: list[FieldChange] = []
    for key, row in zip(keys, staged.rows, strict=True):
        before = stored.get(key)
        if before is None:
            out.append(FieldChange(table, key, NEW_ROW, "", _name(row)))
            continue
        for column in columns:
            if not _same(before.get(column), row.get(column)):
                out.append(FieldChange(table, key, column, _text(before.get(column)), _text(row.get(column))))
        for column in link_columns & set(staged.columns):
            old, new = sorted(links.get(column, {}).get(key, [])), sorted(_text([v]) for v in row.get(column) or [])
            if old != new:
                out.append(FieldChange(table, key, column, "; ".join(old), "; ".join(new)))
    return out


def _stored_links(con: duckdb.DuckDBPyConnection, events: list[str]) -> dict[str, dict[str, list[str]]]:
    """The stored events' actor and document links, in the bundle's text form ('TUR:initiator')."""
    actors = con.execute("select event_id, list(actor_id || ':' || role) from event_actors where event_id in (select unnest(?::varchar[])) "
                         "group by event_id", [events]).fetchall()
    documents = con.execute("select event_id, list(document_id) from event_documents where event_id in (select unnest(?::varchar[])) "
                            "group by event_id", [events]).fetchall()
    return {"actor_ids": dict(actors), "document_ids": dict(documents)}


def duplicate_actors(con: duckdb.DuckDBPyConnection, staged: list[Staged]) -> list[str]:
    """New actors whose name or an alias matches an existing actor's, ignoring case and diacritics, in words."""
    new = [r for s in staged if s.spec.table == "actors" for r in s.rows]
    if not new:
        return []
    existing: dict[str, list[str]] = {}
    for actor_id, name, aliases in con.execute("select actor_id, name, aliases from actors").fetchall():
        for word in [name, *(aliases or [])]:
            existing.setdefault(fold(word), []).append(f"{name} ({actor_id})")
    stored_ids = {k for (k,) in con.execute("select actor_id from actors where actor_id in (select unnest(?::varchar[]))",
                                             [[r["actor_id"] for r in new]]).fetchall()}
    found = []
    for row in new:
        if row["actor_id"] in stored_ids:
            continue
        for word in [row["name"], *(row.get("aliases") or [])]:
            if matches := existing.get(fold(word)):
                found.append(f"new actor {row['name']} ({row['actor_id']}): '{word}' matches {', '.join(sorted(set(matches)))}"
                             " - likely the same actor")
                break
    return found

