"""ACLED CSV exports: the current lower-case layout (``event_date`` like ``9-May-20``) and the older upper-case one
(``EVENT_DATE`` like ``01-January-2015``); ISO dates are accepted too.

ACLED's ``time_precision`` 1 is a day; 2 (within a week) and 3 (within a month)
are stored as month precision, never as if the day were known. ``source``
lists several outlets separated by ``;``: each becomes a document of that outlet.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from lib import access
from lib.ingest.bounded import first_line
from lib.ingest.report import ImportResult, ProgressFn
from lib.ingest.tabular import Check, DatasetFormat, date_in_range, quoted, read_csv_with_header, run_import, whole_count

DATE_FORMATS = "['%d-%b-%y', '%d-%B-%Y', '%Y-%m-%d', '%d %B %Y']"
REQUIRED = ("event_id_cnty", "event_date", "event_type", "actor1")
OPTIONAL = ("sub_event_type", "actor2", "country", "admin1", "location", "source", "notes", "fatalities", "time_precision", "timestamp")


def _require(header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise duckdb.InvalidInputException(f"the header lacks ACLED column(s) {', '.join(missing)}")


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    _require([h.strip().strip('"').lower() for h in first_line(path).split(",")])
    read_csv_with_header(con, path)
    # both layouts to lower-case names; reserved words (source, location, year) stay quoted below
    for name in [r[0] for r in con.execute("select column_name from (describe ds_raw)").fetchall()]:
        if name != name.lower():
            con.execute(f"alter table ds_raw rename column {quoted(name)} to {quoted(name.lower())}")
    present = {r[0] for r in con.execute("select column_name from (describe ds_raw)").fetchall()}
    _require(list(present))  # DuckDB's reading of a damaged header (a stray quote) can differ from the first line's
    for name in OPTIONAL:
        if name not in present:
            con.execute(f"alter table ds_raw add column {quoted(name)} varchar")

def _slug(column: str) -> str:
    return f"lower(regexp_replace(trim({column}), '[^A-Za-z0-9]+', '-', 'g'))"


_OCCURRED_ON = f"""case when coalesce(time_precision, '1') = '1' then strptime(event_date, {DATE_FORMATS})::date
                        else date_trunc('month', strptime(event_date, {DATE_FORMATS}))::date end"""
_PRECISION = "case when coalesce(time_precision, '1') = '1' then 'day' else 'month' end"


def _actor(column: str, role: str) -> str:
    return f"""select 'acled-' || event_id_cnty as event_id, {_OCCURRED_ON} as occurred_on, {_PRECISION} as date_precision,
                      'acled:' || {_slug(column)} as actor_id,
                      trim({column}) as name, 'organisation' as kind, country, '{role}' as role
               from ds_raw where {column} is not null"""


FORMAT = DatasetFormat(
    origin="acled",
    vocabulary="acled",
    header_lines=1,
    read=_read,
    checks=(
        Check("event_id_cnty", "event_id_cnty is null", "event id is missing"),
        Check("event_date", f"try_strptime(event_date, {DATE_FORMATS}) is null", "not a date like 9-May-20, 01-January-2015 or 2020-05-09"),
        date_in_range("event_date", f"year(try_strptime(event_date, {DATE_FORMATS}))"),
        Check("event_type", "event_type is null", "event type is missing"),
        whole_count("fatalities"),
    ),
    id_column="event_id_cnty",
    mapping=(
        f"""create or replace temp view ds_events as
           select rowid + 1 as idx, 'acled-' || event_id_cnty as event_id, {_OCCURRED_ON} as occurred_on,
                  {_PRECISION} as date_precision,
                  event_type,
                  coalesce(sub_event_type, event_type) || ': ' || actor1 || coalesce(' → ' || actor2, '')
                      || coalesce(' (' || location || ')', '') as title,
                  notes as description, nullif(concat_ws(', ', location, admin1, country), '') as location,
                  event_id_cnty as origin_ref, null::double as goldstein, try_cast(fatalities as integer) as fatalities
           from ds_raw""",
        f"create or replace temp view ds_event_actors as {_actor('actor1', 'initiator')} union all {_actor('actor2', 'target')}",
        # one document per outlet an event cites
        f"""create or replace temp table ds_documents as
           select 'acled-' || event_id_cnty as event_id, 'acled-doc-' || event_id_cnty || '-' || n as document_id,
                  'acled-src:' || {_slug('outlet')} as source_id, trim(outlet) as source_name, null as url,
                  trim(outlet) || ' (cited by ACLED)' as title, null::date as published_on
           from (select event_id_cnty, unnest(string_split(source, ';')) as outlet, generate_subscripts(string_split(source, ';'), 1) as n
                 from ds_raw where source is not null)
           where trim(outlet) <> ''""",
        "create or replace temp view ds_event_documents as select event_id, document_id from ds_documents",
    ),
    labels=lambda con: con.execute("create or replace temp table ds_labels as select distinct event_type as code, event_type as label from ds_raw where event_type is not null"),
)


def import_acled(con: duckdb.DuckDBPyConnection, path: Path, who: access.Actor, skip_bad_rows: bool = False,
                 progress: ProgressFn | None = None) -> ImportResult:
    """Import an ACLED CSV export (either column layout)."""
    return run_import(con, FORMAT, Path(path), who, skip_bad_rows, progress)
