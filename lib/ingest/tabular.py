"""Shared machinery of the event-dataset importers (GDELT, ICEWS, ACLED): DuckDB reads, checks and maps; one transaction applies.

A format module describes its file (how DuckDB reads it into ``ds_raw``, one
VARCHAR column per field it uses, in file order, so that ``rowid + 1`` is a
row's position among the good rows; `load_raw` does that),
the checks a row must pass, and SQL that maps ``ds_raw`` onto the staging
tables below. This module does the rest the same way for every format:
rejected lines and failed checks become problems with line numbers; any
problem refuses the import unless ``skip_bad_rows``; then one transaction adds
the new sources, documents, actors, events and links — an event id already in
the store is left as it is, so re-importing a file, or a newer update that
repeats older events, adds only what is new.

Staging tables each mapping must create (extra columns are ignored):
- ``ds_events(idx, event_id, occurred_on, date_precision, event_type, title, description, location, origin_ref, goldstein, fatalities)``
- ``ds_event_actors(event_id, actor_id, name, kind, country, role)``
- ``ds_documents(event_id, document_id, source_id, source_name, url, title, published_on)``
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import json
import zipfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from lib import store
from lib.ingest.report import ImportRefused, ImportResult, Problem, ProgressFn

CAMEO_CODES = Path(__file__).resolve().parent.parent.parent / "data" / "cameo_codes.csv"


@dataclass(frozen=True)
class Check:
    """A rule every raw row must pass: the SQL condition that marks it bad, the column it names, and why."""

    column: str
    bad_when: str
    reason: str


@dataclass(frozen=True)
class DatasetFormat:
    """What differs between datasets; everything else is shared."""

    origin: str
    vocabulary: str
    header_lines: int
    read: Callable[[duckdb.DuckDBPyConnection, Path], None]  # creates ds_raw (with rejects in ds_rejects)
    checks: tuple[Check, ...]
    id_column: str
    mapping: tuple[str, ...]  # SQL statements creating ds_events, ds_event_actors, ds_documents
    labels: Callable[[duckdb.DuckDBPyConnection], None] = field(default=lambda con: None)  # fills ds_labels(code, label)


def first_line(path: Path) -> str:
    """The file's first line as text (plain, .gz or the first member of a .zip), for recognising its layout."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            raw = archive.open(archive.namelist()[0]).readline(65536)
    else:
        with (gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")) as handle:
            raw = handle.readline(65536)
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


def load_raw(con: duckdb.DuckDBPyConnection, reader: str, params: list[object], keep: Sequence[str] | None = None) -> None:
    """Create ds_raw from a DuckDB reader expression, malformed lines to ds_rejects_*; ``rowid + 1`` numbers its rows.

    Only the ``keep`` columns are materialised: the reader still parses every
    field of every line (so a short or long line is still rejected), but a
    GDELT day copied at 13 of its 61 columns reads in a quarter of the time.
    Rows are numbered by rowid — DuckDB keeps file order on insert, and a
    delete leaves the other rowids as they were — because
    ``row_number() over ()`` forces a single-threaded window that cost 0.3 s
    of a 0.8 s read.
    """
    con.execute("drop table if exists ds_rejects_scan; drop table if exists ds_rejects_errors")
    chosen = ", ".join(map(quoted, keep)) if keep else "*"
    con.execute(f"create or replace temp table ds_raw as select {chosen} from {reader}", params)


def quoted(name: str) -> str:
    """A column name from a file's header as a SQL identifier (the header is the user's text)."""
    return '"' + name.replace('"', '""') + '"'


_REJECTS = "store_rejects = true, rejects_table = 'ds_rejects_errors', rejects_scan = 'ds_rejects_scan'"


def read_tsv(con: duckdb.DuckDBPyConnection, path: Path, columns: list[str], header: bool, null_padding: bool = False,
             keep: Sequence[str] | None = None, nulls: Sequence[str] = ("",)) -> None:
    """Read a tab-separated file as text into ds_raw, keeping malformed lines in ds_rejects (line, reason)."""
    load_raw(
        con,
        f"""read_csv(?, delim = '\t', header = {str(header).lower()}, columns = ?, quote = '', escape = '', auto_detect = false,
                     strict_mode = true, null_padding = {str(null_padding).lower()}, nullstr = ?, {_REJECTS}, compression = 'auto')""",
        [str(path), {name: "VARCHAR" for name in columns}, list(nulls)],
        keep,
    )


def read_csv_with_header(con: duckdb.DuckDBPyConnection, path: Path, columns: list[str] | None = None,
                         keep: Sequence[str] | None = None) -> None:
    """Read a comma-separated file with a header row, every column as text, malformed lines to ds_rejects.

    With ``columns`` the names are fixed; without, they are the header's own.
    """
    layout = "columns = ?, auto_detect = false" if columns else "all_varchar = true"
    load_raw(
        con,
        f"""read_csv(?, delim = ',', header = true, {layout}, quote = '"', escape = '"', strict_mode = true, {_REJECTS},
                     compression = 'auto')""",
        [str(path), *([{name: "VARCHAR" for name in columns}] if columns else [])],
        keep,
    )


def run_import(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, who: str, skip_bad_rows: bool = False,
               progress: ProgressFn | None = None, extra: Callable[[duckdb.DuckDBPyConnection], list[Problem]] | None = None) -> ImportResult:
    """Check a dataset file whole, then add what is new in one transaction; refuse it whole on any bad row."""
    path = Path(path)
    say = progress or (lambda fraction, phrase: None)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.stat().st_size == 0:
        _refuse(con, fmt, path, who, "", [Problem(path.name, 0, "", "the file is empty")])
    say(0.05, "reading")
    # the digest for the imports log is computed while DuckDB reads (hashlib and DuckDB both release the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(_sha256, path)
        try:
            fmt.read(con, path)
        except duckdb.Error as exc:
            _refuse(con, fmt, path, who, hashing.result(),
                    [Problem(path.name, 0, "", f"not a {fmt.origin.upper()} file: {str(exc).splitlines()[0]}")])
        digest = hashing.result()
    say(0.3, "checking rows")
    problems = _problems(con, fmt, path.name)
    if extra:
        problems += extra(con)
    if problems and not skip_bad_rows:
        _refuse(con, fmt, path, who, digest, problems)
    good = con.execute("select count(*) from ds_raw").fetchall()[0][0]
    if good == 0:
        _refuse(con, fmt, path, who, digest, [*problems, Problem(path.name, 0, "", "no event rows in the file")])
    say(0.45, "mapping")
    fmt.labels(con)
    for statement in fmt.mapping:
        con.execute(statement)
    say(0.6, "writing")
    with store.transaction(con, who, f"import {fmt.origin}") as audit:
        counts = _apply(con, fmt, audit)
        for table, figures in counts.items():
            audit.bulk(table, {**figures, "file": path.name, "sha256": digest})
    say(0.95, "recording")
    status = "applied" if any(c["inserted"] for c in counts.values()) else "unchanged"
    result = ImportResult(0, status, counts, skipped=problems)
    result.import_id = _record(con, fmt, path, who, digest, status, counts, result.summary())
    say(1.0, "done")
    return result


def preview(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, rows: int = 20) -> tuple[pd.DataFrame, list[Problem]]:
    """The first events as they would be mapped, and every problem, without writing anything to the store."""
    path = Path(path)
    try:
        fmt.read(con, path)
    except duckdb.Error as exc:
        return pd.DataFrame(), [Problem(path.name, 0, "", f"not a {fmt.origin.upper()} file: {str(exc).splitlines()[0]}")]
    problems = _problems(con, fmt, path.name)
    fmt.labels(con)
    for statement in fmt.mapping:
        con.execute(statement)
    first = con.execute(
        """select e.event_id, strftime(e.occurred_on, '%Y-%m-%d') as occurred_on, e.date_precision, e.event_type, e.title, e.location,
                  (select string_agg(a.name || ' (' || a.role || ')', '; ') from ds_event_actors a where a.event_id = e.event_id) as actors,
                  (select string_agg(d.source_name, '; ') from ds_documents d where d.event_id = e.event_id) as sources
           from ds_events e order by e.idx limit ?""",
        [rows],
    ).df()
    return first, problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def rejected_lines(con: duckdb.DuckDBPyConnection, file: str) -> list[Problem]:
    """The lines DuckDB's reader rejected, one problem per line: the first column it failed on (for a short line,
    the first missing one), none for a line with too many fields."""
    if not _exists(con, "ds_rejects_errors"):
        return []
    rows = con.execute(
        """select line,
                  coalesce(arg_min(case when error_type = 'TOO MANY COLUMNS' then '' else column_name end, column_idx), ''),
                  arg_min(error_message, column_idx)
           from ds_rejects_errors group by line order by line"""
    ).fetchall()
    return [Problem(file, int(line), column, message.split(".")[0]) for line, column, message in rows]


def _problems(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, file: str) -> list[Problem]:
    """Rejected lines and failed checks, by line number; bad rows are removed from ds_raw."""
    problems = rejected_lines(con, file)
    reject_lines = sorted({p.row for p in problems})
    bad: list[tuple[int, str, str]] = []
    for check in fmt.checks:
        bad += [(idx, check.column, check.reason) for (idx,) in con.execute(f"select rowid + 1 from ds_raw where {check.bad_when}").fetchall()]
    duplicates = con.execute(
        f"""select idx, {fmt.id_column} from (select rowid + 1 as idx, {fmt.id_column},
              row_number() over (partition by {fmt.id_column} order by rowid) n from ds_raw where {fmt.id_column} is not null)
            where n > 1"""
    ).fetchall()
    bad += [(idx, fmt.id_column, f"duplicate event id {value} (first seen earlier in the file)") for idx, value in duplicates]
    for idx, column, reason in sorted(bad):
        problems.append(Problem(file, _line_of(idx, reject_lines, fmt.header_lines), column, reason))
    if bad:
        con.execute("delete from ds_raw where rowid + 1 in (select unnest(?::bigint[]))", [sorted({b[0] for b in bad})])
    return sorted(problems, key=lambda p: p.row)


def _line_of(idx: int, reject_lines: list[int], header_lines: int) -> int:
    """The file line of the idx-th good row: skip the header and every rejected line before it."""
    line = idx + header_lines
    while True:
        shift = bisect.bisect_right(reject_lines, line)
        candidate = idx + header_lines + shift
        if candidate == line:
            return line
        line = candidate


def _exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where table_name = ?", [table]).fetchall()[0][0])


def _apply(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, audit: store.Audit) -> dict[str, dict[str, int]]:
    """Insert what the store lacks; an id already present is left as it is (datasets do not revise rows)."""
    counts: dict[str, dict[str, int]] = {}

    def insert(table: str, sql: str, total_sql: str, params: list | None = None) -> None:
        inserted = con.execute(sql, params or []).fetchall()[0][0]  # an insert answers with its row count
        total = con.execute(total_sql).fetchall()[0][0]
        counts[table] = {"inserted": int(inserted), "updated": 0, "unchanged": int(total) - int(inserted)}

    con.execute("create or replace temp table ds_new as select event_id from ds_events anti join events using (event_id)")
    # the usual case, a file of new events, needs no join against the new ones
    every_event_new = con.execute("select (select count(*) from ds_new) = (select count(*) from ds_events)").fetchall()[0][0]
    only_new = "" if every_event_new else "semi join ds_new using (event_id)"
    insert("events", f"""insert into events (event_id, occurred_on, date_precision, event_type, title, description, location,
                                            origin, origin_ref, goldstein, fatalities)
                        select event_id, occurred_on, date_precision, event_type, title, description, location, '{fmt.origin}',
                               origin_ref, goldstein, fatalities
                        from ds_events {only_new}""",
           "select count(*) from ds_events")
    if _exists(con, "ds_labels"):
        insert("event_types", "insert into event_types select distinct ?, code, label from ds_labels on conflict do nothing",
               "select count(distinct code) from ds_labels", [fmt.vocabulary])
    _stage_links(con, only_new)
    insert("sources", """insert into sources (source_id, name, kind)
                         select source_id, any_value(source_name), 'other' from ds_documents semi join ds_links using (document_id)
                         where source_id is not null and source_id not in (select source_id from sources) group by source_id""",
           "select count(distinct source_id) from ds_documents")
    insert("documents", """insert into documents (document_id, source_id, title, url, published_on, date_precision)
                           select document_id, any_value(source_id), any_value(title), any_value(url), any_value(published_on), 'day'
                           from ds_documents semi join ds_links using (document_id)
                           where document_id not in (select document_id from documents) group by document_id""",
           "select count(distinct document_id) from ds_documents")
    insert("actors", """insert into actors (actor_id, name, kind, country, aliases)
                        select actor_id, name, kind, country, list_filter(names, lambda n: n <> name)
                        from (select actor_id, mode(name) as name, mode(kind) as kind, mode(country) as country,
                                     list(distinct name) as names
                              from ds_event_actors semi join ds_new using (event_id)
                              where actor_id is not null and actor_id not in (select actor_id from actors)
                              group by actor_id)""",
           "select count(distinct actor_id) from ds_event_actors")
    con.execute(f"""create or replace temp table ds_new_links as
                    select distinct event_id, actor_id, role from ds_event_actors {only_new} where actor_id is not null""")
    insert("event_actors", "insert into event_actors select * from ds_new_links",
           "select count(*) from ds_new_links" if every_event_new else
           "select count(*) from (select distinct event_id, actor_id, role from ds_event_actors where actor_id is not null)")
    # the links of new events are all the change: add them to the monthly counts instead of a rebuild
    con.execute("""insert into event_actor_months
                   select l.actor_id, date_trunc('month', e.occurred_on)::date, count(*)
                   from ds_new_links l join ds_events e using (event_id) group by all
                   on conflict (actor_id, month) do update set links = links + excluded.links""")
    audit.keeps_current("event_actor_months")
    insert("event_documents", "insert into event_documents select event_id, document_id from ds_links",
           "select count(*) from (select distinct event_id, document_id from ds_documents where document_id is not null)")
    return counts


def _stage_links(con: duckdb.DuckDBPyConnection, only_new: str) -> None:
    """ds_links: the event-document links to add — every link of a new event, and the missing links of events already stored.

    A day of new events needs no look at the stored links at all; only links
    to older events (a re-import, or mentions of an earlier day's events) are
    checked against the store, so the cost does not grow with the store.
    """
    con.execute(f"""create or replace temp table ds_links as
                    select distinct event_id, document_id from ds_documents {only_new} where document_id is not null""")
    older = only_new and con.execute(
        "select count(*) from ds_documents anti join ds_new using (event_id) where document_id is not null").fetchall()[0][0]
    if older:
        con.execute("""insert into ds_links
                       select distinct d.event_id, d.document_id
                       from ds_documents d anti join ds_new using (event_id) semi join events using (event_id)
                       where d.document_id is not null
                       except select event_id, document_id from event_documents""")


def _refuse(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, who: str, digest: str, problems: list[Problem]) -> None:
    refusal = ImportRefused(problems)
    _record(con, fmt, path, who, digest, "refused", {}, refusal.first_line())
    raise refusal


def _record(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, who: str, digest: str, status: str,
            counts: dict[str, dict[str, int]], message: str) -> int:
    with store.transaction(con, who, "log import"):
        return int(con.execute(
            """insert into imports (who, format, file_name, sha256, rows, status, message)
               values (?, ?, ?, ?, ?, ?, ?) returning import_id""",
            [who, fmt.origin, path.name, digest, json.dumps(counts), status, message[:2000]],
        ).fetchall()[0][0])


def cameo_labels(con: duckdb.DuckDBPyConnection) -> None:
    """CAMEO code labels from data/cameo_codes.csv, codes kept as text."""
    con.execute(
        "create or replace temp table ds_labels as select code, label from read_csv(?, header = true, all_varchar = true)",
        [str(CAMEO_CODES)],
    )
