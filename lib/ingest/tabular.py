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

Staging relations each mapping must create, as temp views over ``ds_raw`` (so that
each is computed once, by the insert that reads it) or as temp tables where a
format must group rows first; extra columns are ignored:
- ``ds_events(idx, event_id, occurred_on, date_precision, event_type, title, description, location, origin_ref, goldstein, fatalities)``
- ``ds_event_actors(event_id, occurred_on, date_precision, actor_id, name, kind, country, role)``: at most one row per event and role
- ``ds_documents(document_id, source_id, source_name, url, title, published_on)``: one row per document
- ``ds_event_documents(event_id, document_id)``: distinct pairs, each of an event in ``ds_events``
A step that adds documents to events of other files (GDELT mentions) stages
them in ``ds_more_documents(event_id, document_id, source_id, source_name, url, title, published_on)``.
"""

from __future__ import annotations

import bisect
import codecs
import gzip
import hashlib
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from lib import access, derived, store
from lib.dates import RANGE_RULE, year_out_of_range_sql
from lib.ingest import history, limits
from lib.ingest.bounded import readable
from lib.ingest.report import ImportResult, Problem, ProgressFn

CAMEO_CODES = Path(__file__).resolve().parent.parent.parent / "data" / "cameo_codes.csv"


@dataclass(frozen=True)
class Check:
    """A rule every raw row must pass: the SQL condition that marks it bad, the column it names, and why."""

    column: str
    bad_when: str
    reason: str


def date_in_range(column: str, year: str) -> Check:
    """A date's year (SQL; null when unparsable, which another check reports) must lie in the store's years (lib.dates)."""
    return Check(column, f"({year}) is not null and {year_out_of_range_sql(f'({year})')}", f"date {RANGE_RULE}")


def finite_number(column: str, low: float, high: float) -> Check:
    """A present value must be a finite number from ``low`` to ``high``: not 'very', not 1e400 (infinity), not NaN."""
    # infinity is outside any range, and DuckDB orders NaN above every number: `between` refuses both
    return Check(column, f"{quoted(column)} is not null and not coalesce(try_cast({quoted(column)} as double) between {low} and {high}, false)",
                 f"not a number from {low:g} to {high:g}")


def whole_count(column: str) -> Check:
    """A present value must be a count: a whole number of 0 or more (casting would round '1.5' and keep '-5')."""
    return Check(column, f"{quoted(column)} is not null and not regexp_full_match(trim({quoted(column)}), '[0-9]{{1,9}}')",
                 "not a whole number of 0 or more")


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


def _kept_columns(source: Path, keep: Sequence[str] | None) -> Sequence[str] | None:
    """``keep``, or every column when the file is not valid UTF-8.

    DuckDB 1.5.5's reader fails with an internal error (which invalidates the
    connection) on a non-UTF-8 line when only some columns are kept; reading
    every column it rejects the line with its number as it should. The check
    decompresses a gzip whole, so a gzip cut short is refused here as
    unreadable (EOFError), which 1.5.5 would read as a short last line.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with (gzip.open if source.suffix.lower() == ".gz" else open)(source, "rb") as handle:
        try:
            for block in iter(lambda: handle.read(1 << 22), b""):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return keep


def quoted(name: str) -> str:
    """A column name from a file's header as a SQL identifier (the header is the user's text)."""
    return '"' + name.replace('"', '""') + '"'


def _max_line() -> int:
    """DuckDB's own line limit, just above ours: a quoted field running over many lines still stops at LINE_BYTES."""
    return limits.DATASET_LINE_BYTES.value + 2


_REJECTS = "store_rejects = true, rejects_table = 'ds_rejects_errors', rejects_scan = 'ds_rejects_scan'"


def read_tsv(con: duckdb.DuckDBPyConnection, path: Path, columns: list[str], header: bool, null_padding: bool = False,
             keep: Sequence[str] | None = None, nulls: Sequence[str] = ("",)) -> None:
    """Read a tab-separated file as text into ds_raw, keeping malformed lines in ds_rejects (line, reason)."""
    with readable(path, "\t") as source:
        load_raw(
            con,
            f"""read_csv(?, delim = '\t', max_line_size = {_max_line()}, header = {str(header).lower()}, columns = ?, quote = '', escape = '', auto_detect = false,
                         strict_mode = true, null_padding = {str(null_padding).lower()}, nullstr = ?, {_REJECTS}, compression = 'auto')""",
            [str(source), {name: "VARCHAR" for name in columns}, list(nulls)],
            _kept_columns(source, keep),
        )


def read_csv_with_header(con: duckdb.DuckDBPyConnection, path: Path, columns: list[str] | None = None,
                         keep: Sequence[str] | None = None) -> None:
    """Read a comma-separated file with a header row, every column as text, malformed lines to ds_rejects.

    With ``columns`` the names are fixed; without, they are the header's own.
    """
    layout = "columns = ?, auto_detect = false" if columns else "all_varchar = true"
    with readable(path, ",") as source:
        load_raw(
            con,
            f"""read_csv(?, delim = ',', max_line_size = {_max_line()}, header = true, {layout}, quote = '"', escape = '"', strict_mode = true, {_REJECTS},
                         compression = 'auto')""",
            [str(source), *([{name: "VARCHAR" for name in columns}] if columns else [])],
            _kept_columns(source, keep),
        )


def run_import(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, who: access.Actor, skip_bad_rows: bool = False,
               progress: ProgressFn | None = None, extra: Callable[[duckdb.DuckDBPyConnection], list[Problem]] | None = None) -> ImportResult:
    """Check a dataset file whole, then add what is new in one transaction; refuse it whole on any bad row."""
    who = access.require(who, access.WRITE, "import")
    path = Path(path)
    say = progress or (lambda fraction, phrase: None)
    if not path.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if path.stat().st_size == 0:
        history.refuse(con, who, fmt.origin, path.name, "", [Problem(path.name, 0, "", "the file is empty")])
    _clear_staging(con)
    say(0.05, "reading")
    # the digest for the imports log is computed while DuckDB reads (hashlib and DuckDB both release the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        hashing = pool.submit(_sha256, path)
        try:
            fmt.read(con, path)
        except (*UNREADABLE, limits.LimitExceeded) as exc:
            history.refuse(con, who, fmt.origin, path.name, hashing.result(), [unreadable(fmt.origin.upper(), path, exc)])
        digest = hashing.result()
    say(0.3, "checking rows")
    problems = _problems(con, fmt, path.name)
    if extra:
        problems += extra(con)
    if problems and not skip_bad_rows:
        history.refuse(con, who, fmt.origin, path.name, digest, problems)
    good = con.execute("select count(*) from ds_raw").fetchall()[0][0]
    if good == 0:
        history.refuse(con, who, fmt.origin, path.name, digest, [*problems, Problem(path.name, 0, "", "no event rows in the file")])
    say(0.45, "mapping")
    fmt.labels(con)
    for statement in fmt.mapping:
        con.execute(statement)
    say(0.6, "writing")
    try:
        result = store.retry_on_conflict(lambda: _write(con, fmt, path, who, digest, problems, say))
    except store.StoreBusy as busy:
        history.refuse(con, who, fmt.origin, path.name, digest, [Problem(path.name, 0, "", str(busy))])
    except store.ConstraintBroken as broken:  # the team store's commit check (lib/backend.py) found what the mapping let through
        history.refuse(con, who, fmt.origin, path.name, digest, [Problem(path.name, 0, broken.column, f"the store refused it: {broken}")])
    say(1.0, "done")
    return result


def _write(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, who: str, digest: str, skipped: list[Problem],
           say: ProgressFn) -> ImportResult:
    """The new rows and the attempt's `imports` row in one transaction: a crash leaves both or neither, so a
    re-import after a kill never finds data without its history and calls it "unchanged"."""
    with store.transaction(con, who, f"import {fmt.origin}", on_wait=lambda ahead: say(0.6, f"queued behind {ahead}")) as audit:
        counts, keys = _apply(con, fmt, audit)
        for table, figures in counts.items():
            audit.bulk(table, {**figures, "file": path.name, "sha256": digest}, keys.get(table))
        say(0.95, "recording")
        status = "applied" if any(c["inserted"] for c in counts.values()) else "unchanged"
        result = ImportResult(0, status, counts, skipped=skipped)
        result.import_id = history.record(con, who, fmt.origin, path.name, digest, status, counts, result.summary())
    return result


def preview(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, path: Path, rows: int = 20) -> tuple[pd.DataFrame, list[Problem]]:
    """The first events as they would be mapped, and every problem, without writing anything to the store."""
    path = Path(path)
    _clear_staging(con)
    try:
        fmt.read(con, path)
    except (*UNREADABLE, limits.LimitExceeded) as exc:
        return pd.DataFrame(), [unreadable(fmt.origin.upper(), path, exc)]
    problems = _problems(con, fmt, path.name)
    fmt.labels(con)
    for statement in fmt.mapping:
        con.execute(statement)
    first = con.execute(
        """select e.event_id, strftime(e.occurred_on, '%Y-%m-%d') as occurred_on, e.date_precision, e.event_type, e.title, e.location,
                  (select string_agg(a.name || ' (' || a.role || ')', '; ') from ds_event_actors a where a.event_id = e.event_id) as actors,
                  (select string_agg(d.source_name, '; ') from ds_event_documents l join ds_documents d using (document_id)
                   where l.event_id = e.event_id) as sources
           from ds_events e order by e.idx limit ?""",
        [rows],
    ).df()
    return first, problems


UNREADABLE = (duckdb.Error, zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, OSError, EOFError)
"""What reading a file that is not what it says raises: DuckDB's reader, a corrupt or truncated zip or gzip, a zip
packed by a method Python cannot unpack."""


def unreadable(kind: str, path: Path, exc: Exception) -> Problem:
    """The problem of a file its format's reader cannot take: 'not an ICEWS file: <why>', or the limit it went past, at its line."""
    if isinstance(exc, limits.LimitExceeded):
        return Problem(path.name, exc.line, "", str(exc))
    text = str(exc)
    if size := re.search(r"Maximum line size .*Actual Size: ?(\d+)", text):  # a quoted field over many lines: DuckDB's limit is ours
        return Problem(path.name, 0, "", limits.DATASET_LINE_BYTES.exceeded(int(size.group(1))))
    why = (text.splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError, gzip.BadGzipFile)):
        why = f"the archive is corrupt or cut short: {why}"
    return Problem(path.name, 0, "", f"not {'an' if kind[0] in 'AEIOU' else 'a'} {kind} file: {why}")


def _clear_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the staging tables and views an earlier import left on this connection (temp tables live as long as it)."""
    for name, kind in con.execute(
        r"""select view_name, 'view' from duckdb_views() where temporary and view_name like 'ds\_%' escape '\'
            union all select table_name, 'table' from duckdb_tables() where temporary and table_name like 'ds\_%' escape '\'"""
    ).fetchall():
        con.execute(f"drop {kind} if exists {quoted(name)}")


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
                  arg_min(coalesce(error_message, error_type, 'malformed line'), column_idx)
           from ds_rejects_errors group by line order by line"""
    ).fetchall()
    return [Problem(file, int(line), column, message.split(".")[0]) for line, column, message in rows]


def _problems(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat, file: str) -> list[Problem]:
    """Rejected lines and failed checks, by line number; bad rows are removed from ds_raw.

    All checks run in one scan, and repeated ids are looked for by a grouping
    that is numbered by row only when it finds any: a clean day pays two scans.
    """
    problems = rejected_lines(con, file)
    reject_lines = sorted({p.row for p in problems})
    failed = ", ".join(f"({check.bad_when}) as c{i}" for i, check in enumerate(fmt.checks))
    bad: list[tuple[int, str, str]] = []
    for idx, *flags in con.execute(f"select * from (select rowid + 1 as idx, {failed} from ds_raw) where {' or '.join(f'c{i}' for i in range(len(fmt.checks)))}").fetchall():
        bad += [(idx, check.column, check.reason) for check, flag in zip(fmt.checks, flags, strict=True) if flag]
    repeated = con.execute(f"select {fmt.id_column} from ds_raw where {fmt.id_column} is not null group by all having count(*) > 1").fetchall()
    if repeated:
        duplicates = con.execute(
            f"""select idx, {fmt.id_column} from (select rowid + 1 as idx, {fmt.id_column},
                  row_number() over (partition by {fmt.id_column} order by rowid) n from ds_raw
                  where {fmt.id_column} in (select unnest(?::varchar[])))
                where n > 1""", [[value for (value,) in repeated]]
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


def _apply(con: duckdb.DuckDBPyConnection, fmt: DatasetFormat,
           audit: store.Audit) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """Insert what the store lacks; an id already present is left as it is (datasets do not revise rows).
    Returns the counts per table, and for the tables the full-text index reads, a select of the written
    rows' keys (``store.Audit.bulk``).

    The usual file, a day of new events, takes the direct path: each staging
    view is read once, straight into its table, and nothing is compared with
    the stored links. A file that repeats stored events, or brings documents
    for other files' events, stages the new events and links first.
    """
    counts: dict[str, dict[str, int]] = {}

    def insert(table: str, sql: str, total: int | str | None = None, params: list | dict | None = None) -> int:
        """Run an insert and count it; ``total`` is the file's rows for the table (a number, a query, or None: all new)."""
        inserted = int(con.execute(sql, params or []).fetchall()[0][0])  # an insert answers with its row count
        rows = inserted if total is None else total if isinstance(total, int) else int(con.execute(total).fetchall()[0][0])
        counts[table] = {"inserted": inserted, "updated": 0, "unchanged": rows - inserted}
        return inserted

    in_file = con.execute("select count(*) from ds_raw").fetchall()[0][0]
    con.execute("create or replace temp table ds_new as select event_id from ds_events anti join events using (event_id)")
    direct = con.execute("select count(*) from ds_new").fetchall()[0][0] == in_file and not _exists(con, "ds_more_documents")
    new_only = "" if direct else "semi join ds_new using (event_id)"
    insert("events", f"""insert into events (event_id, occurred_on, date_precision, event_type, title, description, location,
                                            origin, origin_ref, goldstein, fatalities)
                        select event_id, occurred_on, date_precision, event_type, title, description, location, '{fmt.origin}',
                               origin_ref, goldstein, fatalities
                        from ds_events {new_only}""", in_file)
    if _exists(con, "ds_labels"):
        insert("event_types", """insert into event_types select distinct $vocabulary, code, label from ds_labels
                                   where code not in (select code from event_types where vocabulary = $vocabulary)""",
               "select count(distinct code) from ds_labels", {"vocabulary": fmt.vocabulary})
    _apply_actors(con, insert, new_only)
    audit.keeps_current(store.LINK_COUNTS)
    documents, links = _apply_documents(con, insert, direct)
    return counts, {"events": "select event_id from ds_new", "documents": f"select document_id from {documents}",
                    "event_documents": f"select event_id from {links}"}


def _apply_actors(con: duckdb.DuckDBPyConnection, insert: Callable[..., int], new_only: str) -> None:
    """The actors of new events (every name seen kept as an alias), their links, and the links' daily and monthly counts."""
    # each actor's most frequent name, kind and country, ties to the first in order, so that a store built twice is the same
    con.execute(f"""create or replace temp table ds_actors as
                    select actor_id, first(name order by by_name desc, name) as name, first(kind order by by_kind desc, kind) as kind,
                           first(country order by by_country desc, country nulls last) as country, list(distinct name order by name) as names
                    from (select *, sum(n) over (partition by actor_id, name) as by_name, sum(n) over (partition by actor_id, kind) as by_kind,
                                 sum(n) over (partition by actor_id, country) as by_country
                          from (select actor_id, name, kind, country, count(*) as n from ds_event_actors {new_only}
                                where actor_id is not null group by all))
                    group by actor_id""")
    insert("actors", """insert into actors (actor_id, name, kind, country, aliases)
                        select actor_id, name, kind, country, list_filter(names, lambda n: n <> name)
                        from ds_actors where actor_id not in (select actor_id from actors)""",
           "select count(distinct actor_id) from ds_event_actors" if new_only else "select count(*) from ds_actors")
    insert("event_actors", f"insert into event_actors select event_id, actor_id, role from ds_event_actors {new_only} where actor_id is not null",
           "select count(*) from ds_event_actors where actor_id is not null" if new_only else None)
    # the links of new events are all the change: add them to the link counts instead of a rebuild
    con.execute(f"""create or replace temp table ds_actor_days as
                    select actor_id, occurred_on, date_precision, count(*) as links
                    from ds_event_actors {new_only} where actor_id is not null group by all""")
    con.execute("insert into event_actor_days select * from ds_actor_days")
    derived.add_month_links(con, "ds_actor_days")


_DOCUMENT_COLUMNS = "document_id, source_id, source_name, url, title, published_on"


def _apply_documents(con: duckdb.DuckDBPyConnection, insert: Callable[..., int], direct: bool) -> tuple[str, str]:
    """The sources, documents and event-document links to add; returns the names of the staged documents and links.

    On the direct path they are the file's own; otherwise ``_stage_links`` picks
    the links to add and the documents they cite.
    """
    documents, links = ("ds_documents", "ds_event_documents") if direct else _stage_links(con)
    every_document = f"({_every_document(con)})"
    insert("sources", f"""insert into sources (source_id, name, kind)
                          select source_id, any_value(source_name), 'other' from {documents}
                          where source_id is not null and source_id not in (select source_id from sources) group by source_id""",
           f"select count(distinct source_id) from {every_document}")
    insert("documents", f"""insert into documents (document_id, source_id, title, url, published_on, date_precision)
                            select document_id, source_id, title, url, published_on, 'day' from {documents}
                            where document_id not in (select document_id from documents)""",
           f"select count(distinct document_id) from {every_document}")
    insert("event_documents", f"insert into event_documents select event_id, document_id from {links}",
           None if direct else f"select count(*) from ({_every_link(con)})")
    return documents, links


def _more(con: duckdb.DuckDBPyConnection, select: str) -> str:
    """`` <select> from ds_more_documents`` when a step staged documents for other files' events, else nothing."""
    return f" {select} from ds_more_documents" if _exists(con, "ds_more_documents") else ""


def _every_document(con: duckdb.DuckDBPyConnection) -> str:
    """The file's documents and those staged for other files' events (a document may be both)."""
    return f"select {_DOCUMENT_COLUMNS} from ds_documents{_more(con, 'union all select ' + _DOCUMENT_COLUMNS)}"


def _every_link(con: duckdb.DuckDBPyConnection) -> str:
    """The file's event-document links and those staged for other files' events, each pair once."""
    return f"select event_id, document_id from ds_event_documents{_more(con, 'union select event_id, document_id')}"


def _stage_links(con: duckdb.DuckDBPyConnection) -> tuple[str, str]:
    """ds_links, the event-document links to add — every link of a new event and the missing links of stored events —
    and ds_link_documents, the documents they cite; returns the two table names.

    Only links to events outside the new ones (a re-import, or mentions of an
    earlier day's events) are checked against the store.
    """
    links = _every_link(con)
    con.execute(f"create or replace temp table ds_links as select event_id, document_id from ({links}) semi join ds_new using (event_id)")
    con.execute(f"""insert into ds_links
                    select event_id, document_id from ({links}) anti join ds_new using (event_id) semi join events using (event_id)
                    except select event_id, document_id from event_documents""")
    con.execute(f"""create or replace temp table ds_link_documents as
                    select document_id, any_value(source_id) as source_id, any_value(source_name) as source_name, any_value(url) as url,
                           any_value(title) as title, any_value(published_on) as published_on
                    from ({_every_document(con)}) semi join ds_links using (document_id) group by document_id""")
    return "ds_link_documents", "ds_links"


def cameo_labels(con: duckdb.DuckDBPyConnection) -> None:
    """CAMEO code labels from data/cameo_codes.csv, codes kept as text."""
    con.execute(
        "create or replace temp table ds_labels as select code, label from read_csv(?, header = true, all_varchar = true)",
        [str(CAMEO_CODES)],
    )
