"""Adding and editing one record: the same validation and audited upsert as a bundle row.

A form's values become the bundle cells of one row (``to_record``), which
``lib/ingest/bundle/validate.py`` checks exactly as it checks an imported row
(types, partial dates, vocabularies, references, formula-like text), and
``apply_staged`` writes with an audit row holding the values before and after.
So an edit cannot store what an import would refuse, and there is one set of
rules. Choices of actor, topic, position, source or document are by name:
``choices`` gives each key its readable label.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import duckdb

from lib import access, store
from lib.edits import rows
from lib.ingest.bundle import SPEC_BY_TABLE, Column, validate
from lib.ingest.bundle.apply import apply_staged
from lib.ingest.bundle.cells import escape, join_list, split_list, unescape
from lib.ingest.bundle.export import export_record

EDITABLE = ("actors", "sources", "documents", "events", "statements", "claims", "evidence", "topics", "positions")
"""Tables the analyst edits record by record, in the order the Data page offers them."""

_LABELS = {
    "sources": "select source_id as k, name as label from sources order by name",
    "documents": "select document_id as k, coalesce(title, document_id) || ' (' || document_id || ')' as label from documents "
                 "order by published_on desc nulls last, document_id",
    "actors": "select actor_id as k, name || ' (' || actor_id || ')' as label from actors order by name",
    "topics": "select topic_id as k, name as label from topics order by name",
    "positions": "select topic_id || '/' || position_code as k, label || ' (' || topic_id || ')' as label from positions "
                 "order by topic_id, ordinal desc",
    "events": "select event_id as k, strftime(occurred_on, '%Y-%m-%d') || ' ' || title as label from events "
              "where origin = 'curated' order by occurred_on desc, event_id",
    "statements": "select s.statement_id as k, strftime(s.stated_on, '%Y-%m-%d') || ' ' || coalesce(a.name, s.actor_id) || ': ' "
                  "|| coalesce(left(s.quote, 70), s.position_code, s.statement_id) as label "
                  "from statements s left join actors a using (actor_id) order by s.stated_on desc, s.statement_id",
    "claims": "select claim_id as k, strftime(claimed_on, '%Y-%m-%d') || ' ' || left(text, 80) as label from claims "
              "order by claimed_on desc, claim_id",
    "evidence": "select claim_id || '/' || evidence_type || '/' || evidence_id as k, "
                "claim_id || ' ' || relation || ' ' || evidence_type || ' ' || evidence_id as label from evidence "
                "order by claim_id, evidence_type, evidence_id",
}
CHOICE_LIMIT = 5000
"""Rows a selectbox offers at most (curated tables hold hundreds; a dataset's actors are reached by their names' order)."""


class EditRefused(Exception):
    """An edit, delete or revert refused, with the reasons in words (each problem names the column)."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = list(reasons)


def choices(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Every row of ``table`` as key -> readable label, in the order a picker lists them (composite keys joined by '/')."""
    return dict(con.execute(f"{_LABELS[table]} limit ?", [CHOICE_LIMIT]).fetchall())


def position_choices(con: duckdb.DuckDBPyConnection, topic_id: str | None) -> dict[str, str]:
    """The positions of one topic: code -> label, highest ordinal first."""
    return dict(con.execute("select position_code, label from positions where topic_id = ? order by ordinal desc",
                            [topic_id]).fetchall())


def columns(table: str) -> tuple[Column, ...]:
    """The fields of a record, as the bundle defines them (name, required, kind, vocabulary, reference)."""
    return SPEC_BY_TABLE[table].columns


def values(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...]) -> dict[str, Any] | None:
    """A stored record as form values: text unescaped, lists as lists, a boolean as bool; None when it is gone."""
    cells = export_record(con, SPEC_BY_TABLE[table], key)
    if cells is None:
        return None
    out: dict[str, Any] = {}
    for column in columns(table):
        text = unescape(cells[column.name])[0]
        if column.kind in ("list", "roles"):
            out[column.name] = split_list(text)
        elif column.kind == "bool":
            out[column.name] = {"true": True, "false": False}.get(text)
        else:
            out[column.name] = text or None
    return out


def to_record(table: str, form: dict[str, Any]) -> dict[str, str]:
    """Form values as the bundle cells of one row: text escaped, lists joined, so validation sees what an import would."""
    record: dict[str, str] = {}
    for column in columns(table):
        value = form.get(column.name)
        if value is None or value == "" or value == []:
            record[column.name] = ""
        elif column.kind in ("list", "roles"):
            record[column.name] = escape(join_list(str(v) for v in value))
        elif column.kind == "bool":
            record[column.name] = "true" if value else "false"
        else:
            record[column.name] = escape(str(value))
    return record


def save(con: duckdb.DuckDBPyConnection, table: str, form: dict[str, Any], who: access.Actor, *, new: bool) -> dict[str, dict[str, int]]:
    """Validate one record like a bundle row and upsert it in one audited transaction; raise EditRefused naming each problem.

    ``new`` refuses a key already in use (an add must not overwrite), and an edit of a key that is gone.
    """
    spec = SPEC_BY_TABLE[table]
    staged, problems = validate(con, {table: [(1, to_record(table, form))]}, {table: f"the {table} form"})
    if problems:
        raise EditRefused([f"{p.column}: {p.reason}" if p.column else p.reason for p in problems])
    row = staged[0].rows[0]
    key = tuple(str(row[k]) for k in spec.key)
    exists = rows.fetch(con, table, key) is not None
    if new and exists:
        raise EditRefused([f"{'/'.join(spec.key)}: '{'/'.join(key)}' is already in use: pick it under Edit, or choose another id"])
    if not new and not exists:
        raise EditRefused([f"'{'/'.join(key)}' is no longer in the store (deleted since the form opened)"])

    def write() -> dict[str, dict[str, int]]:
        with store.transaction(con, access.require(who, access.WRITE, f"edit {table}"), f"{'add' if new else 'edit'} {table}") as audit:
            return apply_staged(con, audit, staged[0])

    return store.retry_on_conflict(write)


def history(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], limit: int = 200) -> list[dict[str, Any]]:
    """The audit rows of one record, newest first: audit_id, logged_at, who, action, change (in words), before, after (JSON text)."""
    result = con.execute(
        """select audit_id, logged_at, who, action, before::varchar as before, after::varchar as after from audit_log
           where table_name = ? and row_key = ? order by audit_id desc limit ?""",
        [table, rows.row_key(table, key), limit])
    names = [d[0] for d in result.description]
    found = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
    for entry in found:
        entry["change"] = describe(json.loads(entry["before"]) if entry["before"] else None,
                                   json.loads(entry["after"]) if entry["after"] else None)
    return [{k: e[k] for k in ("audit_id", "logged_at", "who", "action", "change", "before", "after")} for e in found]


def describe(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """A change in words: 'added', 'deleted', or each written field that differs, 'position_code: retain → undecided'."""
    if before is None:
        return "added"
    if after is None:
        return "deleted"
    changed = [f"{c}: {before.get(c)} → {after[c]}" for c in after if c in before and before.get(c) != after[c]]
    return "; ".join(changed) or "no field changed"
