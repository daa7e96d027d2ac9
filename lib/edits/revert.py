"""Reverting audited writes: one write, or every row of one import, back to the exact values before it.

Each audit row holds a row's values before and after a write (None for an insert or a delete), so a
revert deletes what was inserted, inserts back what was deleted and sets updated fields back. It is an
audited write itself (action ``revert #<audit id>`` or ``undo import #<id>``), so it can be reverted in
turn. When a later write changed the same row, putting the old values back would silently undo that
write too: the revert is refused with those later writes listed, unless the analyst confirms.

Bundle imports carry their import id in their audit rows' action (``import bundle #<id>``). Dataset
imports (GDELT, ICEWS, ACLED) audit one summary row per table, not row by row, and their rows carry no
import id: their undo is refused with that reason (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from lib import access, store
from lib.edits import rows
from lib.edits.records import EditRefused
from lib.ingest.bundle.apply import IMPORT_ACTION

UNDO_ACTION = "undo import #{}"


@dataclass(frozen=True)
class Change:
    """One audit row: which row of which table, and its values before and after the write."""

    audit_id: int
    table: str
    row_key: str
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _changes(con: duckdb.DuckDBPyConnection, where: str, params: list[Any]) -> list[Change]:
    found = con.execute(
        f"""select audit_id, table_name, row_key, action, before::varchar, after::varchar from audit_log
            where {where} order by audit_id desc""", params).fetchall()
    return [Change(a, t, k or "", act, json.loads(b) if b else None, json.loads(f) if f else None) for a, t, k, act, b, f in found]


def write_changes(con: duckdb.DuckDBPyConnection, audit_ids: list[int]) -> list[Change]:
    """The audit rows with these ids, newest first."""
    return _changes(con, "audit_id in (select unnest(?::bigint[]))", [audit_ids])


def import_changes(con: duckdb.DuckDBPyConnection, import_id: int) -> list[Change]:
    """Every row-level audit row of one import, newest first; EditRefused when the import cannot be undone, saying why."""
    found = con.execute("select format, status from imports where import_id = ?", [import_id]).fetchall()
    if not found:
        raise EditRefused([f"there is no import {import_id}"])
    fmt, status = found[0]
    if fmt != "bundle":
        raise EditRefused([f"import {import_id} is a {fmt.upper()} dataset import: it was audited as one summary row per table "
                           "and its rows carry no import id, so the rows it added cannot be told from others; "
                           "it cannot be undone (restore an exported bundle or a copy of the store instead)"])
    if status != "applied":
        raise EditRefused([f"import {import_id} was {status}: it changed nothing, so there is nothing to undo"])
    undone = con.execute("select min(logged_at) from audit_log where action = ?", [UNDO_ACTION.format(import_id)]).fetchall()[0][0]
    if undone is not None:
        raise EditRefused([f"import {import_id} was already undone at {undone:%Y-%m-%d %H:%M}: revert that undo to apply it again"])
    changes = _changes(con, "action = ?", [IMPORT_ACTION.format(import_id)])
    if not changes:
        raise EditRefused([f"import {import_id} has no row-by-row audit (imported before imports were tagged): it cannot be undone"])
    return changes


def later_writes(con: duckdb.DuckDBPyConnection, changes: list[Change]) -> list[Change]:
    """Writes after these changes to the same rows, not among them: what a revert would also undo."""
    ids = {c.audit_id for c in changes}
    later: dict[int, Change] = {}
    for change in changes:
        for other in _changes(con, "table_name = ? and row_key = ? and audit_id > ?", [change.table, change.row_key, change.audit_id]):
            if other.audit_id not in ids:
                later[other.audit_id] = other
    return sorted(later.values(), key=lambda c: c.audit_id, reverse=True)


def revert(con: duckdb.DuckDBPyConnection, changes: list[Change], who: access.Actor, action: str, *, confirmed: bool = False) -> int:
    """Put back each change's values before it, newest first, in one audited transaction; return the rows restored.

    Refuses (EditRefused listing them) when later writes changed the same rows, unless ``confirmed``.
    """
    if not changes:
        raise EditRefused(["nothing to revert"])
    if others := sorted({c.table for c in changes} - set(rows.KEYS)):
        raise EditRefused([f"writes of {', '.join(others)} are not data rows and cannot be reverted here"])
    later = later_writes(con, changes)
    if later and not confirmed:
        raise EditRefused([f"{c.table} {c.row_key} was changed since by '{c.action}' (audit {c.audit_id}): "
                           "confirm to overwrite that change too" for c in later])

    def write() -> int:
        with store.transaction(con, access.require(who, access.WRITE, "revert a change"), action) as audit:
            for change in sorted(changes, key=lambda c: c.audit_id, reverse=True):
                _restore(con, audit, change)
        return len(changes)

    return store.retry_on_conflict(write)


def _restore(con: duckdb.DuckDBPyConnection, audit: store.Audit, change: Change) -> None:
    """Make one row what it was before the change, and audit that as a write of its own."""
    key = rows.key_of(change.table, change.before or change.after or {}, change.row_key)
    current = rows.fetch(con, change.table, key)
    if change.before is None:  # an insert: delete it
        if current is not None:
            rows.delete(con, change.table, key)
        restored = None
    elif current is None:  # a delete (or a row deleted since): insert it back
        rows.insert(con, change.table, change.before)
        restored = change.before
    else:  # an update: the fields it wrote go back
        fields = {c: change.before.get(c) for c in (change.after or change.before) if c in change.before}
        rows.update(con, change.table, key, fields)
        restored = rows.fetch(con, change.table, key)
    audit.row(change.table, rows.row_key(change.table, key), current, restored)


def revert_write(con: duckdb.DuckDBPyConnection, audit_id: int, who: access.Actor, *, confirmed: bool = False) -> int:
    """Revert one audited write (one audit row); see :func:`revert`."""
    changes = write_changes(con, [audit_id])
    if not changes or (changes[0].before is None and changes[0].after is None):
        raise EditRefused([f"audit row {audit_id} records no row values (a summary line): it cannot be reverted"])
    return revert(con, changes, who, f"revert #{audit_id}", confirmed=confirmed)


def undo_import(con: duckdb.DuckDBPyConnection, import_id: int, who: access.Actor, *, confirmed: bool = False) -> int:
    """Undo every change of one bundle import; see :func:`revert` and :func:`import_changes`.

    Someone else's import needs the admin role (an analyst undoes their own)."""
    owner = con.execute("select who from imports where import_id = ?", [import_id]).fetchall()
    access.require_own(who, owner[0][0] if owner else None, access.ADMIN, f"undo import {import_id}")
    return revert(con, import_changes(con, import_id), who, UNDO_ACTION.format(import_id), confirmed=confirmed)
