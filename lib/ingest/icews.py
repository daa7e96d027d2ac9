"""ICEWS coded events: tab-separated with a header; the literal ``NA`` means missing.

Actors are ICEWS actor names (``icews:foreign affairs (bangladesh)``); each
story of a publisher becomes a document, so the same event reported by many
publishers keeps every report.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from lib import access
from lib.ingest.bounded import first_line
from lib.ingest.report import ImportResult, ProgressFn
from lib.ingest.tabular import Check, DatasetFormat, cameo_labels, date_in_range, finite_number, read_tsv, run_import

COLUMNS = ["Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text", "CAMEO Code", "Intensity",
           "Target Name", "Target Sectors", "Target Country", "Story ID", "Sentence Number", "Publisher", "City", "District",
           "Province", "Country", "Latitude", "Longitude"]


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    header = first_line(path).split("\t")
    if header[:2] != COLUMNS[:2]:
        raise duckdb.InvalidInputException(f"the header starts {header[:2]!r}, not 'Event ID', 'Event Date'")
    read_tsv(con, path, COLUMNS, header=True, nulls=("NA", ""))


_DATE = """strptime("Event Date", '%Y-%m-%d')::date"""


def _actor(side: str, role: str) -> str:
    return f"""select 'icews-' || "Event ID" as event_id, {_DATE} as occurred_on, 'day' as date_precision,
                      'icews:' || lower("{side} Name") as actor_id,
                      "{side} Name" as name, case when "{side} Name" = "{side} Country" then 'state' else 'organisation' end as kind,
                      "{side} Country" as country, '{role}' as role
               from ds_raw where "{side} Name" is not null"""


FORMAT = DatasetFormat(
    origin="icews",
    vocabulary="cameo",
    header_lines=1,
    read=_read,
    checks=(
        Check("Event ID", '"Event ID" is null', "event id is missing"),
        Check("Event Date", """try_strptime("Event Date", '%Y-%m-%d') is null""", "not a date in YYYY-MM-DD form"),
        date_in_range("Event Date", """year(try_strptime("Event Date", '%Y-%m-%d'))"""),
        Check("CAMEO Code", """"CAMEO Code" is null or not regexp_full_match("CAMEO Code", '[0-9]{2,4}')""", "CAMEO code is missing or malformed"),
        finite_number("Intensity", -10, 10),
    ),
    id_column='"Event ID"',
    mapping=(
        f"""create or replace temp view ds_events as
           select rowid + 1 as idx, 'icews-' || "Event ID" as event_id, {_DATE} as occurred_on, 'day' as date_precision,
                  "CAMEO Code" as event_type,
                  coalesce("Event Text", 'CAMEO ' || "CAMEO Code") || ': ' || coalesce("Source Name", 'unnamed actor')
                      || coalesce(' → ' || "Target Name", '') as title,
                  null as description, nullif(concat_ws(', ', City, Province, Country), '') as location, "Event ID" as origin_ref,
                  try_cast(Intensity as double) as goldstein, null::integer as fatalities
           from ds_raw""",
        f"create or replace temp view ds_event_actors as {_actor('Source', 'initiator')} union all {_actor('Target', 'target')}",
        # a story of a publisher reports several events: one document per story
        f"""create or replace temp table ds_documents as
           select 'icews-story-' || "Story ID" as document_id, any_value('icews-pub:' || lower(Publisher)) as source_id,
                  any_value(Publisher) as source_name, null as url, 'ICEWS story ' || "Story ID" as title, min({_DATE}) as published_on
           from ds_raw where "Story ID" is not null and Publisher is not null group by all""",
        """create or replace temp view ds_event_documents as
           select 'icews-' || "Event ID" as event_id, 'icews-story-' || "Story ID" as document_id
           from ds_raw where "Story ID" is not null and Publisher is not null""",
    ),
    labels=cameo_labels,
)


def import_icews(con: duckdb.DuckDBPyConnection, path: Path, who: access.Actor, skip_bad_rows: bool = False,
                 progress: ProgressFn | None = None) -> ImportResult:
    """Import an ICEWS events file (tab-separated, with header)."""
    return run_import(con, FORMAT, Path(path), who, skip_bad_rows, progress)
