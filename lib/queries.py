"""Parameterised read queries; each returns a DataFrame (or plain values) and documents its columns.

All values are bound with ``?``; the few identifiers that vary (lane columns,
sort keys) come from allow-lists in this module, never from user text. Plain
DuckDB SQL, so the store can later move to Parquet or a shared engine
(DESIGN §8) by changing the connection and little else.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from lib import store
from lib.filters import Filters


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Display name of every actor, topic, source and position code, keyed by id.

    Filter descriptions and chart labels use it, so that a subtitle reads
    "Turkey" rather than "TUR".
    """
    rows = con.execute(
        """
        select actor_id, name from actors
        union all select topic_id, name from topics
        union all select source_id, name from sources
        """
    ).fetchall()
    return {key: value for key, value in rows}


def filter_options(con: duckdb.DuckDBPyConnection, limit: int = 500) -> dict[str, pd.DataFrame]:
    """Choices for the sidebar: id, name (and parent for actors), most-used first, at most ``limit`` each.

    Keys: 'actors' (actor_id, name, parent_actor_id), 'topics' (topic_id, name),
    'sources' (source_id, name), 'event_types' (code, label). A store with a
    million imported events has tens of thousands of actors; the sidebar lists
    the busiest, and typing in the search box reaches the rest.
    """
    return {
        "actors": con.execute(
            """
            select a.actor_id, a.name, a.parent_actor_id
            from actors a
            left join (select actor_id, count(*) n from event_actors group by all) e using (actor_id)
            left join (select actor_id, count(*) n from statements group by all) s using (actor_id)
            order by coalesce(e.n, 0) + coalesce(s.n, 0) desc, a.name
            limit ?
            """,
            [limit],
        ).df(),
        "topics": con.execute("select topic_id, name from topics order by name limit ?", [limit]).df(),
        "sources": con.execute(
            """
            select s.source_id, s.name
            from sources s left join (select source_id, count(*) n from documents group by all) d using (source_id)
            order by coalesce(d.n, 0) desc, s.name limit ?
            """,
            [limit],
        ).df(),
        "event_types": con.execute(
            """
            select e.event_type as code, coalesce(any_value(t.label), e.event_type) as label
            from (select event_type, count(*) n from events group by all) e
            left join event_types t on t.code = e.event_type
            group by e.event_type, e.n order by e.n desc limit ?
            """,
            [limit],
        ).df(),
    }


def known_ids(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, set[str]]:
    """Which of the ids named in ``filters`` exist in the store, by Filters field (for URL validation)."""
    lookups = {
        "actors": ("select actor_id from actors where actor_id in (select unnest(?::varchar[]))"),
        "topics": ("select topic_id from topics where topic_id in (select unnest(?::varchar[]))"),
        "sources": ("select source_id from sources where source_id in (select unnest(?::varchar[]))"),
        "event_types": ("select distinct event_type from events where event_type in (select unnest(?::varchar[]))"),
    }
    found: dict[str, set[str]] = {}
    for field, sql in lookups.items():
        wanted = list(getattr(filters, field))
        found[field] = {row[0] for row in con.execute(sql, [wanted]).fetchall()} if wanted else set()
    return found


def actor_scope(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[str]:
    """The actor ids a filter selects: the chosen actors, plus their descendants when include_children is on."""
    if not filters.actors:
        return []
    if not filters.include_children:
        return list(filters.actors)
    rows = con.execute(
        """
        with recursive scope(actor_id) as (
            select unnest(?::varchar[])
            union
            select a.actor_id from actors a join scope s on a.parent_actor_id = s.actor_id
        )
        select actor_id from scope
        """,
        [list(filters.actors)],
    ).fetchall()
    return [r[0] for r in rows]


def data_as_of(con: duckdb.DuckDBPyConnection) -> dt.datetime | None:
    """When the store last changed (newest audit entry), for the 'data as of' line of charts and exports."""
    return con.execute("select max(logged_at) from audit_log").fetchall()[0][0]


# === Overview (issue 2) ========================================================
def store_summary(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Headline figures for the Overview: row counts, events per origin, and the span of dated items.

    Keys: one per data table (counts), 'events_by_origin' (dict), 'first_day', 'last_day' (dates or None).
    """
    summary: dict[str, object] = dict(store.table_counts(con))
    summary["events_by_origin"] = dict(con.execute("select origin, count(*) from events group by origin order by 2 desc").fetchall())
    first, last = con.execute(
        """
        select min(d), max(d) from (
            select min(occurred_on) d from events union all select max(occurred_on) from events
            union all select min(stated_on) from statements union all select max(stated_on) from statements
            union all select min(claimed_on) from claims union all select max(claimed_on) from claims)
        """
    ).fetchall()[0]
    summary["first_day"], summary["last_day"] = first, last
    return summary


def newest_items(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 12) -> pd.DataFrame:
    """The most recent events, statements and claims under the topic and actor filters.

    Columns: kind, item_id, dated, date_precision, who (actor or source name), text.
    Month-precision items sort by their first day: "Sep 2025" comes before
    "3 Sep 2025", since nothing says it happened later.
    """
    actors = actor_scope(con, filters)
    topics = list(filters.topics)
    return con.execute(
        """
        select * from (
            (select 'event' kind, e.event_id item_id, e.occurred_on as dated, e.date_precision,
                    (select string_agg(a.name, ', ' order by a.name) from event_actors ea join actors a using (actor_id)
                     where ea.event_id = e.event_id) who, e.title text
             from events e
             where (len(?::varchar[]) = 0 or e.topic_id in (select unnest(?::varchar[])))
               and (len(?::varchar[]) = 0 or e.event_id in
                    (select event_id from event_actors where actor_id in (select unnest(?::varchar[]))))
             order by e.occurred_on desc limit ?)
            union all
            (select 'statement', s.statement_id, s.stated_on, s.date_precision, a.name, coalesce(s.quote, s.position_code)
             from statements s join actors a using (actor_id)
             where (len(?::varchar[]) = 0 or s.topic_id in (select unnest(?::varchar[])))
               and (len(?::varchar[]) = 0 or s.actor_id in (select unnest(?::varchar[])))
             order by s.stated_on desc limit ?)
            union all
            (select 'claim', c.claim_id, c.claimed_on, c.date_precision, src.name, c.text
             from claims c join documents d using (document_id) join sources src using (source_id)
             where (len(?::varchar[]) = 0 or c.topic_id in (select unnest(?::varchar[])))
               and (len(?::varchar[]) = 0 or c.subject_actor_id in (select unnest(?::varchar[])))
             order by c.claimed_on desc limit ?)
        )
        order by dated desc, case date_precision when 'day' then 0 when 'month' then 1 else 2 end, kind
        limit ?
        """,
        [topics, topics, actors, actors, limit] * 3 + [limit],
    ).df()


def recent_imports(con: duckdb.DuckDBPyConnection, limit: int = 5) -> pd.DataFrame:
    """The latest import attempts: imported_at, who, format, file_name, status, rows (JSON counts), message."""
    return con.execute(
        "select imported_at, who, format, file_name, status, rows, message from imports order by import_id desc limit ?",
        [limit],
    ).df()


def edits_since_last_import(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Audit entries written after the newest applied import (analyst edits): table_name, action, count."""
    return con.execute(
        """
        select table_name, action, count(*) as changes
        from audit_log
        where logged_at > coalesce((select max(imported_at) from imports where status = 'applied'), timestamp '1900-01-01')
          and action not like 'import%'
        group by all order by changes desc
        """
    ).df()

#
#

# === Timeline (issue 3) ========================================================
#
#

# === Stances (issue 4) =========================================================
#
#

# === Sources (issue 5) =========================================================
#
#

# === Brief (issue 6) ==========================================================
def brief_citations(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 200) -> pd.DataFrame:
    """The statements and claims a chart under ``filters`` rests on, to cite in a brief.

    Columns: kind, item_id, dated, date_precision, who, text, source_id, source, analyst_grade, url.
    Filters used: dates, topics, actors (with sub-actors when chosen), sources, text.
    """
    actors = actor_scope(con, filters)
    topics, sources = list(filters.topics), list(filters.sources)
    text = f"%{filters.text}%" if filters.text else None
    common = [filters.date_from, filters.date_from, filters.date_to, filters.date_to, topics, topics, sources, sources, text, text]
    return con.execute(
        """
        select * from (
            select 'statement' kind, s.statement_id item_id, s.stated_on dated, s.date_precision, a.name who,
                   coalesce(s.quote, s.position_code) text, d.source_id, src.name source, src.analyst_grade, d.url,
                   s.actor_id subject
            from statements s join actors a using (actor_id)
            left join documents d using (document_id) left join sources src using (source_id)
            where (? is null or s.stated_on >= ?) and (? is null or s.stated_on <= ?)
              and (len(?::varchar[]) = 0 or s.topic_id in (select unnest(?::varchar[])))
              and (len(?::varchar[]) = 0 or d.source_id in (select unnest(?::varchar[])))
              and (? is null or s.quote ilike ?)
            union all
            select 'claim', c.claim_id, c.claimed_on, c.date_precision, src.name, c.text, d.source_id, src.name,
                   src.analyst_grade, d.url, c.subject_actor_id
            from claims c join documents d using (document_id) join sources src using (source_id)
            where (? is null or c.claimed_on >= ?) and (? is null or c.claimed_on <= ?)
              and (len(?::varchar[]) = 0 or c.topic_id in (select unnest(?::varchar[])))
              and (len(?::varchar[]) = 0 or d.source_id in (select unnest(?::varchar[])))
              and (? is null or c.text ilike ?)
        )
        where len(?::varchar[]) = 0 or subject in (select unnest(?::varchar[]))
        order by dated, kind, item_id
        limit ?
        """,
        [*common, *common, actors, actors, limit],
    ).df().drop(columns="subject")


# === Data page: history (issue 7) ==============================================
#
#
