"""Validating a bundle's raw rows: types, partial dates, vocabularies, formula-like cells, duplicate keys and references."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from lib import store
from lib.dates import parse_partial_date
from lib.ingest import limits
from lib.ingest.bundle.cells import ESCAPE, FORMULA_STARTS, looks_like_formula, split_list, unescape
from lib.ingest.bundle.spec import EVIDENCE_TABLE, KEY_COLUMN, SPECS, Column, RawRows, TableSpec
from lib.ingest.bundle.typed import FAST_PATH_ROWS, INT_RANGE, literal, pick_rows, present_columns, raw_table, type_cells, typed_schema
from lib.ingest.report import Problem
from lib.phrases import flags
from lib.vocab import EVENT_ROLES

_GRADE = re.compile(r"[A-F][1-6]?")
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


class _Bounds(NamedTuple):
    """Limits read once per bundle, not once per cell."""

    key_chars: int
    last_year: int


@dataclass
class Staged:
    """Validated rows of one table in store columns (``columns``; events also carry their link lists), as one Arrow table.

    ``table`` also holds ``_n`` (the row's place among the file's rows) and ``_line`` (its row in the file).
    """

    spec: TableSpec
    file: str
    table: pa.Table
    columns: list[str]

    @cached_property
    def rows(self) -> list[dict[str, Any]]:
        """The rows as dicts of Python values (an event's actors as (actor, role) pairs): for edits and previews."""
        rows = self.table.drop_columns(["_n", "_line"]).to_pylist()
        if "actor_ids" in self.table.column_names:
            for row in rows:
                row["actor_ids"] = [(link["actor_id"], link["role"]) for link in row["actor_ids"] or []]
        return rows


def validate(con: duckdb.DuckDBPyConnection, raw: dict[str, RawRows], names: dict[str, str]) -> tuple[list[Staged], list[Problem]]:
    """Check every row; return the staged tables (store column names) and every problem found.

    Problems come table by table in file order, each row's in column order, then every unknown reference,
    then every undefined position, as the row-by-row checks always gave them. The cells are checked and
    typed column-wise in DuckDB (:mod:`lib.ingest.bundle.typed`); only rows it is not sure of run the
    row-by-row Python checks, which word every problem. Duplicate keys and references are set operations.
    """
    problems: list[Problem] = []
    staged: list[Staged] = []
    pending: list[tuple[int, int, int, str, int, str, str, str]] = []  # rows checked in Python: their references
    bounds = _Bounds(limits.KEY_CHARS.value, dt.date.today().year + 1)
    cur = store.cursor(con)  # a bare cursor starts outside the team store
    try:
        cur.execute(_REFS)
        referred, known = _referred(raw), {}
        for order, spec in enumerate(SPECS):
            if spec.table not in raw:
                continue
            file, rows = names[spec.table], raw[spec.table]
            present = present_columns(rows)
            columns = [c for c in spec.columns if c.name in present]
            typed = type_cells(cur, spec, columns, raw_table(rows, columns)) if len(rows) >= FAST_PATH_ROWS else None
            typed, row_problems = _unsure_rows(spec, columns, file, rows, typed, order, pending, bounds)
            kept, duplicates = _without_duplicates(cur, spec, file, typed)
            problems += sorted(row_problems + duplicates, key=lambda p: p[0])
            targets = [c.target for c in columns]
            if spec.precision_column and any(c.kind == "date" for c in columns):
                targets.append(spec.precision_column)
            if spec.table == "statements" and ("quote" in present or "self_declared" in present):
                targets = [t for t in targets if t != "self_declared_continuity"] + ["self_declared_continuity"]
                kept = _self_declared(kept)
            staged.append(Staged(spec, file, kept, targets))
            _know(cur, spec, kept, referred, known)
            _stage_references(cur, order, spec, file, columns, typed, known)
        problems = [p for _, p in problems]
        problems += _reference_problems(cur, pending)
    finally:
        cur.close()
    return staged, problems


def _unsure_rows(spec: TableSpec, columns: list[Column], file: str, rows: RawRows, typed: pa.Table | None, order: int,
                 pending: list, bounds: _Bounds) -> tuple[pa.Table, list[tuple[int, Problem]]]:
    """Run the Python checks on the rows the typed query was not sure of (all rows of a small table, ``typed`` None):
    their problems (with the row's place), and the typed table with the rows that passed added back; references of
    rows that failed only on a role are kept in ``pending``, as the row-by-row checks reported those too."""
    if typed is None:
        typed = typed_schema(spec, columns).empty_table()
        ok = pa.array([False] * len(rows), pa.bool_())
    else:
        ok = typed.column("_ok")
        typed = typed.drop_columns(["_ok"])
    if ok.null_count == 0 and pc.all(ok).as_py():
        return typed, []
    problems: list[tuple[int, Problem]] = []
    passed: list[dict[str, Any]] = []
    unsure = pc.indices_nonzero(pc.invert(ok)).to_pylist()
    for n, (line, record) in zip(unsure, pick_rows(rows, unsure), strict=True):
        refs: list = []
        positions: list = []
        row, found = _validate_row(spec, columns, file, line, record, refs, positions, bounds)
        if found:
            problems += [(n, p) for p in found]
            pending += [(order, n, i, *ref[:3], "ref", *ref[3:]) for i, ref in enumerate(refs)]
            pending += [(order, n, len(refs) + i, *ref[:3], "position", *ref[3:]) for i, ref in enumerate(positions)]
            continue
        if "actor_ids" in row:
            row["actor_ids"] = [{"actor_id": actor, "role": role} for actor, role in row["actor_ids"]]
        passed.append({"_n": n, "_line": line, **row})
    if passed:
        typed = pa.concat_tables([typed.filter(ok) if typed.num_rows else typed,
                                  pa.Table.from_pylist(passed, schema=typed.schema)]).sort_by("_n")
    elif typed.num_rows:
        typed = typed.filter(ok)
    return typed, problems


def _without_duplicates(cur: duckdb.DuckDBPyConnection, spec: TableSpec, file: str, typed: pa.Table) -> tuple[pa.Table, list[tuple[int, Problem]]]:
    """The rows without those repeating an earlier row's key, and a problem for each repeat."""
    if typed.num_rows < 2:
        return typed, []
    if len(spec.key) == 1 and pc.count_distinct(typed.column(spec.key[0])).as_py() == typed.num_rows:
        return typed, []  # every key differs (and none is null): no window over the table needed
    key = ", ".join(f'"{k}"' for k in spec.key)
    cur.register("bundle_typed", typed)
    try:
        repeats = cur.execute(
            f"""select _n, _line, {key}, first_line from (
                    select _n, _line, {key}, first(_line order by _n) over (partition by {key}) as first_line,
                           row_number() over (partition by {key} order by _n) as nth
                    from bundle_typed) where nth > 1 order by _n""").fetchall()
    finally:
        cur.unregister("bundle_typed")
    if not repeats:
        return typed, []
    problems = [(n, Problem(file, line, ",".join(spec.key), f"duplicate key {'/'.join(str(v) for v in values[:-1])} "
                                                            f"(also on row {values[-1]})"))
                for n, line, *values in repeats]
    gone = pa.array([n for n, *_ in repeats], pa.int64())
    return typed.filter(pc.invert(pc.is_in(typed.column("_n"), value_set=gone))), problems


def _self_declared(table: pa.Table) -> pa.Table:
    """Fill self_declared_continuity where the file left it empty: the phrase detector's verdict on the quote."""
    quotes = table.column("quote").to_pylist() if "quote" in table.column_names else [None] * table.num_rows
    detected = pa.array(flags(quotes), pa.bool_())
    given = table.column("self_declared_continuity") if "self_declared_continuity" in table.column_names else None
    value = detected if given is None else pc.if_else(pc.is_null(given), detected, given)
    if given is not None:
        table = table.drop_columns(["self_declared_continuity"])
    return table.append_column("self_declared_continuity", value)


def _validate_row(spec: TableSpec, columns: list[Column], file: str, line: int, record: dict[str, str],
                  refs: list, positions: list, bounds: _Bounds) -> tuple[dict[str, Any], list[Problem]]:
    row: dict[str, Any] = {}
    problems: list[Problem] = []

    def bad(column: str, reason: str) -> None:
        problems.append(Problem(file, line, column, reason))

    for column in columns:
        cell = record.get(column.name) or ""
        text, escaped = unescape(cell) if cell[:1] == ESCAPE else (cell.strip(), False)
        if not text:
            if column.required:
                bad(column.name, "required value is empty")
            row[column.target] = [] if column.kind in ("list", "roles") else None
            continue
        if not escaped and text[0] in FORMULA_STARTS and looks_like_formula(text):
            bad(column.name, f"starts with {text[0]!r}, like a spreadsheet formula: remove the leading character, "
                             "or put an apostrophe before it to keep it as text")
            continue
        if (column.name in spec.key or (column.ref and column.kind == "text")) and len(text) > bounds.key_chars:
            bad(column.name, limits.KEY_CHARS.refusal(f"an id of {len(text):,} characters"))
            continue
        value: Any = text
        if column.kind == "int":
            if not re.fullmatch(r"[+-]?\d{1,12}", text):
                bad(column.name, f"'{text[:40]}' is not a whole number")
                continue
            value = int(text)
            if not INT_RANGE[0] <= value <= INT_RANGE[1]:
                bad(column.name, f"{value} is out of range: a whole number from {INT_RANGE[0]} to {INT_RANGE[1]}")
                continue
        elif column.kind == "date":
            try:
                parsed = parse_partial_date(text)
            except ValueError as exc:
                bad(column.name, str(exc)[:200])
                continue
            if parsed.first_day.year > bounds.last_year:
                bad(column.name, f"'{text[:40]}' is after next year: give a date from the year 1000 to {bounds.last_year}")
                continue
            value = parsed.first_day.isoformat()
            if spec.precision_column:
                row[spec.precision_column] = parsed.precision
        elif column.kind == "bool":
            if text.lower() not in _TRUE | _FALSE:
                bad(column.name, f"'{text[:40]}' is not true or false")
                continue
            value = text.lower() in _TRUE
        elif column.kind == "grade":
            if not _GRADE.fullmatch(text):
                bad(column.name, f"'{text[:40]}' is not a grade: a letter A–F, optionally with a digit 1–6 (e.g. B2)")
                continue
        elif column.kind in ("list", "roles"):
            value = split_list(text)
            if column.ref and any(len(item) > bounds.key_chars for item in value):
                bad(column.name, limits.KEY_CHARS.refusal("an id in the list"))
                continue
        if column.vocab and value not in column.vocab:
            bad(column.name, f"'{text[:40]}' is not one of {', '.join(column.vocab)}")
            continue
        row[column.target] = value
    if problems:
        return row, problems

    for column in columns:
        value = row.get(column.target)
        if not column.ref or value in (None, []):
            continue
        if column.ref == "positions":
            positions.append((file, line, column.name, row.get("topic_id") or "", value))
        elif column.kind == "roles":
            links = []
            for item in value:
                actor, sep, role = item.rpartition(":")  # ids may hold a colon (gdelt:TUR): the role is the last part
                actor, role = (actor, role) if sep else (role, "participant")
                if role not in EVENT_ROLES:
                    bad(column.name, f"role '{role[:20]}' is not one of {', '.join(EVENT_ROLES)}")
                refs.append((file, line, column.name, "actors", actor))
                links.append((actor, role))
            row[column.target] = links
        elif column.kind == "list":
            refs += [(file, line, column.name, column.ref, item) for item in value]
        else:
            refs.append((file, line, column.name, column.ref, value))
    if spec.table == "evidence":
        refs.append((file, line, "evidence_id", EVIDENCE_TABLE[row["evidence_type"]], row["evidence_id"]))
    return row, problems


_REFS = """create or replace temp table bundle_refs (t integer, n bigint, s1 integer, s2 integer, file varchar, line bigint,
                                                      col varchar, kind varchar, a varchar, b varchar);
           create or replace temp table bundle_known (tbl varchar, key varchar);
           create or replace temp table bundle_defined (topic_id varchar, position_code varchar)"""
"""Every reference the bundle's checked rows make that its own tables so far do not answer, in the order they are
reported: kind 'ref' (a = table, b = key) or 'position' (a = topic, b = position code); by table, row, column (s1) and
list item (s2). ``bundle_known`` holds the keys of the bundle's tables that something refers to, ``bundle_defined`` its
positions."""


def _referred(raw: dict[str, RawRows]) -> set[str]:
    """The tables the bundle's tables may refer to: only their keys need to be known."""
    referred = {c.ref for spec in SPECS if spec.table in raw for c in spec.columns if c.ref}
    return referred | (set(EVIDENCE_TABLE.values()) if "evidence" in raw else set())


def _know(cur: duckdb.DuckDBPyConnection, spec: TableSpec, kept: pa.Table, referred: set[str], known: dict[str, pa.Array]) -> None:
    """Add a staged table's keys to ``bundle_known`` and ``known`` (or its positions to ``bundle_defined``), if anything
    may refer to them."""
    if spec.table not in referred or not kept.num_rows:
        return
    if spec.table in KEY_COLUMN:
        known[spec.table] = kept.column(KEY_COLUMN[spec.table]).combine_chunks()
    cur.register("bundle_kept", kept)
    try:
        if spec.table == "positions":
            cur.execute("insert into bundle_defined select topic_id, position_code from bundle_kept")
        else:
            cur.execute(f"insert into bundle_known select '{spec.table}', {KEY_COLUMN[spec.table]} from bundle_kept")
    finally:
        cur.unregister("bundle_kept")


def _stage_references(cur: duckdb.DuckDBPyConnection, order: int, spec: TableSpec, file: str, columns: list[Column],
                      typed: pa.Table, known: dict[str, pa.Array]) -> None:
    """Add the references of a table's checked rows to ``bundle_refs``, one INSERT … SELECT per referring column whose
    references the bundle's keys (``known``) do not all answer."""
    selects = []
    for index, column in enumerate(columns):
        if not column.ref or _all_known(typed, column, known):
            continue
        v = f'"{column.target}"'
        head = f"{order}, _n, {index}"
        if column.ref == "positions":
            topic = 'coalesce("topic_id", \'\')' if any(c.name == "topic_id" for c in columns) else "''"
            selects.append(_unknown(f"select {head}, 0, $file, _line, {literal(column.name)}, 'position', {topic}, {v} "
                                    f"from bundle_typed where {v} is not null", "position"))
        elif column.kind in ("list", "roles"):
            items = f"list_transform({v}, x -> x.actor_id)" if column.kind == "roles" else v
            selects.append(_unknown(f"select {head}, unnest(range(len({items}))), $file, _line, {literal(column.name)}, 'ref', "
                                    f"'{column.ref}', unnest({items}) from bundle_typed where len({v}) > 0", "ref"))
        else:
            selects.append(_unknown(f"select {head}, 0, $file, _line, {literal(column.name)}, 'ref', '{column.ref}', {v} "
                                    f"from bundle_typed where {v} is not null", "ref"))
    if spec.table == "evidence":
        tables = " ".join(f"when '{kind}' then '{table}'" for kind, table in EVIDENCE_TABLE.items())
        selects.append(_unknown(f"select {order}, _n, {len(columns)}, 0, $file, _line, 'evidence_id', 'ref', case evidence_type {tables} end, "
                                "evidence_id from bundle_typed", "ref"))
    if not selects or not typed.num_rows:
        return
    cur.register("bundle_typed", typed)
    try:
        cur.execute(f"insert into bundle_refs {' union all '.join(selects)}", {"file": file})
    finally:
        cur.unregister("bundle_typed")


def _all_known(typed: pa.Table, column: Column, known: dict[str, pa.Array]) -> bool:
    """Whether the bundle's own keys so far answer every reference of this column: one Arrow hash lookup, no query."""
    if column.ref not in known or not typed.num_rows:
        return not typed.num_rows
    values = typed.column(column.target)
    if column.kind in ("list", "roles"):
        values = pc.list_flatten(values)
        if column.kind == "roles":
            values = pc.struct_field(values, "actor_id")
    return pc.all(pc.is_in(values.drop_null(), value_set=known[column.ref])).as_py() is not False


def _unknown(select: str, kind: str) -> str:
    """The references ``select`` gives that the bundle's tables so far do not answer (they are already known: the rest are
    looked up in the store, and in the whole bundle again, by :func:`_reference_problems`)."""
    if kind == "position":
        return f"select r.* from ({select}) r(t, n, s1, s2, file, line, col, kind, a, b) anti join bundle_defined d on d.topic_id = r.a and d.position_code = r.b"
    return f"select r.* from ({select}) r(t, n, s1, s2, file, line, col, kind, a, b) anti join bundle_known k on k.tbl = r.a and k.key = r.b"


def _reference_problems(cur: duckdb.DuckDBPyConnection, pending: list) -> list[Problem]:
    """Each reference that is neither in the bundle nor in the store, then each undefined position, in file order."""
    if pending:
        cur.executemany("insert into bundle_refs values (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)", pending)
    stored = " union all ".join(f"select '{table}', {key} from {table} where {key} in (select b from bundle_refs where a = '{table}')"
                                for table, key in KEY_COLUMN.items())
    try:
        missing = cur.execute(
            f"""with known(tbl, key) as (select tbl, key from bundle_known union all {stored}),
                     defined(topic_id, position_code) as (select topic_id, position_code from bundle_defined
                                                          union all select topic_id, position_code from positions),
                     missing as (select * from (select * from bundle_refs where kind = 'ref') r
                                 anti join known k on k.tbl = r.a and k.key = r.b
                                 union all
                                 select * from (select * from bundle_refs where kind = 'position') r
                                 anti join defined d on d.topic_id = r.a and d.position_code = r.b)
                select file, line, col, kind, a, b from missing order by kind = 'position', t, n, s1, s2""").fetchall()
    finally:
        cur.execute("drop table bundle_refs; drop table bundle_known; drop table bundle_defined")
    return [Problem(file, line, column, f"refers to {a[:-1]} '{b[:60]}', which is neither in the bundle nor in the store")
            if kind == "ref" else Problem(file, line, column, f"position '{b[:40]}' is not defined for topic '{a}' (positions.csv)")
            for file, line, column, kind, a, b in missing]
