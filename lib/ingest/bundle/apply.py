"""Applying a validated bundle: upsert by key in one audited transaction, keep derived data current, log the attempt."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lib import access, derived, store
from lib.ingest import history
from lib.ingest.bundle.read import BundleRead, read_bundle
from lib.ingest.bundle.validate import Staged, validate
from lib.ingest.report import ImportResult, Problem, ProgressFn

log = logging.getLogger(__name__)


IMPORT_ACTION = "import bundle #{}"
"""The action of a bundle import's audit rows: the import id in it lets one import be found and undone (lib/edits/revert.py)."""


def check_bundle(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[dict[str, int], list[Problem]]:
    """Validate without writing: rows per table and every problem, for the Data page's preview."""
    read, _, problems = _read_and_check(con, Path(path))
    return {table: len(rows) for table, rows in read.rows.items()}, problems


def stage_bundle(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[list[Staged], list[Problem]]:
    """The validated rows a bundle would write, and every problem: what lib/edits/diff.py compares with the store."""
    _, staged, problems = _read_and_check(con, Path(path))
    return staged, problems


def import_bundle(con: duckdb.DuckDBPyConnection, path: Path, who: access.Actor, *,
                  progress: ProgressFn | None = None) -> ImportResult:
    """Read and check a bundle whole, then apply it and its `imports` row in one audited transaction.

    Everything is read and checked before the write transaction opens (it waits for the store's writer
    lock: ``progress`` hears "queued behind …"). Any failure at any stage leaves the store as it was and
    raises one :class:`ImportRefused`; the refused attempt is logged in `imports` in its own small transaction.
    """
    who = access.require(who, access.WRITE, "import")
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(f"no such bundle: {path}")
    say = progress or (lambda fraction, phrase: None)
    say(0.05, "reading and checking")
    read, staged, problems = _read_and_check(con, path)
    if not problems and not read.rows:
        problems.append(Problem(path.name, 0, "", "no table files found in the bundle"))
    if problems:
        history.refuse(con, who, 'bundle', path.name, read.sha256, problems)
    say(0.5, "writing")
    try:
        result = store.retry_on_conflict(lambda: _write(con, who, path, read, staged, say))
    except store.StoreBusy as busy:
        history.refuse(con, who, 'bundle', path.name, read.sha256, [Problem(path.name, 0, "", str(busy))])
    except (duckdb.Error, ValueError) as exc:  # the store refused a value the checks let through: still one refusal
        history.refuse(con, who, 'bundle', path.name, read.sha256, [Problem(path.name, 0, "", f"the store refused it: {_first_line(exc)}")])
    say(1.0, "done")
    return result


def _read_and_check(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[BundleRead, list[Staged], list[Problem]]:
    """The bundle as read, its staged tables and every problem; an unexpected error is a problem too, never a traceback."""
    try:
        read = read_bundle(path)
        if read.problems:
            return read, [], list(read.problems)
        staged, problems = validate(con, read.rows, read.names)
        return read, staged, problems
    except Exception as exc:  # a defect must still reach the user as one refusal naming the file
        log.exception("bundle %s could not be checked", path)
        return BundleRead({}, {}, [], "", []), [], [Problem(path.name, 0, "", f"could not be checked: {_first_line(exc)}")]


def _write(con: duckdb.DuckDBPyConnection, who: str, path: Path, read: BundleRead, staged: list[Staged], say: ProgressFn) -> ImportResult:
    """The data and its `imports` row in one transaction: a crash leaves both or neither."""
    counts: dict[str, dict[str, int]] = {}
    with store.transaction(con, who, "import bundle", on_wait=lambda ahead: say(0.5, f"queued behind {ahead}")) as audit:
        say(0.6, "writing")
        import_id = store.next_id(con, "import_seq")
        audit.action = IMPORT_ACTION.format(import_id)  # every audit row of this import names it
        for table in staged:
            counts.update(apply_staged(con, audit, table))
        result = ImportResult(0, "applied" if _changed(counts) else "unchanged", counts, warnings=read.warnings)
        result.import_id = history.record(con, who, 'bundle', path.name, read.sha256, result.status, counts, result.summary(),
                                          import_id)
    return result


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def _changed(counts: dict[str, dict[str, int]]) -> bool:
    return any(c.get("inserted") or c.get("updated") or c.get("deleted") for c in counts.values())


def apply_staged(con: duckdb.DuckDBPyConnection, audit: store.Audit, staged: Staged) -> dict[str, dict[str, int]]:
    """Upsert one validated table inside the caller's transaction, auditing each changed row: the bundle's write and an edit's."""
    spec = staged.spec
    columns = [c for c in staged.columns if c not in LINK_COLUMNS]
    if not staged.table.num_rows:
        links = {LINK_COLUMNS[c]: {"inserted": 0, "deleted": 0, "unchanged": 0} for c in staged.columns if c in LINK_COLUMNS}
        return {spec.table: {"inserted": 0, "updated": 0, "unchanged": 0}, **links}
    con.register("bundle_staged", staged.table)
    try:
        if spec.table == "statements":
            # the bundle's statements are the only ones this transaction writes: their series alone are relabelled
            series = _series(con)
            counts = {spec.table: _upsert(con, audit, spec.table, list(spec.key), columns, staged)}
            if counts[spec.table]["inserted"] or counts[spec.table]["updated"]:
                series |= _series(con)
                derived.refresh_own_continuity(con, sorted({a for a, _ in series}), sorted({t for _, t in series}))
            audit.keeps_current(store.OWN_CONTINUITY)
            return counts
        if spec.table != "events":
            return {spec.table: _upsert(con, audit, spec.table, list(spec.key), columns, staged)}
        # the bundle's events and their links are the only ones this transaction writes: the link counts follow them
        with derived.link_counts_follow(con, "select event_id from bundle_staged"):
            counts = {spec.table: _upsert(con, audit, spec.table, list(spec.key), columns, staged)}
            if "actor_ids" in staged.columns:
                counts["event_actors"] = _replace_links(con, audit, "event_actors", ["event_id", "actor_id", "role"],
                                                        "select event_id, unnest(actor_ids).actor_id as actor_id, "
                                                        "unnest(actor_ids).role as role from bundle_staged")
        audit.keeps_current(store.LINK_COUNTS)
        if "document_ids" in staged.columns:
            counts["event_documents"] = _replace_links(con, audit, "event_documents", ["event_id", "document_id"],
                                                       "select event_id, unnest(document_ids) as document_id from bundle_staged")
        return counts
    finally:
        con.unregister("bundle_staged")


LINK_COLUMNS = {"actor_ids": "event_actors", "document_ids": "event_documents"}
"""An event's link lists and the tables they are rows of (not columns of events)."""


def _series(con: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    """The (actor, topic) series the staged statements sit in, in the store (continuity.statement_series, for a staged table)."""
    return set(con.execute("select distinct actor_id, topic_id from statements "
                           "where statement_id in (select statement_id from bundle_staged)").fetchall())


def _upsert(con: duckdb.DuckDBPyConnection, audit: store.Audit, table: str, key: list[str], columns: list[str],
            staged: Staged) -> dict[str, int]:
    """Insert new rows and update changed ones (only the columns the file gave); audit each; count all three.

    The staged table is registered as ``bundle_staged`` by the caller.
    """
    rows = staged.table.num_rows
    if not rows:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    types = dict(con.execute("select column_name, data_type from information_schema.columns where table_name = ?", [table]).fetchall())
    casts = ", ".join(f"cast(s.{c} as {types[c]}) as {c}" for c in columns)
    level = "0"
    if table == "actors" and "parent_actor_id" in columns:
        con.register("bundle_levels", pa.table({"_n": staged.table.column("_n"), "stage_level": _parent_levels(staged.rows)}))
        level = "(select l.stage_level from bundle_levels l where l._n = s._n)"
    join = " and ".join(f"t.{k} = s.{k}" for k in key)
    differs = " or ".join(f"s.{c} is distinct from t.{c}" for c in columns if c not in key) or "false"
    row_key = " || '/' || ".join(f"s.{k}" for k in key)
    try:
        con.execute(
            f"""
            create or replace temp table stage_changes as
            with stage_rows as (select {casts}, {level} as stage_level, s._n as stage_order from bundle_staged s)
            select s.*, t.{key[0]} is null as is_new, {row_key} as row_key,
                   case when t.{key[0]} is null then null else to_json(t) end as before_json
            from stage_rows s left join {table} t on {join}
            where t.{key[0]} is null or {differs}
            """
        )
    finally:
        if level != "0":
            con.unregister("bundle_levels")
    cols = ", ".join(columns)
    after = "to_json({" + ", ".join(f"'{c}': c.{c}" for c in columns) + "})"
    con.execute(
        f"""insert into audit_log (who, action, table_name, row_key, before, after)
            select ?, ?, ?, c.row_key, c.before_json, {after} from stage_changes c order by c.stage_order""",
        [audit.who, audit.action, table],
    )
    audit.wrote(table, "select row_key from stage_changes")  # the search index follows these rows alone
    # which rows are new is known already (stage_changes.is_new): insert those and update the rest, without a second
    # join of the whole stage against the table (events carry no key index to conflict on, schema.sql)
    levels = [r[0] for r in con.execute("select distinct stage_level from stage_changes where is_new order by 1").fetchall()]
    for level in levels:  # parents before children: a self-reference is checked row by row on insert
        con.execute(f"insert into {table} ({cols}) select {cols} from stage_changes where is_new and stage_level = ? order by stage_order",
                    [level])
    updates = ", ".join(f"{c} = s.{c}" for c in columns if c not in key)
    if updates:
        con.execute(f"update {table} t set {updates} from stage_changes s where not s.is_new and {join}")
    inserted, updated = con.execute("select count(*) filter (where is_new), count(*) filter (where not is_new) from stage_changes").fetchall()[0]
    con.execute("drop table stage_changes")
    return {"inserted": int(inserted), "updated": int(updated), "unchanged": rows - int(inserted) - int(updated)}


def _replace_links(con: duckdb.DuckDBPyConnection, audit: store.Audit, table: str, columns: list[str], wanted_sql: str) -> dict[str, int]:
    """Make the links of the bundle's events exactly those in the bundle (``wanted_sql``): delete the rest, insert the new.

    Set-based: the links wanted, those stored for the bundle's events, their differences, then one DELETE, one INSERT
    and one audit INSERT each (a row-by-row write took minutes for 60,000 events).
    """
    cols = ", ".join(columns)
    con.execute(f"create or replace temp table links_wanted as select distinct {cols} from ({wanted_sql})")
    con.execute(f"""create or replace temp table links_stored as select {cols} from {table}
                    where event_id in (select event_id from bundle_staged)""")
    if con.execute("select count(*) from links_stored").fetchall()[0][0]:
        con.execute("create or replace temp table links_gone as select * from links_stored except select * from links_wanted")
        con.execute(f"create or replace temp table links_new as (select * from links_wanted except select * from links_stored) order by {cols}")
    else:  # new events (a first import): every link wanted is new, none gone; the set differences would hash them all again
        con.execute("create or replace temp table links_gone as select * from links_stored")
        con.execute(f"create or replace temp table links_new as select * from links_wanted order by {cols}")
    row_key = " || '/' || ".join(columns)
    values = "to_json({" + ", ".join(f"'{c}': {c}" for c in columns) + "})"
    con.execute(f"""insert into audit_log (who, action, table_name, row_key, before, after)
                    select ?, ?, ?, {row_key}, {values}, null from links_gone order by {cols}""", [audit.who, audit.action, table])
    con.execute(f"delete from {table} t using links_gone g where {' and '.join(f't.{c} = g.{c}' for c in columns)}")
    # links_new is in key order already (a scan keeps it): the links and their audit rows are written in that order
    con.execute(f"insert into {table} ({cols}) select {cols} from links_new")
    con.execute(f"""insert into audit_log (who, action, table_name, row_key, before, after)
                    select ?, ?, ?, {row_key}, null, {values} from links_new""", [audit.who, audit.action, table])
    audit.wrote(table, "select event_id from links_gone union all select event_id from links_new")  # KEYED_BY_EVENT
    gone, new, wanted = (con.execute(f"select count(*) from {name}").fetchall()[0][0] for name in ("links_gone", "links_new", "links_wanted"))
    con.execute("drop table links_wanted; drop table links_stored; drop table links_gone; drop table links_new")
    return {"inserted": new, "deleted": gone, "unchanged": wanted - new}


def _parent_levels(rows: list[dict[str, Any]]) -> list[int]:
    """Each actor's depth below its furthest ancestor in the bundle: level 0 is written first, then 1, ..."""
    by_id = {r["actor_id"]: r for r in rows}

    def depth(actor: str, seen: frozenset[str]) -> int:
        parent = by_id.get(actor, {}).get("parent_actor_id")
        return 0 if not parent or parent not in by_id or parent in seen else 1 + depth(parent, seen | {actor})

    return [depth(r["actor_id"], frozenset()) for r in rows]
