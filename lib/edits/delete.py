"""Deleting a record that others may cite: list what cites it, refuse, or delete it all once the analyst confirmed the list.

A two-step delete: ``citing`` is the preview (every row that would be left pointing at nothing, found
recursively, with readable names); ``delete`` refuses while that list is not empty unless ``cascade`` is
given, and then deletes the record and the whole list in one audited transaction, each row with its
values before, so that one revert (lib/edits/revert.py) puts everything back. An event's own links
(event_actors, event_documents) go with it and are not "citing".
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from lib import access, store
from lib.edits import rows
from lib.edits.records import EditRefused, choices
from lib.edits.rows import split_key

# table -> (citing table, condition on the citing table with one ? for the cited key)
_CITED_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "sources": (("documents", "source_id = ?"),),
    "documents": (("statements", "document_id = ?"), ("claims", "document_id = ?"), ("event_documents", "document_id = ?"),
                  ("evidence", "evidence_type = 'document' and evidence_id = ?"), ("documents", "list_contains(cites_document_ids, ?)")),
    "actors": (("statements", "actor_id = ?"), ("actors", "parent_actor_id = ?"), ("claims", "subject_actor_id = ?"),
               ("event_actors", "actor_id = ?")),
    "topics": (("positions", "topic_id = ?"), ("statements", "topic_id = ?"), ("claims", "topic_id = ?"), ("events", "topic_id = ?")),
    "events": (("evidence", "evidence_type = 'event' and evidence_id = ?"),),
    "statements": (("evidence", "evidence_type = 'statement' and evidence_id = ?"),),
    "claims": (("evidence", "claim_id = ?"), ("evidence", "evidence_type = 'claim' and evidence_id = ?")),
}
_OWNED = {"events": (("event_actors", "event_id = ?"), ("event_documents", "event_id = ?"))}
_POSITION_CITED_BY = (("statements", "topic_id = ? and position_code = ?"), ("claims", "topic_id = ? and asserted_position_code = ?"))


@dataclass(frozen=True)
class Item:
    """One row a delete would remove: its table, key and readable name."""

    table: str
    key: tuple[str, ...]
    label: str


def _keys(con: duckdb.DuckDBPyConnection, table: str, condition: str, params: list[str]) -> list[tuple[str, ...]]:
    """The keys of ``table``'s rows meeting ``condition``, in key order (DuckDB gives no order without one)."""
    columns = ", ".join(rows.KEYS[table])
    return [tuple(str(v) for v in r)
            for r in con.execute(f"select {columns} from {table} where {condition} order by {columns}", params).fetchall()]


def _direct(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...], relations: dict) -> list[tuple[str, tuple[str, ...]]]:
    if table == "positions":
        return [(t, k) for t, cond in _POSITION_CITED_BY for k in _keys(con, t, cond, list(key))]
    return [(t, k) for t, cond in relations.get(table, ()) for k in _keys(con, t, cond, [key[0]])]


def _label(labels: dict[str, dict[str, str]], con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...]) -> str:
    if table not in labels:
        labels[table] = choices(con, table) if table in ("sources", "documents", "actors", "topics", "positions", "events",
                                                          "statements", "claims", "evidence") else {}
    joined = rows.row_key(table, key)
    return labels[table].get(joined, joined)


def citing(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...]) -> list[Item]:
    """Every row that cites this record, directly or through rows that cite it, each once, nearest first."""
    seen: set[tuple[str, tuple[str, ...]]] = {(table, key)}
    queue = [(table, key)]
    found: list[Item] = []
    labels: dict[str, dict[str, str]] = {}
    while queue:
        current = queue.pop(0)
        for item in _direct(con, *current, _CITED_BY):
            if item not in seen:
                seen.add(item)
                queue.append(item)
                found.append(Item(item[0], item[1], _label(labels, con, *item)))
    return found


def delete(con: duckdb.DuckDBPyConnection, table: str, key: tuple[str, ...] | str, who: access.Actor, *,
           cascade: bool = False) -> list[Item]:
    """Delete one record; refuse (EditRefused listing them) when others cite it, unless ``cascade``: then delete them too.

    Returns what was deleted besides the record. One audited transaction; every deleted row keeps its values in the audit log.
    """
    key = split_key(table, key) if isinstance(key, str) else key
    if rows.fetch(con, table, key) is None:
        raise EditRefused([f"{table} '{rows.row_key(table, key)}' is not in the store"])
    cited = citing(con, table, key)
    if cited and not cascade:
        raise EditRefused([f"cited by {c.table} {c.label}" for c in cited])
    doomed = [(i.table, i.key) for i in reversed(cited)] + [(table, key)]

    def write() -> list[Item]:
        with store.transaction(con, access.require(who, access.WRITE, f"delete from {table}"), f"delete {table}") as audit:
            for doomed_table, doomed_key in doomed:
                for owned, cond in _OWNED.get(doomed_table, ()):
                    for link in _keys(con, owned, cond, [doomed_key[0]]):
                        _delete_row(con, audit, owned, link)
                _delete_row(con, audit, doomed_table, doomed_key)
        return cited

    return store.retry_on_conflict(write)


def _delete_row(con: duckdb.DuckDBPyConnection, audit: store.Audit, table: str, key: tuple[str, ...]) -> None:
    before = rows.fetch(con, table, key)
    if before is None:  # reached twice in the cascade
        return
    rows.delete(con, table, key)
    audit.row(table, rows.row_key(table, key), before, None)
