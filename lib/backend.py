"""Where the store lives: the embedded DuckDB file (the default) or the team store, DuckLake on a PostgreSQL catalog.

The store setting (``--db`` > ``$STANCEWATCH_DB``) is a file path, or
``ducklake:postgres:dbname=stancewatch host=/run/postgresql`` for the team
store, whose Parquet files go to ``$STANCEWATCH_DATA_PATH`` (a local or shared
folder). Several processes read and write the team store at once, each query on
a consistent snapshot; DuckLake's optimistic concurrency refuses the second of
two overlapping writes at commit (every write bumps ``meta.data_version``), and
``store.retry_on_conflict`` runs it again.

DuckLake holds no PRIMARY KEY, UNIQUE, CHECK, sequence or list default. Its
tables are derived from lib/schema.sql (:func:`rules`) without them, and
:func:`enforce` does their work just before every commit: numbers the new
audit and import rows, fills the list defaults, and refuses a transaction that
repeats a key or breaks a vocabulary (:class:`store.ConstraintBroken`).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

LAKE_PREFIX = "ducklake:"
DATA_PATH_ENV = "STANCEWATCH_DATA_PATH"
LAKE = "lake"
"""The name the team store is attached under (and made the default catalog) in every connection."""


@dataclass(frozen=True)
class Lake:
    """The team store: its PostgreSQL catalog (a libpq connection string) and the folder its Parquet files go to."""

    catalog: str
    data_path: str | None

    def __str__(self) -> str:
        return f"{LAKE_PREFIX}postgres:{self.catalog}"


def parse(setting: str | os.PathLike[str]) -> Path | Lake:
    """A store setting as a file path, or as a :class:`Lake` for ``ducklake:postgres:<libpq connection string>``."""
    text = os.fspath(setting)
    if not text.startswith(LAKE_PREFIX):
        return Path(text)
    kind, _, catalog = text[len(LAKE_PREFIX):].partition(":")
    if kind != "postgres" or not catalog.strip():
        from lib.store import StoreError

        raise StoreError(f"store setting {text!r}: the team store is ducklake:postgres:dbname=NAME host=SOCKET-FOLDER")
    return Lake(catalog.strip(), os.environ.get(DATA_PATH_ENV) or None)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def open_lake(lake: Lake, read_only: bool, config: dict[str, object], snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the team store attached as ``lake`` and in use; StoreError in words when it cannot be.

    ``snapshot``: the store as it was at that DuckLake snapshot, read-only (a saved brief reopened as it was).
    """
    from lib.store import StoreError, load_extension

    con = duckdb.connect(config=config)
    for extension in ("ducklake", "postgres_scanner"):
        if not load_extension(con, extension):
            raise StoreError(f"the team store needs the DuckDB extension {extension}: pip install -r requirements.txt")
    options = ["read_only"] if read_only or snapshot is not None else []
    if snapshot is not None:
        options.append(f"snapshot_version {int(snapshot)}")
    if lake.data_path:
        if "://" not in lake.data_path:
            Path(lake.data_path).mkdir(parents=True, exist_ok=True)
        options.append(f"data_path {_literal(lake.data_path)}")
    # ATTACH takes no parameters: the setting is the administrator's own, quoted as a literal
    attach = f"attach {_literal(str(lake))} as {LAKE}" + (f" ({', '.join(options)})" if options else "")
    try:
        con.execute(attach)
    except duckdb.Error as exc:
        con.close()
        hint = f" (set ${DATA_PATH_ENV} to the folder for its files)" if not lake.data_path else ""
        raise StoreError(f"cannot open the team store {lake}{hint}: {exc}") from exc
    con.execute(f"use {LAKE}")
    return con


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` works on the team store."""
    return con.execute("select type from duckdb_databases() where database_name = current_database()").fetchall()[0][0] == "ducklake"


def lake_attached(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the team store is attached to ``con``'s database instance (true of all its cursors, whichever is in use)."""
    return con.execute("select count(*) from duckdb_databases() where database_name = ? and type = 'ducklake'",
                       [LAKE]).fetchall()[0][0] > 0


def snapshot(con: duckdb.DuckDBPyConnection) -> int:
    """The team store's snapshot this connection reads now (DuckLake's snapshot id; at a snapshot, that one)."""
    attached = con.execute("select options from duckdb_databases() where database_name = ?", [LAKE]).fetchall()
    pinned = re.search(r"snapshot_version[^0-9]*(\d+)", str(attached[0][0]).lower()) if attached else None
    return int(pinned.group(1)) if pinned else int(con.execute(f"select id from {LAKE}.current_snapshot()").fetchall()[0][0])


# -- the schema without what DuckLake cannot hold ------------------------------------------------------
@dataclass(frozen=True)
class Rules:
    """schema.sql as DuckLake holds it (``ddl``) and what the writers enforce in its place."""

    ddl: str
    keys: dict[str, tuple[str, ...]]
    """table -> its primary key columns"""
    checks: tuple[tuple[str, str, str], ...]
    """(table, column, SQL condition) for every CHECK"""
    numbered: dict[str, tuple[str, str]]
    """sequence -> (table, column) it numbers"""
    filled: tuple[tuple[str, str, str], ...]
    """(table, column, default) for the list defaults DuckLake refuses"""


def _split(body: str) -> list[str]:
    """The items of a CREATE TABLE body: split at the commas outside parentheses and quotes."""
    items, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(body):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            items.append(body[start:i])
            start = i + 1
    items.append(body[start:])
    return [item.strip() for item in items if item.strip()]


def _take_check(text: str) -> tuple[str, str | None]:
    """The column text without its ``check (...)``, and the condition (balanced parentheses)."""
    found = re.search(r"\bcheck\s*\(", text)
    if not found:
        return text, None
    depth, i = 1, found.end()
    while depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    return text[:found.start()] + text[i:], text[found.end():i - 1].strip()


DEFAULT = re.compile(r"\bdefault\s+(nextval\('(\w+)'\)|\[\]|'[^']*'|\w+)", re.I)


@dataclass(frozen=True)
class Column:
    """One column of schema.sql as DuckLake holds it, and what the writers do in place of its constraints."""

    name: str
    ddl: str
    """name, type and what DuckLake keeps (NOT NULL, a literal default)"""
    check: str | None
    key: bool
    """declared PRIMARY KEY"""
    sequence: str | None
    """the sequence of its ``default nextval(...)``: :func:`enforce` numbers new rows"""
    fill: str | None
    """its list default (``[]``): :func:`enforce` fills it"""


def column(item: str) -> Column:
    """A column definition of schema.sql (or of a migration's ADD COLUMN) without what DuckLake cannot hold."""
    item, check = _take_check(item)
    name, kind, rest = [*item.split(None, 2), ""][:3]
    key = bool(re.search(r"\bprimary key\b", rest, re.I))
    if key:
        rest = re.sub(r"\bprimary key\b", "not null", rest, flags=re.I)
    sequence = fill = None
    default = DEFAULT.search(rest)
    if default and (default.group(2) or default.group(1) == "[]"):
        rest = re.sub(r"\bnot null\b", "", DEFAULT.sub("", rest), flags=re.I)
        sequence, fill = default.group(2), None if default.group(2) else default.group(1)
    return Column(name, " ".join(f"{name} {kind} {rest}".split()), check, key, sequence, fill)


@functools.cache
def rules(schema_sql: str) -> Rules:
    """Derive the DuckLake tables and the writers' rules from schema.sql's text (never a hand-kept copy)."""
    text = re.sub(r"--[^\n]*", "", schema_sql)
    tables, keys, checks, numbered, filled = [], {}, [], {}, []
    for table, body in re.findall(r"create table if not exists (\w+) \((.*?)\n\);", text, re.S):
        columns = []
        for item in _split(body):
            table_key = re.fullmatch(r"primary key\s*\(([^)]*)\)", item, re.I)
            if table_key:
                keys[table] = tuple(c.strip() for c in table_key.group(1).split(","))
                continue
            found = column(item)
            if found.check:
                checks.append((table, found.name, found.check))
            if found.key:
                keys[table] = (found.name,)
            if found.sequence:
                numbered[found.sequence] = (table, found.name)
            if found.fill:
                filled.append((table, found.name, found.fill))
            columns.append(found.ddl)
        tables.append(f"create table if not exists {table} (\n    " + ",\n    ".join(columns) + "\n)")
    return Rules(";\n".join(tables) + ";\n", keys, tuple(checks), numbered, tuple(filled))


# -- schema upgrades ------------------------------------------------------------------------------------
WRITERS_ENFORCE = re.compile(r"""\s*(create\s+(unique\s+)?index|drop\s+index|create\s+sequence|drop\s+sequence
                                 |alter\s+table\s+\w+\s+(add\s+(primary\s+key|unique|check|constraint)|drop\s+constraint))\b""",
                             re.I | re.X)
"""Upgrade statements that make or drop an index, a sequence or a constraint: the team store holds none of them,
its writers enforce what schema.sql says (:func:`rules`, :func:`enforce`), so they have nothing to do there."""
ADD_COLUMN = re.compile(r"\s*alter\s+table\s+(\w+)\s+add\s+(?:column\s+)?(if\s+not\s+exists\s+)?(.*?)\s*;?\s*", re.I | re.S)


def lake_statements(statement: str) -> list[str]:
    """One statement of a schema upgrade (``store.MIGRATIONS``, ``store.REFILLS``) as the team store runs it.

    DuckLake refuses indexes, sequences and constraints (dropped: the writers enforce schema.sql's) and an added
    column with a CHECK, a sequence or a list default: the column is added without them and a list default filled
    in. Anything else runs as written; what DuckLake cannot do fails there, and the upgrade is refused whole
    (:func:`refused`).
    """
    if WRITERS_ENFORCE.match(statement):
        return []
    added = ADD_COLUMN.fullmatch(statement)
    if not added:
        return [statement]
    table, if_not_exists, item = added.groups()
    found = column(item)
    steps = [f"alter table {table} add column {if_not_exists or ''}{found.ddl}"]
    if found.fill:
        steps.append(f"update {table} set {found.name} = {found.fill} where {found.name} is null")
    return steps


def refused(found: int, wanted: int, exc: Exception) -> str:
    """What an upgrade that failed on the team store tells the administrator: nothing changed, and what to do."""
    return (f"the team store cannot be upgraded from schema {found} to {wanted}: {exc}. Nothing was changed (the "
            f"upgrade is one transaction and rolled back). Keep running the Stancewatch that matches schema {found}, "
            "or move the data: with that version, python -m lib.cli export bundle DIR; then, with this one, a new team "
            "store (an empty catalog database and data path) and python -m lib.cli import bundle DIR "
            "(docs/DEPLOY.md, 'Upgrading the team store')")


LARGE = frozenset({"events", "documents", "statements", "event_actors", "event_documents", "event_actor_days", "event_actor_months"})
"""Tables checked at commit only when the writer reported writing them (every other table is checked at every commit)."""


def enforce(con: duckdb.DuckDBPyConnection, schema: Rules, touched: set[str]) -> None:
    """Do, inside the open transaction, what the file's constraints do: number new audit and import rows, fill list
    defaults, then refuse (:class:`store.ConstraintBroken`) a repeated key or a value outside its vocabulary.

    Every statement on DuckLake reads its catalog in PostgreSQL (tens of milliseconds), so the checks run as one query.
    """
    from lib.store import ConstraintBroken

    unnumbered = con.execute("select " + ", ".join(f"(select count(*) from {t} where {c} is null)"
                                                   for t, c in schema.numbered.values())).fetchall()[0]
    for (table, column), count in zip(schema.numbered.values(), unnumbered, strict=True):
        if count:
            _number(con, table, column)
    checked = set(schema.keys) - LARGE | touched | ({"event_actor_months"} if touched & {"events", "event_actors"} else set())
    for table, column, default in schema.filled:
        if table in checked:
            con.execute(f"update {table} set {column} = {default} where {column} is null")
    probes = []
    for table, key in schema.keys.items():
        if table in checked:
            columns, text = ", ".join(key), " || '/' || ".join(f"coalesce({c}::varchar, '')" for c in key)
            probes.append(f"""(select '{table}', '{columns}', {text}, 'the key is repeated' from {table}
                               group by all having count(*) > 1 limit 1)""")
            probes.append(f"""(select '{table}', '{columns}', '', 'the key is empty' from {table}
                               where {' or '.join(f"{c} is null" for c in key)} limit 1)""")
    probes += [f"""(select '{table}', '{column}', {column}::varchar, {_literal(f"the value breaks the rule {condition}")}
                    from {table} where not ({condition}) limit 1)"""
               for table, column, condition in schema.checks if table in checked]
    broken = con.execute(" union all ".join(probes) + " limit 1").fetchall() if probes else []
    if broken:
        raise ConstraintBroken(*broken[0])


def _number(con: duckdb.DuckDBPyConnection, table: str, column: str) -> None:
    """Number this transaction's new rows (``column`` null) above the largest number in use: taken out and put back
    (not UPDATE … WHERE rowid: a new row's rowid may equal a committed row's before DuckLake commits it)."""
    con.execute(f"create or replace temp table numbering as select * from {table} where {column} is null")
    con.execute(f"delete from {table} where {column} is null")
    con.execute(f"""insert into {table} by name
                    select * replace ((select coalesce(max({column}), 0) from {table}) + row_number() over (order by rowid)
                                      as {column})
                    from numbering""")
    con.execute("drop table numbering")
