"""GDELT events: the 2.0 export (61 tab-separated columns, no header) and 1.0 files (57 or 58 columns, both in one file).

Each event keeps its CAMEO code as text (``040``), its Goldstein score and its
source article; actors are GDELT actor codes (``gdelt:USAGOV``) with every name
seen kept as an alias; an article's outlet is its web domain. The optional
2.0 mentions table adds one document per mentioning article.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from lib import access
from lib.ingest.bounded import first_line
from lib.ingest.limits import LimitExceeded
from lib.ingest.report import ImportResult, Problem, ProgressFn
from lib.ingest.tabular import (
    UNREADABLE,
    Check,
    DatasetFormat,
    cameo_labels,
    date_in_range,
    finite_number,
    read_csv_with_header,
    read_tsv,
    rejected_lines,
    run_import,
    unreadable,
    whole_count,
)

_ACTOR = ["Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code"]
_EVENT = ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale", "NumMentions", "NumSources",
          "NumArticles", "AvgTone"]


def columns(version: int) -> list[str]:
    """Column names of a GDELT events file: version 2 has 61; version 1 has 58 (the 57-column rows lack SOURCEURL)."""
    geo = ["Type", "FullName", "CountryCode", "ADM1Code", *(["ADM2Code"] if version == 2 else []), "Lat", "Long", "FeatureID"]
    names = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
    names += [f"Actor1{c}" for c in _ACTOR] + [f"Actor2{c}" for c in _ACTOR] + _EVENT
    for who in ("Actor1Geo_", "Actor2Geo_", "ActionGeo_"):
        names += [who + g for g in geo]
    return [*names, "DATEADDED", "SOURCEURL"]


def _version(path: Path) -> int:
    """2 for the 61-column export, 1 for 57/58-column files; anything else is not a GDELT events file."""
    width = first_line(path).count("\t") + 1
    if width not in (57, 58, 61):
        raise duckdb.InvalidInputException(f"the first row has {width} tab-separated fields; GDELT events have 57, 58 or 61")
    return 2 if width == 61 else 1


# the fields the checks and the mapping below read; the other 48 are parsed for shape only
USED = ("GLOBALEVENTID", "SQLDATE", "EventCode", "Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor2Code", "Actor2Name",
        "Actor2CountryCode", "GoldsteinScale", "NumMentions", "AvgTone", "ActionGeo_FullName", "DATEADDED", "SOURCEURL")


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    version = _version(path)
    read_tsv(con, path, columns(version), header=False, null_padding=version == 1, keep=USED)


def _domain(url: str) -> str:
    return f"lower(regexp_extract({url}, '^[A-Za-z]+://(?:www\\.)?([^/:?#]+)', 1))"


def _actor(n: int, role: str) -> str:
    return f"""select 'gdelt-' || GLOBALEVENTID as event_id, strptime(SQLDATE, '%Y%m%d')::date as occurred_on, 'day' as date_precision,
                      'gdelt:' || Actor{n}Code as actor_id, coalesce(Actor{n}Name, Actor{n}Code) as name,
                      case when Actor{n}Code = Actor{n}CountryCode then 'state' else 'organisation' end as kind,
                      Actor{n}CountryCode as country, '{role}' as role
               from ds_raw where Actor{n}Code is not null"""


_MAPPING = (
    """create or replace temp view ds_events as
       select r.rowid + 1 as idx, 'gdelt-' || r.GLOBALEVENTID as event_id, strptime(r.SQLDATE, '%Y%m%d')::date as occurred_on,
              'day' as date_precision, r.EventCode as event_type,
              coalesce(l.label, 'CAMEO ' || r.EventCode) || ': ' || coalesce(r.Actor1Name, r.Actor1Code, 'unnamed actor')
                  || coalesce(' → ' || coalesce(r.Actor2Name, r.Actor2Code), '') as title,
              null as description, r.ActionGeo_FullName as location, r.GLOBALEVENTID as origin_ref,
              try_cast(r.GoldsteinScale as double) as goldstein, null::integer as fatalities
       from ds_raw r left join ds_labels l on l.code = r.EventCode""",
    f"create or replace temp view ds_event_actors as {_actor(1, 'initiator')} union all {_actor(2, 'target')}",
    # an article is often the source of several events: hash and parse each URL once
    f"""create or replace temp table ds_urls as
        select url, 'url-' || md5(url)[:20] as document_id, {_domain('url')} as domain, min(added) as added
        from (select SOURCEURL as url, DATEADDED as added from ds_raw where SOURCEURL ilike 'http%') group by url""",
    """create or replace temp view ds_documents as
       select document_id, 'web:' || domain as source_id, domain as source_name, url, null as title,
              try_strptime(left(added, 8), '%Y%m%d')::date as published_on
       from ds_urls""",
    """create or replace temp view ds_event_documents as
       select 'gdelt-' || r.GLOBALEVENTID as event_id, u.document_id from ds_raw r join ds_urls u on u.url = r.SOURCEURL""",
)

FORMAT = DatasetFormat(
    origin="gdelt",
    vocabulary="cameo",
    header_lines=0,
    read=_read,
    checks=(
        Check("GLOBALEVENTID", "GLOBALEVENTID is null or not regexp_full_match(GLOBALEVENTID, '[0-9]+')", "event id is missing or not a number"),
        Check("SQLDATE", "try_strptime(SQLDATE, '%Y%m%d') is null", "not a date in YYYYMMDD form"),
        date_in_range("SQLDATE", "year(try_strptime(SQLDATE, '%Y%m%d'))"),
        Check("EventCode", "EventCode is null or not regexp_full_match(EventCode, '[0-9]{2,4}')", "CAMEO event code is missing or malformed"),
        finite_number("GoldsteinScale", -10, 10),
        whole_count("NumMentions"),
        finite_number("AvgTone", -100, 100),
    ),
    id_column="GLOBALEVENTID",
    mapping=_MAPPING,
    labels=cameo_labels,
)

MENTION_COLUMNS = ["globaleventid", "eventtimedate", "mentiontimedate", "mentiontype", "mentionsourcename", "mentionidentifier",
                   "sentenceid", "actor1charoffset", "actor2charoffset", "actioncharoffset", "inrawtext", "confidence",
                   "mentiondoclen", "mentiondoctone", "mentiondoctranslationinfo", "extras"]


_MENTIONS = "GDELT 2.0 mentions"


def _read_mentions(con: duckdb.DuckDBPyConnection, path: Path) -> Problem | None:
    """Read a mentions file into ds_raw: GDELT's own export (16 tab-separated fields, no header) or a CSV with a
    header row of the same names (as the gdelt Python package writes it). Returns why it cannot, or None."""
    try:
        first = first_line(path)
        fields = first.split("\t")
        if len(fields) == len(MENTION_COLUMNS) and fields[0].isdigit():
            read_tsv(con, path, MENTION_COLUMNS, header=False)
        elif first.lower().split(",")[:2] == MENTION_COLUMNS[:2]:
            read_csv_with_header(con, path, MENTION_COLUMNS)
        else:
            return Problem(path.name, 0, "", f"not a {_MENTIONS} file: expected 16 tab-separated fields, or a header starting globaleventid,eventtimedate")
    except (*UNREADABLE, LimitExceeded) as exc:
        return unreadable(_MENTIONS, path, exc)
    return None


def _mentions(path: Path) -> Callable[[duckdb.DuckDBPyConnection], list[Problem]]:
    """Stage the mentions table after the events: one document per mentioning web article."""

    def stage(con: duckdb.DuckDBPyConnection) -> list[Problem]:
        con.execute("alter table ds_raw rename to ds_events_raw")  # the shared reader writes ds_raw
        refused = _read_mentions(con, path)
        if refused:
            con.execute("drop table if exists ds_raw; alter table ds_events_raw rename to ds_raw")
            return [refused]
        con.execute(
            """create or replace temp table ds_more_documents as
               select 'gdelt-' || globaleventid as event_id, 'url-' || md5(mentionidentifier)[:20] as document_id,
                      'web:' || lower(mentionsourcename) as source_id, lower(mentionsourcename) as source_name,
                      mentionidentifier as url, null as title,
                      try_strptime(left(mentiontimedate, 8), '%Y%m%d')::date as published_on
               from ds_raw where mentionidentifier ilike 'http%' and globaleventid is not null"""
        )
        rejects = rejected_lines(con, path.name)
        con.execute("drop table ds_raw; alter table ds_events_raw rename to ds_raw")
        return rejects

    return stage


def import_gdelt(con: duckdb.DuckDBPyConnection, path: Path, who: access.Actor, skip_bad_rows: bool = False,
                 progress: ProgressFn | None = None, mentions: Path | None = None) -> ImportResult:
    """Import a GDELT 1.0 or 2.0 events file (plain, .zip or .gz), optionally with a 2.0 mentions file."""
    if mentions is None:
        return run_import(con, FORMAT, Path(path), who, skip_bad_rows, progress)
    if not Path(mentions).exists():
        raise FileNotFoundError(f"no such file: {mentions}")
    return run_import(con, FORMAT, Path(path), who, skip_bad_rows, progress, extra=_mentions(Path(mentions)))
