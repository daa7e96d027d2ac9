"""A table's cells checked and typed in one DuckDB query over the whole column, instead of cell by cell in Python.

The query is the fast path of :mod:`lib.ingest.bundle.validate`: for each row it
says whether every cell passes (``_ok``) and gives the typed values. It is
deliberately narrower than the Python checks of ``validate._validate_row``:
a cell it is not sure of (surrounding white space, an apostrophe escape, a
formula start, a backslash in a list, a date or number in another script's
digits, any failure) makes its row "not sure", and only those rows go through
the Python checks, which alone word the problems. So the problems and the typed
values are exactly those of the Python checks, and a clean 100,000-row table
costs one query instead of 700,000 Python calls.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa

from lib.dates import MIN_YEAR, YEARS_AHEAD
from lib.ingest import limits
from lib.ingest.bundle.cells import ESCAPE, FORMULA_STARTS
from lib.ingest.bundle.spec import Column, RawRow, RawRows, TableSpec
from lib.vocab import EVENT_ROLES

PY_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
"""Every character Python's ``str.strip()`` removes (``str.isspace``); a test checks the list against Python itself."""
WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"
_WS_CODES = "(" + ", ".join(str(ord(c)) for c in PY_WHITESPACE) + ")"
_FORMULA_CODES = "(" + ", ".join(str(ord(c)) for c in FORMULA_STARTS) + ")"
_INNER_WS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_WHITESPACE if c != " ") + "]"
_TRUE, _FALSE = ("true", "yes", "1", "y"), ("false", "no", "0", "n")
INT_RANGE = (-(2**31), 2**31 - 1)  # the store's `integer` (positions.ordinal)
FAST_PATH_ROWS = 1_000
"""Below this many rows a table is checked row by row in Python only: the query's fixed cost (planning, compiling its
regular expressions, about 30 ms) is more than the Python checks of a small table (about 30 µs a row)."""
_ARROW_TYPES = {"text": pa.string(), "grade": pa.string(), "date": pa.string(), "int": pa.int64(), "bool": pa.bool_(),
                "list": pa.list_(pa.string()), "roles": pa.list_(pa.struct([("actor_id", pa.string()), ("role", pa.string())]))}


def literal(text: str) -> str:
    """A SQL string literal of a constant from this code (never of data)."""
    return "'" + text.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(map(literal, values)) + ")"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell_sql(spec: TableSpec, column: Column, last_year: int, key_chars: int) -> tuple[list[str], str, str, str]:
    """SQL for one column: what to compute once per cell first (a date's day, a list's items), then whether the fast
    path is sure the cell passes, its typed value and (dates) its precision."""
    c = f"coalesce({_quoted(column.name)}, '')"
    first: list[str] = []
    # white space at either end and a formula start, by the first and last code points (``unicode`` of '' is -1): a
    # regular expression anchored at the end, and a one-character string per cell, cost twice as much per column
    sure = [f"unicode({c}) not in {_WS_CODES}", f"unicode(right({c}, 1)) not in {_WS_CODES}",
            f"not starts_with({c}, {literal(ESCAPE)})", f"unicode({c}) not in {_FORMULA_CODES}"]
    if column.required:
        sure.append(f"{c} <> ''")
    if column.name in spec.key or (column.ref and column.kind == "text"):
        sure.append(f"length({c}) <= {key_chars}")
    value, precision = f"nullif({c}, '')", ""
    if column.kind == "int":
        sure.append(f"({c} = '' or (regexp_full_match({c}, '[+-]?[0-9]{{1,12}}') "
                    f"and try_cast({c} as bigint) between {INT_RANGE[0]} and {INT_RANGE[1]}))")
        value = f"case when {c} = '' then null else try_cast({c} as bigint) end"
    elif column.kind == "date":
        day = _quoted(f"{column.name}__day")
        first.append(f"try_cast({c} || case length({c}) when 4 then '-01-01' when 7 then '-01' else '' end as date) as {day}")
        sure.append(f"({c} = '' or (regexp_full_match({c}, '[0-9]{{4}}(-[0-9]{{2}}(-[0-9]{{2}})?)?') "
                    f"and year({day}) between {MIN_YEAR} and {last_year}))")
        value = f"case when {c} = '' then null else cast({day} as varchar) end"  # sure: years 1000-9999, so YYYY-MM-DD
        precision = f"case length({c}) when 0 then null when 4 then 'year' when 7 then 'month' else 'day' end"
    elif column.kind == "bool":
        sure.append(f"({c} = '' or (regexp_full_match({c}, '[A-Za-z01]+') and lower({c}) in {_in(_TRUE + _FALSE)}))")
        value = f"case when {c} = '' then null else lower({c}) in {_in(_TRUE)} end"
    elif column.kind == "grade":
        sure.append(f"({c} = '' or regexp_full_match({c}, '[A-F][1-6]?'))")
    elif column.kind in ("list", "roles"):
        items = _quoted(f"{column.name}__items")
        first.append(f"case when {c} = '' then []::varchar[] else list_filter(list_transform(string_split({c}, ';'), x -> trim(x)), "
                     f"x -> x <> '') end as {items}")
        sure += [f"not contains({c}, {literal(chr(92))})", f"not regexp_matches({c}, '{_INNER_WS}')"]
        if column.ref:
            sure.append(f"coalesce(list_max(list_transform({items}, x -> length(x))), 0) <= {key_chars}")
        value = items
        if column.kind == "roles":
            # the role is after the last colon (ids may hold one: gdelt:TUR); without one, a participant
            role = "string_split(x, ':')[-1]"
            value = (f"list_transform({items}, x -> case when contains(x, ':') "
                     f"then {{'actor_id': left(x, length(x) - length({role}) - 1), 'role': {role}}} "
                     f"else {{'actor_id': x, 'role': 'participant'}} end)")
            sure.append(f"coalesce(list_bool_and(list_transform({items}, x -> not contains(x, ':') or {role} in {_in(EVENT_ROLES)})), true)")
    if column.vocab:
        sure.append(f"({c} = '' or {c} in {_in(column.vocab)})")
    return first, " and ".join(sure), value, precision


def raw_table(rows: RawRows, columns: list[Column]) -> pa.Table:
    """A table's raw rows as one Arrow table: its position, file row and each present column's text."""
    if isinstance(rows, pa.Table):
        return rows.select(["_line", *(c.name for c in columns)]).add_column(0, "_n", pa.array(range(rows.num_rows), pa.int64()))
    data: dict[str, pa.Array] = {"_n": pa.array(range(len(rows)), pa.int64()), "_line": pa.array([line for line, _ in rows], pa.int64())}
    for column in columns:
        data[column.name] = pa.array([record.get(column.name) for _, record in rows], pa.string())
    return pa.table(data)


def present_columns(rows: RawRows) -> set[str]:
    """The columns a table's raw rows give."""
    if isinstance(rows, pa.Table):
        return set(rows.column_names) - {"_line"}
    return {c for _, r in rows for c in r}


def pick_rows(rows: RawRows, places: list[int]) -> list[RawRow]:
    """The raw rows at these places (0-based), as (row, cells) pairs."""
    if not isinstance(rows, pa.Table):
        return [rows[n] for n in places]
    return [(record.pop("_line"), record) for record in rows.take(pa.array(places, pa.int64())).to_pylist()]


def typed_schema(spec: TableSpec, columns: list[Column]) -> pa.Schema:
    """The typed table's columns: ``_n``, ``_line``, then each column's store name (a date's precision after it)."""
    fields = [pa.field("_n", pa.int64()), pa.field("_line", pa.int64())]
    for column in columns:
        fields.append(pa.field(column.target, _ARROW_TYPES[column.kind]))
        if column.kind == "date" and spec.precision_column:
            fields.append(pa.field(spec.precision_column, pa.string()))
    return pa.schema(fields)


def type_cells(con: duckdb.DuckDBPyConnection, spec: TableSpec, columns: list[Column], raw: pa.Table) -> pa.Table:
    """Every row with ``_ok`` (the fast path is sure every cell passes) and its cells typed in store column names.

    Types (:func:`typed_schema`): text, grade and dates as text (ISO days, as the Python checks give them), int as
    bigint, bool, lists as varchar[], an event's actors as a list of {actor_id, role}; ``spec.precision_column``
    follows the table's date column. Rows come back in ``_n`` order without a sort: DuckDB keeps a scan's insertion
    order (``preserve_insertion_order``, on by default and never turned off here).
    """
    last_year, key_chars = dt.date.today().year + YEARS_AHEAD, limits.KEY_CHARS.value
    first, sure, values = ["*"], [], ["_n", "_line"]
    for column in columns:
        once, ok, value, precision = _cell_sql(spec, column, last_year, key_chars)
        first += once
        sure.append(f"coalesce({ok}, false)")
        values.append(f"{value} as {_quoted(column.target)}")
        if precision and spec.precision_column:
            values.append(f"{precision} as {_quoted(spec.precision_column)}")
    con.register("bundle_raw", raw)
    try:
        return (con.execute(f"select {' and '.join(sure) or 'true'} as _ok, {', '.join(values)} "
                           f"from (select {', '.join(first)} from bundle_raw)").arrow().read_all()
                .cast(pa.schema([pa.field("_ok", pa.bool_()), *typed_schema(spec, columns)])))
    finally:
        con.unregister("bundle_raw")
