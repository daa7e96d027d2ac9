"""The DuckDB store: where it lives, its schema and upgrades, and how writes happen.

Every write in the project goes through :func:`transaction`, which bumps the
store's data version (the key every cache uses) and gives the writer an
:class:`Audit` to record what changed. A failed write rolls back whole.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

SCHEMA_VERSION = 6
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "stancewatch.duckdb"
DB_ENV = "STANCEWATCH_DB"

# Upgrades from version N to N+1, applied in order inside one transaction.
# An upgrade may add tables and columns; it never drops data.
# New tables need no entry: schema.sql (every statement `if not exists`) runs again after the
# migrations. A table whose definition changes is renamed aside by its migration, created anew by
# schema.sql and refilled by REFILLS. Derived columns and tables are filled by _refresh_derived at the end.
MIGRATIONS: dict[int, Sequence[str]] = {
    1: ["alter table statements add column own_continuity varchar"],
    2: [],  # event_actor_months
    3: ["alter table events rename to events_v3"],  # events lose their primary-key index (schema.sql says why)
    4: ["alter table documents rename to documents_v4"],  # so do documents
    5: [],  # event_actor_days
}
REFILLS: dict[int, Sequence[str]] = {
    3: ["insert into events select * from events_v3", "drop table events_v3"],
    4: ["insert into documents select * from documents_v4", "drop table documents_v4"],
}
SCHEMA_SQL = Path(__file__).parent / "schema.sql"
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
"""Connection settings: DuckDB never fetches an extension from the network; ours come from PyPI packages."""


class StoreError(Exception):
    """A store problem worth one clear sentence to the user."""


class StoreLocked(StoreError):
    """Another process (usually the running dashboard) holds the store file."""


def db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The store file: the CLI flag wins, then $STANCEWATCH_DB, then data/stancewatch.duckdb."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get(DB_ENV)
    return Path(env) if env else DEFAULT_DB


def connect(path: str | os.PathLike[str] | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store, creating or upgrading its schema; raise StoreLocked with advice when held elsewhere.

    DuckDB lets one process hold a file read-write; a second process cannot open
    it at all, so the message says which process and what to do.
    """
    target = db_path(path)
    if str(target) != ":memory:":
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(target), read_only=read_only, config=OFFLINE)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = re.search(r"PID (\d+)", text)
            holder = f"process {pid.group(1)}" if pid else "another process"
            raise StoreLocked(
                f"the store {target} is held by {holder} (probably the running dashboard): "
                "stop it and retry, or import from the dashboard's Data page"
            ) from exc
        if "newer version of DuckDB" in text:
            raise StoreError(
                f"the store {target} was written by a newer DuckDB than this program's {duckdb.__version__}: export it "
                "with the version that wrote it (python -m lib.cli export bundle DIR) and import that bundle here, "
                "or rebuild the demo store (make seed)"
            ) from exc
        raise StoreError(f"cannot open the store {target}: {text}") from exc
    if not read_only:
        ensure_schema(con)
    return con


def extension_file(name: str) -> Path | None:
    """The extension's file as the pinned PyPI package ``duckdb-extension-<name>`` ships it, or None if not installed.

    The wheel holds ``duckdb_extension_<name>/extensions/v<duckdb version>/<name>.duckdb_extension``:
    a file for exactly the DuckDB in use, so loading it needs no download.
    """
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.origin:
        return None
    found = Path(spec.origin).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    return found if found.is_file() else None


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Load a DuckDB extension from its PyPI package; False (and nothing loaded) when the package is missing.

    Callers fall back to plain SQL when this is False (search: ILIKE), so a store opened
    by an install without the extension still works.
    """
    path = extension_file(name)
    if path is None:
        return False
    try:
        con.execute("load '" + path.as_posix().replace("'", "''") + "'")  # our package's path; LOAD takes no parameter
    except duckdb.Error:
        return False
    return True


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version recorded in the store, 0 for an empty file."""
    has_meta = con.execute(
        "select count(*) from information_schema.tables where table_name = 'meta'"
    ).fetchall()[0][0]
    if not has_meta:
        return 0
    row = con.execute("select value from meta where key = 'schema_version'").fetchall()
    return int(row[0][0]) if row else 0


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create a new store, or upgrade an older one in place, in one transaction."""
    found = schema_version(con)
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"the store has schema version {found}, newer than this program's {SCHEMA_VERSION}: update Stancewatch"
        )
    if found == SCHEMA_VERSION:
        return
    con.execute("begin transaction")
    try:
        if found == 0:
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            con.execute("insert into meta values ('data_version', '0') on conflict do nothing")
        else:
            steps = range(found, SCHEMA_VERSION)
            for statement in (s for version in steps for s in MIGRATIONS[version]):
                con.execute(statement)
            con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            for statement in (s for version in steps for s in REFILLS.get(version, ())):
                con.execute(statement)
            _refresh_derived(con, touched={"statements", "events"})
        con.execute(
            "insert into meta values ('schema_version', ?) on conflict do update set value = excluded.value",
            [str(SCHEMA_VERSION)],
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A number that rises with every committed write: caches key on it."""
    return int(con.execute("select value from meta where key = 'data_version'").fetchall()[0][0])


LINK_COUNTS = "event_actor_counts"
"""The derived link counts (event_actor_days and event_actor_months), for ``Audit.keeps_current``."""
SEARCHABLE = frozenset({"events", "statements", "claims", "documents"})
"""The tables whose text lib/search indexes: a write of one marks the index stale."""
OWN_CONTINUITY = "statements.own_continuity"
"""The derived statement labels, for ``Audit.keeps_current``."""


@dataclass
class Audit:
    """Records what a transaction changed into audit_log, in the same transaction."""

    con: duckdb.DuckDBPyConnection
    who: str
    action: str
    touched: set[str] = field(default_factory=set)
    kept_current: set[str] = field(default_factory=set)

    def row(self, table: str, row_key: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> None:
        """One changed row, with its values before and after (None for insert / delete)."""
        self.touched.add(table)
        self.con.execute(
            "insert into audit_log (who, action, table_name, row_key, before, after) values (?, ?, ?, ?, ?, ?)",
            [self.who, self.action, table, row_key, _json(before), _json(after)],
        )

    def keeps_current(self, derived: str) -> None:
        """The writer updated a derived table itself (cheaper than a rebuild): skip its rebuild at commit."""
        self.kept_current.add(derived)

    def wrote(self, table: str) -> None:
        """Note a table that set-based SQL wrote and audited itself (a bundle's upsert), so derived columns follow."""
        self.touched.add(table)

    def bulk(self, table: str, summary: Mapping[str, Any]) -> None:
        """One line for a bulk write (a dataset import): counts and the import id, not millions of rows."""
        self.touched.add(table)
        self.con.execute(
            "insert into audit_log (who, action, table_name, row_key, before, after) values (?, ?, ?, null, null, ?)",
            [self.who, self.action, table, _json(summary)],
        )


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, who: str, action: str) -> Iterator[Audit]:
    """Run a write as one transaction that bumps the data version; roll back whole on any error."""
    con.execute("begin transaction")
    try:
        audit = Audit(con, who, action)
        yield audit
        _refresh_derived(con, audit.touched, audit.kept_current)
        con.execute("update meta set value = cast(cast(value as bigint) + 1 as varchar) where key = 'data_version'")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _refresh_derived(con: duckdb.DuckDBPyConnection, touched: set[str], kept_current: frozenset[str] | set[str] = frozenset()) -> None:
    """Bring derived columns and tables in step with what the transaction wrote, before it commits.

    They let the Timeline answer at 1M-10M rows without recomputing on every
    filter change: statements.own_continuity (each series' history: 0.9 s at
    1M statements) and the link counts event_actor_days and event_actor_months
    (density by actor lane: 1.2 s at 10M events for all dates). A write of those
    tables pays the refresh instead.
    """
    from lib import queries  # queries imports this module: import at first use, not at load

    if touched & SEARCHABLE:  # lib/search rebuilds its index before the next search (a rebuild takes seconds)
        con.execute("insert into meta values ('search_dirty', '1') on conflict do update set value = excluded.value")
    if "statements" in touched and OWN_CONTINUITY not in kept_current:
        queries.refresh_own_continuity(con)
    if touched & {"events", "event_actors"} and LINK_COUNTS not in kept_current:
        queries.rebuild_event_actor_counts(con)


TABLES: tuple[str, ...] = (
    "sources", "documents", "actors", "topics", "positions", "event_types", "events",
    "event_actors", "event_documents", "statements", "claims", "evidence",
)
"""The data tables in dependency order (a table only refers to those before it)."""


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every data table, for the Overview and for import reports."""
    sql = " union all ".join(f"select '{t}', count(*) from {t}" for t in TABLES)
    return {name: int(n) for name, n in con.execute(sql).fetchall()}
