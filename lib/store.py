"""The DuckDB store: where it lives, its schema and upgrades, and how writes happen.

Every write in the project goes through :func:`transaction`, which bumps the
store's data version (the key every cache uses) and gives the writer an
:class:`Audit` to record what changed. A failed write rolls back whole.

Writes of one process are serialised by a writer lock per store file: DuckDB's
optimistic concurrency would otherwise roll back one of two overlapping write
transactions ("Conflict on update!", every write bumps the same data version
row), so a grade saved during a 17 s import would cost the import. A write
waits its turn, at most :func:`write_wait` seconds, and is then refused in
words (:class:`StoreBusy`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lib import backend

SCHEMA_VERSION = 14
DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "stancewatch.duckdb"
DB_ENV = "STANCEWATCH_DB"

# Upgrades from version N to N+1, applied in order inside one transaction.
# An upgrade may add tables and columns; it never drops data.
# New tables need no entry: schema.sql (every statement `if not exists`) runs again after the
# migrations. A table whose definition changes is renamed aside by its migration, created anew by
# schema.sql and refilled by REFILLS. derived.RECOMPUTES rewrites stored values in Python (a detector changed).
# Derived columns and tables are filled by derived.refresh at the end, after every step.
MIGRATIONS: dict[int, Sequence[str]] = {
    1: ["alter table statements add column own_continuity varchar"],
    2: [],  # event_actor_months
    3: ["alter table events rename to events_v3"],  # events lose their primary-key index (schema.sql says why)
    4: ["alter table documents rename to documents_v4"],  # so do documents
    5: [],  # event_actor_days
    6: [],  # self_declared_continuity re-flagged by the rewritten phrase detector (RECOMPUTES)
    7: [],  # the full-text index kept current at write time (search_docs, search_postings, search_stats; RECOMPUTES)
    8: [],  # claim_judgements: each claim's judgement kept current at write time (RECOMPUTES)
    # the index in impact order with per-term frequencies and item precisions, docids without a sequence (the team
    # store has none): derived data, dropped and built anew (RECOMPUTES)
    9: ["drop table if exists search_postings", "drop table if exists search_docs", "drop table if exists search_stats",
        "drop sequence if exists search_docid_seq"],
    10: [],  # series_standings: each series' standing kept current at write time (RECOMPUTES)
    11: [],  # timeline_actor_months: the Timeline's opening density kept at write time (RECOMPUTES)
    12: [],  # series_labels: each statement's label on its series' line, kept with series_standings (RECOMPUTES)
    # source_document_counts and event_type_counts: the sidebar's order kept at write time; each source's derived letter
    # kept with its sums: derived data, dropped and summed anew (RECOMPUTES)
    13: ["drop table if exists source_judgement_totals"],
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
    """Another process (usually the running dashboard) holds the store file; ``pid`` names it when DuckDB said."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


class ConstraintBroken(StoreError, duckdb.ConstraintException):
    """A write would repeat a key or break a vocabulary of schema.sql on the team store, which holds no constraints
    (lib/backend.py checks them before commit); a ConstraintException, as the file's own constraints raise."""

    def __init__(self, table: str, column: str, value: str, reason: str) -> None:
        self.table, self.column, self.value, self.reason = table, column, value, reason
        super().__init__(f"{table}, column {column}" + (f", value {value!r}" if value else "") + f": {reason}")


class StoreBusy(StoreError):
    """A write waited longer than write_wait() for another write of this process, or collided with a write from outside it."""


WRITE_WAIT_ENV = "STANCEWATCH_WRITE_WAIT"
WRITE_WAIT_DEFAULT = 300.0


def write_wait() -> float:
    """Seconds a write waits for the write ahead of it before it is refused: $STANCEWATCH_WRITE_WAIT, default 300
    (longer than the slowest measured bundle import); read at each write so that a changed setting applies at once."""
    raw = os.environ.get(WRITE_WAIT_ENV, "").strip()
    try:
        seconds = float(raw) if raw else WRITE_WAIT_DEFAULT
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise StoreError(f"{WRITE_WAIT_ENV}={raw!r}: give the seconds a write may wait, e.g. 300")
    return seconds
CONFLICT_RETRIES = 10
"""Times a transaction that DuckDB rolled back for a conflict is retried by :func:`retry_on_conflict`. On the team
store every overlapping write of another process is a conflict; one of two always commits, so a writer loses at
most as often as the others commit while it retries."""


def db_path(cli_value: str | os.PathLike[str] | backend.Lake | None = None) -> Path | backend.Lake:
    """The store: the CLI flag wins, then $STANCEWATCH_DB, then data/stancewatch.duckdb; a file, or the team store
    (``ducklake:postgres:…``, lib/backend.py)."""
    if isinstance(cli_value, backend.Lake):
        return cli_value
    setting = cli_value or os.environ.get(DB_ENV)
    return backend.parse(setting) if setting else DEFAULT_DB


Store = str | os.PathLike[str] | backend.Lake
"""A store setting: a file path, ``ducklake:postgres:…`` or a parsed :class:`backend.Lake`."""


def connect(path: Store | None = None, read_only: bool = False, snapshot: int | None = None) -> duckdb.DuckDBPyConnection:
    """Open the store, creating or upgrading its schema; raise StoreLocked with advice when held elsewhere.

    DuckDB lets one process hold a file read-write; a second process cannot open
    it at all, so the message says which process and what to do. The team store
    (lib/backend.py) is opened by any number of processes; ``snapshot`` opens it read-only as it was at that
    snapshot (:func:`snapshot_of`), which the file cannot do (:data:`NO_TIME_TRAVEL`).
    """
    target = db_path(path)
    if isinstance(target, backend.Lake):
        con = backend.open_lake(target, read_only, OFFLINE, snapshot)
        if not read_only and snapshot is None:
            try:
                ensure_schema(con)
            except duckdb.TransactionException as exc:  # another process created or upgraded it first: now current
                if not _is_conflict(exc):
                    raise
                ensure_schema(con)
        return con
    if snapshot is not None:
        raise StoreError(NO_TIME_TRAVEL)
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
                "stop it and retry, or import from the dashboard's Data page",
                int(pid.group(1)) if pid else None,
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


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor on ``con`` (one per thread or session) that works on the same store: a DuckDB cursor starts in the
    default database, so on the team store it is pointed at the attached lake, as ``con`` is."""
    cur = con.cursor()
    if backend.lake_attached(cur):  # asked on the new cursor: the shared connection is not safe to query from threads
        cur.execute(f"use {backend.LAKE}")
    return cur


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
    lake = backend.is_lake(con)
    con.execute("begin transaction")
    try:
        if found == 0:
            con.execute(schema_ddl(con))
            set_meta(con, "data_version", "0")
        else:
            steps = range(found, SCHEMA_VERSION)
            for statement in (s for version in steps for s in MIGRATIONS[version]):
                for step in backend.lake_statements(statement) if lake else [statement]:
                    con.execute(step)
            con.execute(schema_ddl(con))  # the team store holds no sequences: its DDL has none
            for statement in (s for version in steps for s in REFILLS.get(version, ())):
                for step in backend.lake_statements(statement) if lake else [statement]:
                    con.execute(step)
            from lib import derived  # derived reads the feature packages, which read this module: imported at first use

            # one recompute may serve several steps (the standings and their labels are judged in one pass): run once
            for recompute in dict.fromkeys(derived.RECOMPUTES[v] for v in steps if v in derived.RECOMPUTES):
                recompute(con)
            # every derived table anew, but for the full-text index, the judgements and the standings: an upgrade changes
            # no text, evidence or statement (RECOMPUTES builds them); it writes without row keys
            derived.refresh(con, touched={"statements", "events"}, kept_current={SEARCH_INDEX, JUDGEMENTS, STANDINGS},
                            unkeyed={"statements", "events"})
        set_meta(con, "schema_version", str(SCHEMA_VERSION))
        if lake:
            backend.enforce(con, lake_rules(), set())
        con.execute("commit")
    except Exception as exc:
        _rollback(con)
        if lake and found and isinstance(exc, duckdb.Error) and not isinstance(exc, StoreError) and not _is_conflict(exc):
            raise StoreError(backend.refused(found, SCHEMA_VERSION, exc)) from exc
        raise


def lake_rules() -> backend.Rules:
    """schema.sql as the team store holds it, and what its writers enforce instead (lib/backend.py)."""
    return backend.rules(SCHEMA_SQL.read_text(encoding="utf-8"))


def schema_ddl(con: duckdb.DuckDBPyConnection) -> str:
    """The statements that create the tables: schema.sql, or its DuckLake form without constraints on the team store."""
    return lake_rules().ddl if backend.is_lake(con) else SCHEMA_SQL.read_text(encoding="utf-8")


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    """Set one meta value (MERGE: the team store has no key for ``on conflict``)."""
    con.execute("""merge into meta using (select ? as key, ? as value) new on meta.key = new.key
                   when matched then update set value = new.value when not matched then insert values (new.key, new.value)""",
                [key, value])


def next_id(con: duckdb.DuckDBPyConnection, sequence: str) -> int:
    """The next number of a schema.sql sequence (``import_seq``). The team store has no sequences: one above the
    largest in use, inside the writer's transaction (two writers that draw the same number conflict at commit)."""
    if not backend.is_lake(con):
        return int(con.execute("select nextval(?)", [sequence]).fetchall()[0][0])
    table, column = lake_rules().numbered[sequence]
    return int(con.execute(f"select coalesce(max({column}), 0) + 1 from {table}").fetchall()[0][0])


NO_TIME_TRAVEL = ("reopening as it was needs the team store (DuckLake, docs/DEPLOY.md): "
                  "this store file keeps only its current data, so it opens as it is now")


@dataclass(frozen=True)
class Snapshot:
    """The state of the store a reader saw: a DuckLake snapshot id on the team store, the data version on a file."""

    number: int
    lake: bool

    def __str__(self) -> str:
        return f"snapshot {self.number}" if self.lake else f"data version {self.number}"


def snapshot_of(con: duckdb.DuckDBPyConnection) -> Snapshot:
    """The snapshot ``con`` reads now: what a page's 'data as of' names and a saved brief records."""
    if backend.is_lake(con):
        return Snapshot(backend.snapshot(con), True)
    return Snapshot(data_version(con), False)


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A number that rises with every committed write: caches key on it."""
    return int(con.execute("select value from meta where key = 'data_version'").fetchall()[0][0])


LINK_COUNTS = "event_actor_counts"
"""The derived link counts (event_actor_days and event_actor_months), for ``Audit.keeps_current``."""
SEARCH_INDEX = "search_index"
"""The full-text index (lib/search/index.py), for ``Audit.keeps_current``."""
KEYED_BY_EVENT = frozenset({"event_documents", "event_actors"})
"""Link tables whose written rows are recorded by their event's id (what derived data follows)."""
OWN_CONTINUITY = "statements.own_continuity"
"""The derived statement labels, for ``Audit.keeps_current``."""
JUDGEMENTS = "claim_judgements"
"""Each claim's judgement (lib/sources/judgements.py), for ``Audit.keeps_current``."""
STANDINGS = "series_standings"
"""Each series' standing and its statements' labels on its line (``series_labels``), judged together
(``stance.standing_rows``, kept by lib/derived.py), for ``Audit.keeps_current``."""


@dataclass
class Audit:
    """Records what a transaction changed into audit_log, in the same transaction."""

    con: duckdb.DuckDBPyConnection
    who: str
    action: str
    touched: set[str] = field(default_factory=set)
    kept_current: set[str] = field(default_factory=set)
    unkeyed: set[str] = field(default_factory=set)
    """Tables written without the keys of their rows: derived data of them is rebuilt whole."""
    row_keys: list[tuple[str, str]] = field(default_factory=list)

    def row(self, table: str, row_key: str, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> None:
        """One changed row, with its values before and after (None for insert / delete)."""
        self.touched.add(table)
        values = after or before or {}
        self.row_keys.append((table, str(values.get("event_id", row_key)) if table in KEYED_BY_EVENT else row_key))
        self.con.execute(
            "insert into audit_log (who, action, table_name, row_key, before, after) values (?, ?, ?, ?, ?, ?)",
            [self.who, self.action, table, row_key, _json(before), _json(after)],
        )

    def keeps_current(self, derived: str) -> None:
        """The writer updated a derived table itself (cheaper than a rebuild): skip its rebuild at commit."""
        self.kept_current.add(derived)

    def wrote(self, table: str, keys: str | None = None) -> None:
        """Note a table that set-based SQL wrote (a bundle's upsert), so derived data follows.

        ``keys`` selects the key of every row written (one column; a link table's event id, see
        KEYED_BY_EVENT): derived data then follows those rows alone. Without it, derived data of the
        table is rebuilt whole at commit.
        """
        self.touched.add(table)
        if keys is None:
            self.unkeyed.add(table)
        else:
            self._keys_table()
            self.con.execute(f"insert into written_keys select ?, cast(k as varchar) from ({keys}) t(k)", [table])

    def bulk(self, table: str, summary: Mapping[str, Any], keys: str | None = None) -> None:
        """One line for a bulk write (a dataset import): counts and the import id, not millions of rows; ``keys`` as for wrote."""
        self.wrote(table, keys)
        self.con.execute(
            "insert into audit_log (who, action, table_name, row_key, before, after) values (?, ?, ?, null, null, ?)",
            [self.who, self.action, table, _json(summary)],
        )

    def _keys_table(self) -> None:
        self.con.execute("create temp table if not exists written_keys (table_name varchar, row_key varchar)")

    def flush_keys(self) -> None:
        """Put the keys of the rows ``row`` recorded into the temp table ``written_keys``, beside those of ``wrote``."""
        self._keys_table()
        if self.row_keys:
            self.con.register("audited_keys", pa.table({"t": [t for t, _ in self.row_keys], "k": [k for _, k in self.row_keys]}))
            try:
                self.con.execute("insert into written_keys select t, k from audited_keys")
            finally:
                self.con.unregister("audited_keys")
            self.row_keys.clear()


def _json(value: Mapping[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, default=str, ensure_ascii=False, sort_keys=True)


class _Writer:
    """The writer lock of one store file in this process: who holds it (for 'queued behind …'), re-entrant per thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.owner: int | None = None
        self.depth = 0
        self.holder = ""


_WRITERS: dict[str, _Writer] = {}
_WRITERS_GUARD = threading.Lock()


def _writer(con: duckdb.DuckDBPyConnection) -> _Writer:
    """The writer of the store file behind ``con`` (cursors of one connection share it; in-memory stores share one)."""
    path, kind = con.execute("select path, type from duckdb_databases() where database_name = current_database()").fetchall()[0]
    key = path if kind == "ducklake" else os.path.realpath(path) if path else ":memory:"
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(key, _Writer())


def writer_busy(con: duckdb.DuckDBPyConnection) -> str:
    """What holds the store's writer lock in this process ('import bundle by dashboard'), or '' when a write would start now."""
    return _writer(con).holder


@contextmanager
def _write_turn(con: duckdb.DuckDBPyConnection, who: str, action: str, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    writer = _writer(con)
    me = threading.get_ident()
    if writer.owner == me:  # a write nested in this thread's own write (DuckDB refuses a second begin anyway)
        writer.depth += 1
        try:
            yield
        finally:
            writer.depth -= 1
        return
    if not writer.lock.acquire(blocking=False):
        ahead = writer.holder or "another write"
        if on_wait:
            on_wait(ahead)
        wait = write_wait()
        if not writer.lock.acquire(timeout=wait):
            raise StoreBusy(
                f"{action} was not saved: the store was busy with {ahead} for more than {wait:g} s; "
                f"retry when it has finished (${WRITE_WAIT_ENV} sets the wait)"
            )
    writer.owner, writer.depth, writer.holder = me, 1, f"{action} by {who}"
    try:
        yield
    finally:
        writer.owner, writer.depth, writer.holder = None, 0, ""
        writer.lock.release()


def _is_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.TransactionException) and "conflict" in str(exc).lower()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, who: str, action: str,
                on_wait: Callable[[str], None] | None = None) -> Iterator[Audit]:
    """Run a write as one transaction that bumps the data version; roll back whole on any error.

    The write first takes its turn on the store's writer lock; ``on_wait(holder)`` is called once when it
    has to queue (the Data page says "queued behind import bundle by dashboard"). A conflict with a write
    from outside the lock (another connection to the file) becomes :class:`StoreBusy`;
    :func:`retry_on_conflict` runs a whole write again.
    """
    from lib import derived  # derived reads the feature packages, which read this module: imported at first use

    with _write_turn(con, who, action, on_wait):
        con.execute("begin transaction")
        try:
            audit = Audit(con, who, action)
            yield audit
            audit.flush_keys()
            derived.refresh(con, audit.touched, audit.kept_current, audit.unkeyed)
            con.execute("drop table written_keys")
            con.execute("update meta set value = cast(cast(value as bigint) + 1 as varchar) where key = 'data_version'")
            if backend.is_lake(con):
                backend.enforce(con, lake_rules(), audit.touched)
            con.execute("commit")
        except BaseException as exc:
            _rollback(con)
            if _is_conflict(exc):
                raise StoreBusy(f"{action} was not saved: it collided with another write to the store; retry") from exc
            raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back; a transaction DuckDB already aborted (a failed commit) has nothing left to roll back."""
    with suppress(duckdb.TransactionException):
        con.execute("rollback")


def retry_on_conflict(write: Callable[[], Any], retries: int = CONFLICT_RETRIES) -> Any:
    """Run ``write`` (a function that opens its own transaction) again when it collided with another write."""
    for attempt in range(retries):
        try:
            return write()
        except StoreBusy as exc:
            if not _is_conflict(exc.__cause__):
                raise
            time.sleep(random.uniform(0.05, 0.1 * 2 ** min(attempt, 5)))  # apart, so that the same two do not collide again
    return write()


TABLES: tuple[str, ...] = (
    "sources", "documents", "actors", "topics", "positions", "event_types", "events",
    "event_actors", "event_documents", "statements", "claims", "evidence",
)
"""The data tables in dependency order (a table only refers to those before it)."""


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every data table, for the Overview and for import reports."""
    sql = " union all ".join(f"select '{t}', count(*) from {t}" for t in TABLES)
    return {name: int(n) for name, n in con.execute(sql).fetchall()}
