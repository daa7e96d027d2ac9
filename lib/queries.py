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

# === Data page: history (issue 7) ==============================================
#
#
