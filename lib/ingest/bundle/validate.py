"""Validating a bundle's raw rows: types, partial dates, vocabularies, formula-like cells, duplicate keys and references."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import duckdb

from lib.dates import parse_partial_date
from lib.ingest import limits
from lib.ingest.bundle.cells import ESCAPE, FORMULA_STARTS, looks_like_formula, split_list, unescape
from lib.ingest.bundle.spec import EVIDENCE_TABLE, KEY_COLUMN, SPECS, Column, RawRow, TableSpec
from lib.ingest.report import Problem
from lib.phrases import flags
from lib.vocab import EVENT_ROLES

_INT_RANGE = (-(2**31), 2**31 - 1)  # the store's `integer` (positions.ordinal)
_GRADE = re.compile(r"[A-F][1-6]?")
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


class _Bounds(NamedTuple):
    """Limits read once per bundle, not once per cell."""

    key_chars: int
    last_year: int


@dataclass
class Staged:
    """Validated rows of one table in store columns, plus link rows for events."""

    spec: TableSpec
    file: str
    rows: list[dict[str, Any]]
    columns: list[str]


def validate(con: duckdb.DuckDBPyConnection, raw: dict[str, list[RawRow]], names: dict[str, str]) -> tuple[list[Staged], list[Problem]]:
    """Check every row; return the staged tables (store column names) and every problem found."""
    problems: list[Problem] = []
    staged: list[Staged] = []
    pending_refs: list[tuple[str, int, str, str, str]] = []  # (file, row, column, table, key)
    pending_positions: list[tuple[str, int, str, str, str]] = []  # (file, row, column, topic, code)
    bundle_keys: dict[str, set[str]] = {t: set() for t in KEY_COLUMN}
    bundle_positions: set[tuple[str, str]] = set()
    bounds = _Bounds(limits.KEY_CHARS.value, dt.date.today().year + 1)

    for spec in SPECS:
        if spec.table not in raw:
            continue
        file = names[spec.table]
        present = {c for _, r in raw[spec.table] for c in r}
        columns = [c for c in spec.columns if c.name in present]
        seen: dict[tuple[str, ...], int] = {}
        out: list[dict[str, Any]] = []
        for line, record in raw[spec.table]:
            row, row_problems = _validate_row(spec, columns, file, line, record, pending_refs, pending_positions, bounds)
            problems += row_problems
            if row_problems:
                continue
            key = tuple(str(row[k]) for k in spec.key)
            if key in seen:
                problems.append(Problem(file, line, ",".join(spec.key), f"duplicate key {'/'.join(key)} (also on row {seen[key]})"))
                continue
            seen[key] = line
            out.append(row)
        if spec.table in KEY_COLUMN:
            bundle_keys[spec.table] |= {r[KEY_COLUMN[spec.table]] for r in out}
        if spec.table == "positions":
            bundle_positions |= {(r["topic_id"], r["position_code"]) for r in out}
        targets = [c.target for c in columns]
        if spec.precision_column and any(c.kind == "date" for c in columns):
            targets.append(spec.precision_column)
        if spec.table == "statements" and ("quote" in present or "self_declared" in present):
            targets = [t for t in targets if t != "self_declared_continuity"] + ["self_declared_continuity"]
            unset = [row for row in out if row.get("self_declared_continuity") is None]
            for row, flag in zip(unset, flags([row.get("quote") for row in unset]), strict=True):
                row["self_declared_continuity"] = flag
        staged.append(Staged(spec, file, out, targets))

    problems += _check_references(con, pending_refs, bundle_keys)
    problems += _check_positions(con, pending_positions, bundle_positions)
    return staged, problems


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
            if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
                bad(column.name, f"{value} is out of range: a whole number from {_INT_RANGE[0]} to {_INT_RANGE[1]}")
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


def _check_references(con: duckdb.DuckDBPyConnection, refs: list, bundle_keys: dict[str, set[str]]) -> list[Problem]:
    problems = []
    wanted: dict[str, set[str]] = {}
    for _, _, _, table, key in refs:
        if key not in bundle_keys[table]:
            wanted.setdefault(table, set()).add(key)
    in_store = {
        table: {r[0] for r in con.execute(
            f"select {KEY_COLUMN[table]} from {table} where {KEY_COLUMN[table]} in (select unnest(?::varchar[]))", [sorted(keys)]
        ).fetchall()}
        for table, keys in wanted.items()
    }
    for file, line, column, table, key in refs:
        if key not in bundle_keys[table] and key not in in_store.get(table, set()):
            problems.append(Problem(file, line, column, f"refers to {table[:-1]} '{key[:60]}', which is neither in the bundle nor in the store"))
    return problems


def _check_positions(con: duckdb.DuckDBPyConnection, pending: list, bundle_positions: set[tuple[str, str]]) -> list[Problem]:
    if not pending:
        return []
    in_store = set(con.execute("select topic_id, position_code from positions").fetchall())
    known = bundle_positions | in_store
    return [
        Problem(file, line, column, f"position '{code[:40]}' is not defined for topic '{topic}' (positions.csv)")
        for file, line, column, topic, code in pending if (topic, code) not in known
    ]
