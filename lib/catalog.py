"""What the store holds, for every page: names, the sidebar's pickers, known ids, the actor filter's scope, "data as of".

Parameterised read queries shared by the pages (the Overview's summary and
newest items too); each returns a DataFrame or plain values and documents its
columns. All values are bound with ``?``; nothing from user text becomes an identifier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from lib import store
from lib.filters import Filters


def names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Display name of every actor, topic and source, keyed by id, and of every event type, keyed 'type:<code>'.

    Filter descriptions and chart labels use it, so that a subtitle reads
    "Turkey" rather than "TUR", and "Use conventional military force (190)"
    rather than "190".
    """
    rows = con.execute(
        """
        select actor_id, name from actors
        union all select topic_id, name from topics
        union all select source_id, name from sources
        union all select 'type:' || code, case when any_value(label) = code then code else any_value(label) || ' (' || code || ')' end
                  from event_types group by code
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
            -- each actor's event links and statements, summed from the Timeline's kept month counts: grouping 15M
            -- links and 1M statements took 0.14 s CPU of every first load at 10M events, this 0.02 s
            left join (select actor_id, sum(events + statements) n from timeline_actor_months group by all) k using (actor_id)
            order by coalesce(k.n, 0) desc, a.name
            limit ?
            """,
            [limit],
        ).df(),
        "topics": con.execute("select topic_id, name from topics order by name limit ?", [limit]).df(),
        # sources by their documents and event types by their events, from the counts the store keeps (schema 14):
        # grouping 4.5M documents and 10M events took 0.37 s CPU of every first load at 10M events
        "sources": con.execute(
            """
            select s.source_id, s.name
            from sources s left join source_document_counts d using (source_id)
            order by coalesce(d.documents, 0) desc, s.name, s.source_id limit ?
            """,
            [limit],
        ).df(),
        "event_types": con.execute(
            """
            select e.event_type as code, coalesce(any_value(t.label), e.event_type) as label
            from event_type_counts e left join event_types t on t.code = e.event_type
            group by e.event_type, e.events order by e.events desc, e.event_type limit ?
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


@dataclass(frozen=True)
class AsOf:
    """What a 'data as of' line names: when the store last changed and the snapshot read (store.Snapshot)."""

    when: dt.datetime
    snapshot: store.Snapshot

    def strftime(self, fmt: str) -> str:
        """'01 Dec 2026 21:04 UTC, snapshot 42': formatted like the time it replaces in every footer and export."""
        return f"{self.when.strftime(fmt)}, {self.snapshot}"


def data_as_of(con: duckdb.DuckDBPyConnection) -> AsOf | None:
    """When the store last changed (newest audit entry) and the snapshot read, for the 'data as of' line of charts
    and exports; None for a store never written."""
    when = con.execute("select max(logged_at) from audit_log").fetchall()[0][0]
    return AsOf(when, store.snapshot_of(con)) if when else None


_DATED = {"events": "occurred_on", "statements": "stated_on", "claims": "claimed_on"}
"""The tables whose items the Overview's span covers, with their date column."""


def store_summary(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Headline figures for the Overview: row counts, events per origin, and the span of dated items.

    One statement reading each table once: on the team store every table a statement names costs a handful of
    catalog queries to PostgreSQL (85 for the three statements this replaced, bench/RESULTS.md), whatever the data.

    Keys: one per data table (counts), 'events_by_origin' (dict), 'first_day', 'last_day' (dates or None).
    """
    # events twice: the span apart from the origins, where DuckDB answers it from the columns' statistics
    parts = ["select 'origin' as part, origin as name, count(*) as n, null as lo, null as hi from events group by origin"]
    parts += [f"select 'span', '{t}', count(*), min({column}), max({column}) from {t}" for t, column in _DATED.items()]
    parts += [f"select 'table', '{t}', count(*), null, null from {t}" for t in store.TABLES if t not in _DATED]
    rows = con.execute(" union all ".join(parts)).fetchall()
    origins = sorted(((name, n) for part, name, n, _, _ in rows if part == "origin"), key=lambda r: -r[1])
    counts = {name: n for part, name, n, _, _ in rows if part != "origin"}
    summary: dict[str, object] = {t: int(counts[t]) for t in store.TABLES}
    summary["events_by_origin"] = dict(origins)
    days = [day for *_, lo, hi in rows for day in (lo, hi) if day is not None]
    summary["first_day"], summary["last_day"] = (min(days), max(days)) if days else (None, None)
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
            -- the newest events first, then their actors' names: naming every event before the cut
            -- would join all event links (out of memory at 10M events under the app's cap)
            (with newest as (
                select e.event_id, e.occurred_on, e.date_precision, e.title from events e
                where (len(?::varchar[]) = 0 or e.topic_id in (select unnest(?::varchar[])))
                  and (len(?::varchar[]) = 0 or e.event_id in
                       (select event_id from event_actors where actor_id in (select unnest(?::varchar[]))))
                order by e.occurred_on desc limit ?)
             select 'event' kind, n.event_id item_id, n.occurred_on as dated, n.date_precision,
                    string_agg(a.name, ', ' order by a.name) who, any_value(n.title) as text
             from newest n left join event_actors ea on ea.event_id = n.event_id left join actors a on a.actor_id = ea.actor_id
             group by n.event_id, n.occurred_on, n.date_precision)
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
