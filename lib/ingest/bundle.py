"""Bundle import and export: the analyst's own curated data, as CSVs, one JSON file or one XLSX.

A bundle is read whole, every row is validated (types, partial dates,
vocabularies, references within the bundle and to the store, duplicate keys,
formula-like cells), and only a bundle without problems is applied, in one
transaction that upserts by key and audits each changed row. Rows that are
already in the store unchanged are neither rewritten nor audited, so
re-importing a bundle is a no-op. The format is documented in docs/IMPORT.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lib import queries, store
from lib.dates import parse_partial_date
from lib.ingest.report import ImportRefused, ImportResult, Problem
from lib.phrases import flags
from lib.vocab import ACTOR_KINDS, ATTRIBUTIONS, EVENT_ROLES, EVIDENCE_RELATIONS, EVIDENCE_TYPES, SOURCE_KINDS

LIST_SEPARATOR = ";"
RawRow = tuple[int, dict[str, str]]  # (row number in the file, column -> text)


@dataclass(frozen=True)
class Column:
    """One bundle column: how to read it and where it lands in the store."""

    name: str
    required: bool = False
    kind: str = "text"  # text | int | date | list | bool | grade | roles
    vocab: tuple[str, ...] = ()
    ref: str = ""  # table whose key this refers to
    store_name: str = ""

    @property
    def target(self) -> str:
        return self.store_name or self.name


@dataclass(frozen=True)
class TableSpec:
    """One bundle file: its table, key columns and columns, in the order files are applied."""

    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    precision_column: str = ""  # where a partial date's precision goes


C = Column
SPECS: tuple[TableSpec, ...] = (
    TableSpec("sources", ("source_id",), (
        C("source_id", True), C("name", True), C("kind", True, vocab=SOURCE_KINDS), C("country"), C("url"),
        C("analyst_grade", kind="grade"), C("grade_note"))),
    TableSpec("documents", ("document_id",), (
        C("document_id", True), C("source_id", True, ref="sources"), C("title"), C("url"),
        C("published_on", kind="date"), C("language"),
        C("cites", kind="list", ref="documents", store_name="cites_document_ids")), precision_column="date_precision"),
    TableSpec("actors", ("actor_id",), (
        C("actor_id", True), C("name", True), C("kind", True, vocab=ACTOR_KINDS), C("country"),
        C("parent_actor_id", ref="actors"), C("aliases", kind="list"))),
    TableSpec("topics", ("topic_id",), (C("topic_id", True), C("name", True), C("description"))),
    TableSpec("positions", ("topic_id", "position_code"), (
        C("topic_id", True, ref="topics"), C("position_code", True), C("label", True), C("ordinal", True, kind="int"))),
    TableSpec("event_types", ("vocabulary", "code"), (C("vocabulary", True), C("code", True), C("label", True))),
    TableSpec("events", ("event_id",), (
        C("event_id", True), C("occurred_on", True, kind="date"), C("event_type", True), C("title", True),
        C("description"), C("topic_id", ref="topics"), C("actor_ids", kind="roles", ref="actors"),
        C("document_ids", kind="list", ref="documents"), C("location")), precision_column="date_precision"),
    TableSpec("statements", ("statement_id",), (
        C("statement_id", True), C("stated_on", True, kind="date"), C("actor_id", True, ref="actors"),
        C("topic_id", True, ref="topics"), C("position_code", ref="positions"), C("quote"),
        C("attribution", vocab=ATTRIBUTIONS), C("document_id", ref="documents"), C("language"),
        C("self_declared", kind="bool", store_name="self_declared_continuity")), precision_column="date_precision"),
    TableSpec("claims", ("claim_id",), (
        C("claim_id", True), C("claimed_on", True, kind="date"), C("document_id", True, ref="documents"),
        C("topic_id", ref="topics"), C("subject_actor_id", ref="actors"), C("text", True),
        C("asserted_position", ref="positions", store_name="asserted_position_code")), precision_column="date_precision"),
    TableSpec("evidence", ("claim_id", "evidence_type", "evidence_id"), (
        C("claim_id", True, ref="claims"), C("relation", True, vocab=EVIDENCE_RELATIONS),
        C("evidence_type", True, vocab=EVIDENCE_TYPES), C("evidence_id", True), C("noted_on", kind="date"), C("note"))),
)
SPEC_BY_TABLE = {spec.table: spec for spec in SPECS}
KEY_COLUMN = {"sources": "source_id", "documents": "document_id", "actors": "actor_id", "topics": "topic_id",
              "events": "event_id", "statements": "statement_id", "claims": "claim_id"}
EVIDENCE_TABLE = {"statement": "statements", "event": "events", "document": "documents", "claim": "claims"}
_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_GRADE = re.compile(r"[A-F][1-6]?")
_TRUE, _FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n"}


# -- reading -----------------------------------------------------------------------
def read_bundle(path: Path) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem], bytes]:
    """Read a bundle into raw rows per table; returns (rows, file name per table, problems, bytes for the digest)."""
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")}
        return _read_csv_files(files)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {Path(n).name: archive.read(n) for n in sorted(archive.namelist())
                     if not n.endswith("/") and not Path(n).name.startswith(".") and "__MACOSX" not in n}
        rows, names, problems, _ = _read_csv_files(files)
        return rows, names, problems, data
    if suffix == ".json":
        rows, names, problems = _read_json(path.name, data)
        return rows, names, problems, data
    if suffix == ".xlsx":
        rows, names, problems = _read_xlsx(path.name, data)
        return rows, names, problems, data
    if suffix == ".csv":
        return _read_csv_files({path.name: data})
    raise ImportRefused([Problem(path.name, 0, "", "not a bundle: give a folder or .zip of CSVs, a .json or an .xlsx file")])


def _read_csv_files(files: dict[str, bytes]) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem], bytes]:
    rows: dict[str, list[RawRow]] = {}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    digest = b"".join(name.encode() + b"\0" + body for name, body in sorted(files.items()))
    for name, body in files.items():
        table = _table_for(name, problems)
        if not table:
            continue
        names[table] = name
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            problems.append(Problem(name, line, "", f"not UTF-8 text (byte 0x{body[exc.start]:02x}): save the file as UTF-8"))
            continue
        if not text.strip():
            problems.append(Problem(name, 0, "", "the file is empty: give at least the header row"))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader)]
        table_rows: list[RawRow] = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append(Problem(name, reader.line_num, "", f"has {len(record)} fields, the header has {len(header)}"))
                continue
            table_rows.append((reader.line_num, dict(zip(header, record, strict=True))))
        rows[table] = _with_header(table, name, header, table_rows, problems)
    return rows, names, problems, digest


def _read_json(name: str, data: bytes) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem]]:
    problems: list[Problem] = []
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, {}, [Problem(name, 0, "", f"not a JSON bundle: {exc}")]
    if not isinstance(document, dict):
        return {}, {}, [Problem(name, 0, "", "a JSON bundle is one object of arrays named after the tables")]
    rows: dict[str, list[RawRow]] = {}
    names: dict[str, str] = {}
    for key, records in document.items():
        table = _table_for(f"{key}.csv", problems, shown=f"{name}: {key}")
        if not table:
            continue
        names[table] = f"{name}:{key}"
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            problems.append(Problem(names[table], 0, "", "must be an array of objects"))
            continue
        header = list(dict.fromkeys(k for r in records for k in r))
        raw = [(i, {k: _cell_text(v) for k, v in r.items()}) for i, r in enumerate(records, start=1)]
        rows[table] = _with_header(table, names[table], header, raw, problems)
    return rows, names, problems


def _read_xlsx(name: str, data: bytes) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem]]:
    from openpyxl import load_workbook

    problems: list[Problem] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        return {}, {}, [Problem(name, 0, "", f"not a readable XLSX workbook: {exc}")]
    rows: dict[str, list[RawRow]] = {}
    names: dict[str, str] = {}
    for sheet in book.worksheets:
        table = _table_for(f"{sheet.title}.csv", problems, shown=f"{name}: sheet {sheet.title}")
        if not table:
            continue
        names[table] = f"{name}:{sheet.title}"
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            problems.append(Problem(names[table], 0, "", "the sheet is empty: give at least the header row"))
            continue
        header = [_cell_text(h).strip() for h in values[0]]
        raw = [(i, {h: _cell_text(v) for h, v in zip(header, record, strict=False) if h})
               for i, record in enumerate(values[1:], start=2) if any(v not in (None, "") for v in record)]
        rows[table] = _with_header(table, names[table], [h for h in header if h], raw, problems)
    return rows, names, problems


def _cell_text(value: Any) -> str:
    """JSON and XLSX cells arrive typed; the validator reads text like a CSV's."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_cell_text(v) for v in value)
    return str(value)


def _table_for(file_name: str, problems: list[Problem], shown: str = "") -> str:
    table = Path(file_name).stem.lower()
    if table in SPEC_BY_TABLE:
        return table
    problems.append(Problem(shown or file_name, 0, "", f"not a table of the bundle format; expected one of {', '.join(SPEC_BY_TABLE)}"))
    return ""


def _with_header(table: str, name: str, header: list[str], rows: list[RawRow], problems: list[Problem]) -> list[RawRow]:
    spec = SPEC_BY_TABLE[table]
    known = {c.name for c in spec.columns}
    for column in spec.columns:
        if column.required and column.name not in header:
            problems.append(Problem(name, 1, column.name, "required column is missing"))
    return [(n, {k: v for k, v in r.items() if k in known}) for n, r in rows]


def unknown_columns(path: Path) -> list[Problem]:
    """Columns the bundle has that the format does not know: reported, then ignored."""
    warnings: list[Problem] = []
    if not path.is_dir():
        return warnings
    for file in sorted(path.glob("*.csv")):
        spec = SPEC_BY_TABLE.get(file.stem.lower())
        if not spec:
            continue
        with file.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
        known = {c.name for c in spec.columns}
        warnings += [Problem(file.name, 1, h, "unknown column, ignored") for h in header if h.strip() and h.strip() not in known]
    return warnings


# -- validation ----------------------------------------------------------------------
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

    for spec in SPECS:
        if spec.table not in raw:
            continue
        file = names[spec.table]
        present = {c for _, r in raw[spec.table] for c in r}
        columns = [c for c in spec.columns if c.name in present]
        seen: dict[tuple[str, ...], int] = {}
        out: list[dict[str, Any]] = []
        for line, record in raw[spec.table]:
            row, row_problems = _validate_row(spec, columns, file, line, record, pending_refs, pending_positions)
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
                  refs: list, positions: list) -> tuple[dict[str, Any], list[Problem]]:
    row: dict[str, Any] = {}
    problems: list[Problem] = []

    def bad(column: str, reason: str) -> None:
        problems.append(Problem(file, line, column, reason))

    for column in columns:
        text = (record.get(column.name) or "").strip()
        if not text:
            if column.required:
                bad(column.name, "required value is empty")
            row[column.target] = [] if column.kind in ("list", "roles") else None
            continue
        if _FORMULA.match(text) and not _NUMBER.fullmatch(text):
            bad(column.name, f"starts with {text[0]!r}, like a spreadsheet formula: remove the leading character")
            continue
        value: Any = text
        if column.kind == "int":
            if not re.fullmatch(r"[+-]?\d+", text):
                bad(column.name, f"'{text[:40]}' is not a whole number")
                continue
            value = int(text)
        elif column.kind == "date":
            try:
                parsed = parse_partial_date(text)
            except ValueError as exc:
                bad(column.name, str(exc))
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
            value = [part.strip() for part in text.split(LIST_SEPARATOR) if part.strip()]
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
                actor, _, role = item.partition(":")
                role = role or "participant"
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


# -- applying ------------------------------------------------------------------------
def check_bundle(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[dict[str, int], list[Problem]]:
    """Validate without writing: rows per table and every problem, for the Data page's preview."""
    raw, names, problems, _ = read_bundle(Path(path))
    _, row_problems = validate(con, raw, names) if not problems else ([], [])
    return {table: len(rows) for table, rows in raw.items()}, problems + row_problems


def import_bundle(con: duckdb.DuckDBPyConnection, path: Path, who: str) -> ImportResult:
    """Validate a bundle whole, then apply it in one audited transaction; refuse it whole on any problem."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such bundle: {path}")
    raw, names, problems, digest_bytes = read_bundle(path)
    digest = hashlib.sha256(digest_bytes).hexdigest()
    if not problems and not raw:
        problems.append(Problem(path.name, 0, "", "no table files found in the bundle"))
    staged, row_problems = validate(con, raw, names) if not problems else ([], [])
    problems += row_problems
    if problems:
        _record(con, who, path, digest, "refused", {}, ImportRefused(problems).first_line())
        raise ImportRefused(problems)
    counts: dict[str, dict[str, int]] = {}
    try:
        with store.transaction(con, who, "import bundle") as audit:
            for table in staged:
                counts.update(_apply(con, audit, table))
            if not _changed(counts):
                raise _NothingChangedError
    except _NothingChangedError:
        pass
    result = ImportResult(0, "applied" if _changed(counts) else "unchanged", counts, warnings=unknown_columns(path))
    result.import_id = _record(con, who, path, digest, result.status, counts, result.summary())
    return result


class _NothingChangedError(Exception):
    """Rolls the transaction back when the bundle changes nothing, so the data version stays put."""


def _changed(counts: dict[str, dict[str, int]]) -> bool:
    return any(c.get("inserted") or c.get("updated") or c.get("deleted") for c in counts.values())


def _apply(con: duckdb.DuckDBPyConnection, audit: store.Audit, staged: Staged) -> dict[str, dict[str, int]]:
    spec = staged.spec
    link_columns = {"actor_ids", "document_ids"}
    columns = [c for c in staged.columns if c not in link_columns]
    if spec.table == "statements":
        # the bundle's statements are the only ones this transaction writes: their series alone are relabelled
        ids = [r["statement_id"] for r in staged.rows]
        series = queries.statement_series(con, ids)
        counts = {spec.table: _upsert(con, audit, spec.table, list(spec.key), columns, staged.rows, spec)}
        if counts[spec.table]["inserted"] or counts[spec.table]["updated"]:
            series |= queries.statement_series(con, ids)
            queries.refresh_own_continuity(con, sorted({a for a, _ in series}), sorted({t for _, t in series}))
        audit.keeps_current(store.OWN_CONTINUITY)
        return counts
    if spec.table != "events":
        return {spec.table: _upsert(con, audit, spec.table, list(spec.key), columns, staged.rows, spec)}
    events = [r["event_id"] for r in staged.rows]
    # the bundle's events and their links are the only ones this transaction writes: the link counts follow them
    with queries.link_counts_follow(con, events):
        counts = {spec.table: _upsert(con, audit, spec.table, list(spec.key), columns, staged.rows, spec)}
        if "actor_ids" in staged.columns:
            links = [{"event_id": r["event_id"], "actor_id": a, "role": role} for r in staged.rows for a, role in r["actor_ids"]]
            counts["event_actors"] = _replace_links(con, audit, "event_actors", ["event_id", "actor_id", "role"], events, links)
    audit.keeps_current(store.LINK_COUNTS)
    if "document_ids" in staged.columns:
        links = [{"event_id": r["event_id"], "document_id": d} for r in staged.rows for d in r["document_ids"]]
        counts["event_documents"] = _replace_links(con, audit, "event_documents", ["event_id", "document_id"], events, links)
    return counts


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns})


def _upsert(con: duckdb.DuckDBPyConnection, audit: store.Audit, table: str, key: list[str], columns: list[str],
            rows: list[dict[str, Any]], spec: TableSpec) -> dict[str, int]:
    """Insert new rows and update changed ones (only the columns the file gave); audit each; count all three."""
    if not rows:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    types = dict(con.execute("select column_name, data_type from information_schema.columns where table_name = ?", [table]).fetchall())
    frame = _frame(rows, columns)
    frame["stage_level"] = _parent_levels(rows) if table == "actors" else 0
    con.register("bundle_stage", frame)
    try:
        casts = ", ".join(f"cast(s.{c} as {types[c]}) as {c}" for c in columns)
        con.execute(
            f"create or replace temp table stage_rows as select {casts}, s.stage_level, row_number() over () as stage_order from bundle_stage s"
        )
    finally:
        con.unregister("bundle_stage")
    join = " and ".join(f"t.{k} = s.{k}" for k in key)
    differs = " or ".join(f"s.{c} is distinct from t.{c}" for c in columns if c not in key) or "false"
    row_key = " || '/' || ".join(f"s.{k}" for k in key)
    con.execute(
        f"""
        create or replace temp table stage_changes as
        select s.*, t.{key[0]} is null as is_new, {row_key} as row_key,
               case when t.{key[0]} is null then null else to_json(t) end as before_json
        from stage_rows s left join {table} t on {join}
        where t.{key[0]} is null or {differs}
        """
    )
    cols = ", ".join(columns)
    after = "to_json({" + ", ".join(f"'{c}': c.{c}" for c in columns) + "})"
    con.execute(
        f"""insert into audit_log (who, action, table_name, row_key, before, after)
            select ?, ?, ?, c.row_key, c.before_json, {after} from stage_changes c order by c.stage_order""",
        [audit.who, audit.action, table],
    )
    audit.wrote(table)
    # merge by key rather than insert-on-conflict: events carry no key index to conflict on (schema.sql)
    updates = ", ".join(f"{c} = s.{c}" for c in columns if c not in key)
    matched = f"when matched then update set {updates}" if updates else ""
    levels = [r[0] for r in con.execute("select distinct stage_level from stage_changes order by 1").fetchall()]
    for level in levels:  # parents before children: a self-reference is checked row by row on insert
        con.execute(
            f"""merge into {table} t using (select {cols} from stage_changes where stage_level = ? order by stage_order) s
                on ({join}) {matched} when not matched then insert ({cols}) values ({", ".join(f"s.{c}" for c in columns)})""",
            [level],
        )
    inserted, updated = con.execute("select count(*) filter (where is_new), count(*) filter (where not is_new) from stage_changes").fetchall()[0]
    con.execute("drop table stage_rows; drop table stage_changes")
    return {"inserted": int(inserted), "updated": int(updated), "unchanged": len(rows) - int(inserted) - int(updated)}


def _replace_links(con: duckdb.DuckDBPyConnection, audit: store.Audit, table: str, columns: list[str],
                   events: list[str], links: list[dict[str, Any]]) -> dict[str, int]:
    """Make the links of the bundle's events exactly those in the bundle: delete the rest, insert the new."""
    existing = {tuple(r) for r in con.execute(
        f"select {', '.join(columns)} from {table} where event_id in (select unnest(?::varchar[]))", [events]).fetchall()}
    wanted = {tuple(link[c] for c in columns) for link in links}
    for gone in sorted(existing - wanted):
        con.execute(f"delete from {table} where {' and '.join(f'{c} = ?' for c in columns)}", list(gone))
        audit.row(table, "/".join(gone), dict(zip(columns, gone, strict=True)), None)
    for new in sorted(wanted - existing):
        con.execute(f"insert into {table} ({', '.join(columns)}) values ({', '.join('?' for _ in columns)})", list(new))
        audit.row(table, "/".join(new), None, dict(zip(columns, new, strict=True)))
    return {"inserted": len(wanted - existing), "deleted": len(existing - wanted), "unchanged": len(wanted & existing)}


def _parent_levels(rows: list[dict[str, Any]]) -> list[int]:
    """Each actor's depth below its furthest ancestor in the bundle: level 0 is written first, then 1, ..."""
    by_id = {r["actor_id"]: r for r in rows}

    def depth(actor: str, seen: frozenset[str]) -> int:
        parent = by_id.get(actor, {}).get("parent_actor_id")
        return 0 if not parent or parent not in by_id or parent in seen else 1 + depth(parent, seen | {actor})

    return [depth(r["actor_id"], frozenset()) for r in rows]


def _record(con: duckdb.DuckDBPyConnection, who: str, path: Path, digest: str, status: str,
            counts: dict[str, dict[str, int]], message: str) -> int:
    """Log the attempt in `imports` (its own small transaction, after any rollback)."""
    with store.transaction(con, who, "log import") as _:
        return int(con.execute(
            "insert into imports (who, format, file_name, sha256, rows, status, message) values (?, 'bundle', ?, ?, ?, ?, ?) returning import_id",
            [who, path.name, digest, json.dumps(counts), status, message[:2000]],
        ).fetchall()[0][0])


# -- export --------------------------------------------------------------------------
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


def _export_rows(con: duckdb.DuckDBPyConnection, spec: TableSpec) -> Iterator[list[str]]:
    result = con.execute(_EXPORT_SQL.get(spec.table, f"select * from {spec.table}") + f" order by {', '.join(spec.key)}")
    names = [d[0] for d in result.description]
    for values in result.fetchall():
        record = dict(zip(names, values, strict=True))
        yield [_export_cell(spec, column, record) for column in spec.columns]


_EXPORT_SQL = {
    "events": """select e.*,
        (select coalesce(string_agg(actor_id || ':' || role, ';' order by role, actor_id), '') from event_actors a
         where a.event_id = e.event_id) as actor_ids,
        (select coalesce(string_agg(document_id, ';' order by document_id), '') from event_documents d
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
    if column.kind == "list":
        return LIST_SEPARATOR.join(_as_list(value))
    if column.kind == "bool":
        return "true" if value else "false"
    return str(value)


def _as_list(value: Iterable[str] | str) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]
