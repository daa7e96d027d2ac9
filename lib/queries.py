"""Parameterised read queries; each returns a DataFrame (or plain values) and documents its columns.

All values are bound with ``?``; the few identifiers that vary (lane columns,
sort keys) come from allow-lists in this module, never from user text. Plain
DuckDB SQL, so the store can later move to Parquet or a shared engine
(DESIGN §8) by changing the connection and little else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

from lib import judgements, search, store
from lib.caching import Cache, direct
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
# One filtered set of items (events, statements, claims) feeds the count, the
# points, the density and the table. Each kind's WHERE clause is assembled from
# fixed fragments, one per filter that is set (an unset filter adds nothing, so
# DuckDB prunes row groups on the date bounds it sees); every value is bound
# by name. An item is in range when its period (a month for "Sep 2025")
# overlaps the chosen dates.

TIMELINE_LANES: dict[str, str] = {"actor": "actor", "topic": "topic", "source": "source", "kind": "kind"}
"""Lane keys the chart offers (allow-list: the value picks an SQL expression below)."""
DENSITY_BUCKETS: tuple[str, ...] = ("day", "week", "month")

_PERIOD_END = {
    "e": "case e.date_precision when 'day' then e.occurred_on when 'month' then last_day(e.occurred_on)"
         " else make_date(year(e.occurred_on), 12, 31) end",
    "s": "case s.date_precision when 'day' then s.stated_on when 'month' then last_day(s.stated_on)"
         " else make_date(year(s.stated_on), 12, 31) end",
    "c": "case c.date_precision when 'day' then c.claimed_on when 'month' then last_day(c.claimed_on)"
         " else make_date(year(c.claimed_on), 12, 31) end",
}
_DATE_COL = {"e": "e.occurred_on", "s": "s.stated_on", "c": "c.claimed_on"}
_ID_COL = {"e": "event_id", "s": "statement_id", "c": "claim_id"}
_KIND_ALIAS = {"event": "e", "statement": "s", "claim": "c"}


def _timeline_where(con: duckdb.DuckDBPyConnection, filters: Filters,
                    events_joined_to_actors: bool = False) -> tuple[dict[str, str | None], dict[str, object]]:
    """Per kind alias ('e', 's', 'c'): the WHERE clause, or None when the filters exclude the kind; plus the bound values.

    Event types and origins describe events only: choosing one leaves out
    statements and claims (which are curated entries, so origin 'curated' keeps them).
    ``events_joined_to_actors``: the caller joins events to their links of the
    chosen actors, which already keeps only their events; the same test as a
    subquery would double the cost (185 → 101 ms for one actor at 2M events).
    """
    kinds = set(filters.kinds or ("event", "statement", "claim"))
    if filters.event_types:
        kinds &= {"event"}
    if filters.origins and "curated" not in filters.origins:
        kinds &= {"event"}
    params: dict[str, object] = {}
    common: dict[str, list[str]] = {"e": [], "s": [], "c": []}
    if filters.date_from:
        params["date_from"] = filters.date_from
        for alias in common:
            # the first bound lets DuckDB skip row groups; the second is the period overlap
            common[alias] += [f"{_DATE_COL[alias]} >= $date_from::date - 366", f"{_PERIOD_END[alias]} >= $date_from::date"]
    if filters.date_to:
        params["date_to"] = filters.date_to
        for alias in common:
            common[alias].append(f"{_DATE_COL[alias]} <= $date_to::date")
    if filters.actors:
        params["actors"] = actor_scope(con, filters)
        if not events_joined_to_actors:
            common["e"].append("e.event_id in (select event_id from event_actors where actor_id in (select unnest($actors::varchar[])))")
        common["s"].append("s.actor_id in (select unnest($actors::varchar[]))")
        common["c"].append("c.subject_actor_id in (select unnest($actors::varchar[]))")
    if filters.topics:
        params["topics"] = list(filters.topics)
        for alias in common:
            common[alias].append(f"{alias}.topic_id in (select unnest($topics::varchar[]))")
    if filters.sources:
        params["sources"] = list(filters.sources)
        common["e"].append(
            "e.event_id in (select ed.event_id from event_documents ed join documents d using (document_id)"
            " where d.source_id in (select unnest($sources::varchar[])))"
        )
        for alias in ("s", "c"):
            common[alias].append(
                f"{alias}.document_id in (select document_id from documents where source_id in (select unnest($sources::varchar[])))"
            )
    if filters.event_types:
        params["event_types"] = list(filters.event_types)
        common["e"].append("e.event_type in (select unnest($event_types::varchar[]))")
    if filters.origins:
        params["origins"] = list(filters.origins)
        common["e"].append("e.origin in (select unnest($origins::varchar[]))")
    found = filters.text and search.matches_sql(con, filters.text)
    if found:  # the full-text search (stems, phrases); the literal ILIKE below when its index cannot be used
        params |= found[1]
        for kind, alias in _KIND_ALIAS.items():
            common[alias].append(f"{alias}.{_ID_COL[alias]} in (select item_id from ({found[0]}) where kind = '{kind}')")
    elif filters.text:
        # ESCAPE makes ILIKE ~40 % slower (no fast substring path): only text with %, _ or \ needs it
        escape = " escape '\\'" if any(ch in filters.text for ch in "%_\\") else ""
        params["text"] = f"%{_escape_like(filters.text)}%"
        common["e"].append(f"(e.title ilike $text{escape} or e.description ilike $text{escape})")
        common["s"].append(f"s.quote ilike $text{escape}")
        common["c"].append(f"c.text ilike $text{escape}")
    where = {alias: (" and ".join(common[alias]) or "true") if kind in kinds else None for kind, alias in _KIND_ALIAS.items()}
    return where, params


timeline_where = _timeline_where  # public for lib/search, which filters its ranked hits the same way


def _escape_like(text: str) -> str:
    """Search text is literal: % and _ typed by the analyst match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _used(sql: str, params: dict[str, object]) -> dict[str, object]:
    """Only the named parameters the statement mentions (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


used_params = _used  # public for lib/search


def timeline_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, int]:
    """How many events, statements and claims the filters select (decides points or density)."""
    where, params = _timeline_where(con, filters)
    tables = {"e": "events e", "s": "statements s", "c": "claims c"}
    parts = [f"select '{a}', count(*) from {tables[a]} where {w}" for a, w in where.items() if w]
    counts = {"event": 0, "statement": 0, "claim": 0}
    if not parts:
        return counts
    sql = " union all ".join(parts)
    kind = {alias: name for name, alias in _KIND_ALIAS.items()}
    for alias, n in con.execute(sql, _used(sql, params)).fetchall():
        counts[kind[alias]] = int(n)
    return counts


def timeline_newest_sql(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int,
                        item: tuple[str, str] | None = None) -> tuple[str, dict[str, object]]:
    """The SQL and bound values of :func:`timeline_newest` (the benchmark times the bare statement too)."""
    where, params = _timeline_where(con, filters)
    if item:
        params["item_id"] = item[1]
        alias = _KIND_ALIAS[item[0]]
        where = {a: (f"{w} and {a}.{_ID_COL[a]} = $item_id" if w and a == alias else None) for a, w in where.items()}
    params["limit"] = limit
    tables = {"e": "events e", "s": "statements s", "c": "claims c"}
    columns = {
        "e": "'event' as kind, e.event_id as item_id, e.occurred_on as dated, e.date_precision, e.topic_id, e.event_type, "
             "e.title, e.description as text, null::varchar as attribution, null::varchar as document_id, e.origin, "
             "null::varchar as actor_id, null::varchar as position_code, null::varchar as continuity",
        "s": "'statement' as kind, s.statement_id as item_id, s.stated_on as dated, s.date_precision, s.topic_id, "
             "null::varchar as event_type, null::varchar as title, s.quote as text, s.attribution, s.document_id, "
             "'curated' as origin, s.actor_id, s.position_code, s.own_continuity as continuity",
        "c": "'claim' as kind, c.claim_id as item_id, c.claimed_on as dated, c.date_precision, c.topic_id, "
             "null::varchar as event_type, null::varchar as title, c.text, null::varchar as attribution, c.document_id, "
             "'curated' as origin, c.subject_actor_id as actor_id, null::varchar as position_code, null::varchar as continuity",
    }
    parts = [f"(select {columns[a]} from {tables[a]} where {w} order by {_DATE_COL[a]} desc, 2 desc limit $limit)"
             for a, w in where.items() if w] or [f"(select {columns['e']} from events e where false)"]
    sql = f"select * from ({' union all '.join(parts)}) order by dated desc, kind, item_id limit $limit"
    return sql, _used(sql, params)


def timeline_newest(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int) -> pd.DataFrame:
    """The newest ``limit`` filtered items as stored, newest first, before :func:`timeline_items` describes them.

    Columns: kind, item_id, dated, date_precision, topic_id, event_type, title, text,
    attribution, document_id, origin, actor_id (a statement's actor, a claim's subject),
    position_code, continuity. Each kind is cut to its newest ``limit`` rows in its
    own scan. The Timeline asks for one more row than it draws: a text search that
    overflows goes to the density view without describing rows it will not show.
    """
    sql, params = timeline_newest_sql(con, filters, limit)
    return con.execute(sql, params).df()


_NEWEST_ROWS = "timeline_newest_rows"  # the name under which timeline_described registers its rows on the cursor

# lookups for a few thousand items at most: their sources, actors, position labels and claim status
TIMELINE_DESCRIBED_SQL = f"""
    with items as (
        select kind::varchar as kind, item_id::varchar as item_id, dated::date as dated, date_precision::varchar as date_precision,
               topic_id::varchar as topic_id, event_type::varchar as event_type, title::varchar as title, text::varchar as text,
               attribution::varchar as attribution, document_id::varchar as document_id, origin::varchar as origin,
               actor_id::varchar as actor_id, position_code::varchar as position_code, continuity::varchar as continuity
        from {_NEWEST_ROWS}),
    event_docs as (
        select event_id, min(document_id) as document_id from event_documents
        where event_id in (select item_id from items where kind = 'event') group by event_id),
    event_actor_lists as (
        select ea.event_id, list(ea.actor_id order by ea.role <> 'initiator', ea.actor_id) as actor_ids
        from event_actors ea where ea.event_id in (select item_id from items where kind = 'event')
          and ($actors::varchar[] is null or ea.actor_id in (select unnest($actors::varchar[])))
        group by ea.event_id),
    claim_evidence as (
        -- the status rule of lib/judgements.py (any corroborating / contradicting item), on these claims only
        select claim_id, bool_or(relation = 'corroborates') as corroborated, bool_or(relation = 'contradicts') as contradicted
        from evidence where claim_id in (select item_id from items where kind = 'claim') group by claim_id)
    select i.kind, i.item_id, i.dated, i.date_precision,
           case i.date_precision when 'day' then i.dated when 'month' then last_day(i.dated)
                else make_date(year(i.dated), 12, 31) end as period_end,
           i.topic_id, i.event_type,
           coalesce(i.title, case i.kind when 'statement' then coalesce(p.label, i.position_code, 'statement') else 'claim' end)
               as title,
           i.text, i.attribution, coalesce(i.document_id, ed.document_id) as document_id, i.origin,
           i.continuity,
           case when i.kind <> 'claim' then null when ev.corroborated and ev.contradicted then 'contested'
                when ev.corroborated then 'corroborated' when ev.contradicted then 'contradicted' else 'open' end as status,
           src.source_id, src.name as source_name, src.analyst_grade as grade,
           case when i.kind = 'event' then coalesce(eal.actor_ids, []::varchar[])
                when i.actor_id is null then []::varchar[] else [i.actor_id] end as actor_ids
    from items i
    left join event_docs ed on ed.event_id = case when i.kind = 'event' then i.item_id end
    left join event_actor_lists eal on eal.event_id = case when i.kind = 'event' then i.item_id end
    left join positions p on p.topic_id = i.topic_id and p.position_code = i.position_code
    left join claim_evidence ev on ev.claim_id = case when i.kind = 'claim' then i.item_id end
    left join documents d on d.document_id = coalesce(i.document_id, ed.document_id)
    left join sources src on src.source_id = d.source_id
    order by i.dated desc, i.kind, i.item_id
    """


def timeline_described(con: duckdb.DuckDBPyConnection, newest: pd.DataFrame, actors: list[str] | None) -> pd.DataFrame:
    """Rows of :func:`timeline_newest` with what the chart and table show of them (columns of :func:`timeline_items`).

    ``actors``: the actor filter's scope (``actor_scope``), which an event's actor list is cut to; None for all.
    """
    con.register(_NEWEST_ROWS, newest)
    try:
        return con.execute(TIMELINE_DESCRIBED_SQL, {"actors": actors}).df()
    finally:
        con.unregister(_NEWEST_ROWS)


def timeline_items(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 5000, cache: Cache = direct) -> pd.DataFrame:
    """The newest ``limit`` filtered items, newest first.

    Columns: kind, item_id, dated (first day), date_precision, period_end, topic_id,
    event_type, title (an event's title, a statement's position label, 'claim'),
    text (description, quote or claim text), attribution, document_id (an event's
    first document), origin, continuity (statements: first / reaffirmed / shifted /
    unclear, against the statement's own actor's record by the rules of lib/stance.py), status (claims: corroborated / contradicted / contested / open),
    source_id, source_name, grade (the analyst's grade, else null; lib.timeline.graded_items puts the grade in force), actor_ids
    (list; an event's actors within the actor filter, initiator first; a claim's subject).
    Two statements: the filtered scan (:func:`timeline_newest`, shared through ``cache``) and the lookups for its rows.
    """
    newest = cache(timeline_newest)(con, filters, limit)
    return timeline_described(con, newest, actor_scope(con, filters) if filters.actors else None)


_LINK_COUNTS_OF = """select ea.actor_id, e.occurred_on, e.date_precision, {sign} count(*) as links
                     from events e join event_actors ea on ea.event_id = e.event_id
                     where e.event_id in (select unnest(?::varchar[])) group by all"""


def add_month_links(con: duckdb.DuckDBPyConnection, days_table: str) -> None:
    """Add the per-day link counts in ``days_table`` (actor_id, occurred_on, links; a temp table of ours) to
    event_actor_months. MERGE rather than ``on conflict``: the team store has no key to conflict on."""
    con.execute(f"""merge into event_actor_months m
                    using (select actor_id, date_trunc('month', occurred_on)::date as month, sum(links) as links
                           from {days_table} group by all) d
                    on m.actor_id = d.actor_id and m.month = d.month
                    when matched then update set links = m.links + d.links
                    when not matched then insert values (d.actor_id, d.month, d.links)""")


@contextmanager
def link_counts_follow(con: duckdb.DuckDBPyConnection, event_ids: list[str]) -> Iterator[None]:
    """Keep event_actor_days and event_actor_months exact across a write of these events and their actor links only.

    Their links are counted before and after the write and the difference is
    appended (a key may repeat, readers sum), instead of recounting every link:
    a curated edit on a store of 10M events costs milliseconds, not the 5 s of a
    rebuild. Call inside store.transaction and tell it ``keeps_current(store.LINK_COUNTS)``.
    """
    con.execute(f"create or replace temp table link_counts_change as {_LINK_COUNTS_OF.format(sign='-')}", [event_ids])
    yield
    con.execute(f"insert into link_counts_change {_LINK_COUNTS_OF.format(sign='')}", [event_ids])
    con.execute("""create or replace temp table link_counts_net as
                   select actor_id, occurred_on, date_precision, sum(links)::bigint as links from link_counts_change
                   group by all having sum(links) <> 0""")
    con.execute("insert into event_actor_days select * from link_counts_net")
    add_month_links(con, "link_counts_net")
    con.execute("delete from event_actor_months where links = 0")
    con.execute("drop table link_counts_change; drop table link_counts_net")


def rebuild_event_actor_counts(con: duckdb.DuckDBPyConnection) -> None:
    """Recount event_actor_days from events and their actor links, and event_actor_months from it (store.transaction)."""
    con.execute("delete from event_actor_days")
    con.execute(
        """insert into event_actor_days
           select ea.actor_id, e.occurred_on, e.date_precision, count(*)
           from events e join event_actors ea on ea.event_id = e.event_id group by all"""
    )
    con.execute("delete from event_actor_months")
    con.execute("insert into event_actor_months select actor_id, date_trunc('month', occurred_on)::date, sum(links) from event_actor_days group by all")


def timeline_density_sql(con: duckdb.DuckDBPyConnection, filters: Filters, lane: str, bucket: str,
                         max_lanes: int) -> tuple[str, dict[str, object]]:
    """The SQL and bound values of :func:`timeline_density`."""
    if lane not in TIMELINE_LANES or bucket not in DENSITY_BUCKETS:
        raise ValueError(f"unknown lane {lane!r} or bucket {bucket!r}")
    where, params = _timeline_where(con, filters, events_joined_to_actors=lane == "actor")
    scope = "and ea.actor_id in (select unnest($actors::varchar[]))" if filters.actors else ""
    # events filtered by dates and actors alone are counted from the derived link counts, not the join
    counted = lane == "actor" and not (filters.topics or filters.sources or filters.event_types or filters.origins or filters.text)
    monthly = counted and bucket == "month" and not (filters.date_from or filters.date_to)
    actor_scope = {"e": "e.actor_id in (select unnest($actors::varchar[]))" if filters.actors else "true",
                   "m": "m.actor_id in (select unnest($actors::varchar[]))" if filters.actors else "true"}
    lane_sql = {
        "actor": {"e": "ea.actor_id", "s": "s.actor_id", "c": "c.subject_actor_id"},
        "topic": {"e": "e.topic_id", "s": "s.topic_id", "c": "c.topic_id"},
        "source": {"e": "d.source_id", "s": "d.source_id", "c": "d.source_id"},
        "kind": {"e": "'event'", "s": "'statement'", "c": "'claim'"},
    }[lane]
    joins = {
        "actor": {"e": f"join event_actors ea on ea.event_id = e.event_id {scope}", "s": "", "c": ""},
        "source": {"e": "left join event_documents ed on ed.event_id = e.event_id left join documents d on d.document_id = ed.document_id",
                   "s": "left join documents d on d.document_id = s.document_id",
                   "c": "left join documents d on d.document_id = c.document_id"},
    }.get(lane, {"e": "", "s": "", "c": ""})
    tables = {"e": "events e", "s": "statements s", "c": "claims c"}
    kind = {alias: name for name, alias in _KIND_ALIAS.items()}
    parts = [
        # every event of a lane and month, whatever its day: the monthly counts answer without the join
        f"select m.actor_id as lane, m.month as bucket, 'event' as kind, sum(m.links) as n from event_actor_months m "
        f"where {actor_scope['m']} group by all"
        if a == "e" and monthly else
        # the daily counts carry each event's date and precision, so the same date test applies to them
        f"select e.actor_id as lane, date_trunc('{bucket}', e.occurred_on)::date as bucket, 'event' as kind, sum(e.links) as n "
        f"from event_actor_days e where {w} and {actor_scope['e']} group by all having sum(e.links) > 0"
        if a == "e" and counted else
        f"select {lane_sql[a]} as lane, date_trunc('{bucket}', {_DATE_COL[a]})::date as bucket, '{kind[a]}' as kind, count(*) as n "
        f"from {tables[a]} {joins[a]} where {w} group by all"
        for a, w in where.items() if w
    ] or ["select null::varchar as lane, null::date as bucket, null::varchar as kind, 0::bigint as n where false"]
    params["max_lanes"] = max_lanes
    sql = f"""
        with counts as ({' union all '.join(parts)}),
        ranked as (select lane, row_number() over (order by sum(n) desc, lane) as r from counts group by lane)
        select case when r.r <= $max_lanes then coalesce(c.lane, '(none)') else '(other)' end as lane, c.bucket,
               sum(c.n)::bigint as n, coalesce(sum(c.n) filter (where c.kind = 'event'), 0)::bigint as events,
               coalesce(sum(c.n) filter (where c.kind = 'statement'), 0)::bigint as statements,
               coalesce(sum(c.n) filter (where c.kind = 'claim'), 0)::bigint as claims
        from counts c join ranked r on r.lane is not distinct from c.lane
        group by all order by lane, c.bucket
        """
    return sql, _used(sql, params)


def timeline_density(con: duckdb.DuckDBPyConnection, filters: Filters, lane: str = "actor", bucket: str = "month",
                     max_lanes: int = 15) -> pd.DataFrame:
    """Counts of filtered items per lane, time bucket and kind, aggregated in DuckDB.

    Columns: lane (id; the busiest ``max_lanes`` lanes, the rest as '(other)',
    items without one as '(none)'), bucket (first day of the day / ISO week / month),
    n, and its parts events, statements, claims. An event counts once in each of its actors' lanes; month- and
    year-dated items count in the bucket where their period starts.
    """
    sql, params = timeline_density_sql(con, filters, lane, bucket, max_lanes)
    return con.execute(sql, params).df()


def last_shift(con: duckdb.DuckDBPyConnection, filters: Filters) -> dt.date | None:
    """The day of the newest statement that shifted its own actor's position, among the chosen actors and topics.

    Reads the derived ``statements.own_continuity`` (the Stances rules), for the sidebar's "since the last shift".
    """
    actors, topics = actor_scope(con, filters), list(filters.topics)
    day = con.execute(
        """
        select max(stated_on) from statements
        where own_continuity = 'shifted'
          and (len(?::varchar[]) = 0 or actor_id in (select unnest(?::varchar[])))
          and (len(?::varchar[]) = 0 or topic_id in (select unnest(?::varchar[])))
        """,
        [actors, actors, topics, topics],
    ).fetchall()[0][0]
    return day


def timeline_item_documents(con: duckdb.DuckDBPyConnection, kind: str, item_id: str) -> pd.DataFrame:
    """Every document behind one item, with its source: document_id, title, url, published_on, date_precision,
    source_id, source_name, source_kind, grade (analyst's, else null)."""
    return con.execute(
        """
        with docs as (
            select document_id from event_documents where ? = 'event' and event_id = ?
            union select document_id from statements where ? = 'statement' and statement_id = ?
            union select document_id from claims where ? = 'claim' and claim_id = ?
        )
        select d.document_id, d.title, d.url, d.published_on, d.date_precision, s.source_id, s.name as source_name,
               s.kind as source_kind, s.analyst_grade as grade
        from docs join documents d using (document_id) join sources s using (source_id)
        order by d.published_on, d.document_id
        """,
        [kind, item_id] * 3,
    ).df()


def timeline_item(con: duckdb.DuckDBPyConnection, kind: str, item_id: str) -> dict[str, object] | None:
    """One item with the columns of :func:`timeline_items`, or None when the store has no such item."""
    if kind not in _KIND_ALIAS:
        return None
    sql, params = timeline_newest_sql(con, Filters(kinds=(kind,)), 1, item=(kind, item_id))
    rows = timeline_described(con, con.execute(sql, params).df(), None)
    return rows.iloc[0].to_dict() if len(rows) else None

# === Stances (issue 4) =========================================================
# Continuity is computed here, in SQL, for every statement of every series at
# once; lib/stance.py documents the rules. A *series* is what one card and one
# line of the step chart show: an actor's own statements on a topic, plus (when
# ``inherit`` is on) those of its descendants, each row keeping who said it.
# Parameters are named: $actors (series actor ids, NULL = every actor), $topics
# (NULL = every topic), $inherit (boolean).

_SERIES_CTE = f"""
with recursive tree(series_actor_id, actor_id) as (
    select actor_id, actor_id from actors
    where $actors::varchar[] is null or actor_id in (select unnest($actors::varchar[]))
    union
    select t.series_actor_id, a.actor_id from tree t join actors a on a.parent_actor_id = t.actor_id
    where $inherit
),
codes as (
    -- each position code used on a topic gets one bit, so that sets of positions are integers
    -- (fast to merge over a million rows); a topic may use up to 63 codes
    select topic_id, position_code,
           1::bigint << (row_number() over (partition by topic_id order by position_code) - 1)::bigint as bit
    from (select distinct topic_id, position_code from statements
          where position_code is not null
            and ($topics::varchar[] is null or topic_id in (select unnest($topics::varchar[]))))
),
said as (
    select t.series_actor_id, s.statement_id, s.actor_id, s.topic_id, s.stated_on, s.date_precision,
           s.position_code, c.bit, s.self_declared_continuity as self_declared, s.own_continuity, s.quote, s.attribution,
           s.document_id,
           {_PERIOD_END['s']} as period_end
    from statements s join tree t on t.actor_id = s.actor_id
    left join codes c on c.topic_id = s.topic_id and c.position_code = s.position_code
    where $topics::varchar[] is null or s.topic_id in (select unnest($topics::varchar[]))
),
periods as (
    -- per series and period end: the positions stated in that period or in any earlier-ending coded
    -- period overlapping it (concurrent; several bits = the record is split there)
    select series_actor_id, topic_id, period_end,
           bit_or(mask) over (
               partition by series_actor_id, topic_id order by period_end - date '1970-01-01'
               range between (period_end - period_start) preceding and current row) as mask
    from (select series_actor_id, topic_id, period_end, min(stated_on) as period_start, bit_or(bit) as mask
          from said where bit is not null group by all)
),
continuity as (
    -- ASOF: the latest period that ends before this statement's period starts
    select said.*, p.period_end as previous_end, p.mask as previous_mask,
           case when said.bit is null then 'unclear'
                when p.mask is null then case when said.self_declared then 'reaffirmed' else 'first' end
                when p.mask = said.bit then 'reaffirmed'
                else 'shifted' end as continuity
    from said asof left join periods p
      on p.series_actor_id = said.series_actor_id and p.topic_id = said.topic_id and said.stated_on > p.period_end
)
"""


def _positions_of(mask: str, topic: str) -> str:
    """SQL for the position codes in a bit set; ``mask`` and ``topic`` are *qualified* column expressions of this module
    (unqualified, ``topic_id`` would bind to the subquery's own column and match every topic)."""
    return f"(select list(k.position_code order by k.position_code) from codes k where k.topic_id = {topic} and ({mask} & k.bit) <> 0)"


def _series_params(actors: list[str] | None, topics: list[str] | None, inherit: bool) -> dict[str, object]:
    return {"actors": actors, "topics": topics, "inherit": inherit}


def statement_continuity(
    con: duckdb.DuckDBPyConnection,
    actors: list[str] | None,
    topics: list[str] | None,
    inherit: bool,
    filters: Filters | None = None,
) -> pd.DataFrame:
    """Every statement of the chosen series with its continuity label, in date order.

    ``continuity`` compares each statement with the series' previous period,
    whoever spoke: right for one actor's own series, and the input of the group
    rule (lib/group_line.py) when sub-actors are folded in. ``own_continuity`` is
    the label against the speaker's own record. Continuity is computed over the
    whole history and every row is returned; ``shown`` says which rows
    ``filters`` (dates, sources, text) choose, so a date range never turns a
    reaffirmation into a 'first'.

    Columns: series_actor_id, topic_id, statement_id, actor_id, stated_on, date_precision,
    period_end, position_code, position_label, ordinal, self_declared, previous_statement_id,
    previous_positions (list), continuity, own_continuity, quote, attribution, document_id,
    source_id, grade (the analyst's grade of the source, or null), shown.
    """
    f = filters or Filters()
    params = _series_params(actors, topics, inherit) | {
        "date_from": f.date_from, "date_to": f.date_to, "sources": list(f.sources) or None,
        "text": f"%{f.text}%" if f.text else None,
    }
    return con.execute(
        _SERIES_CTE
        + """
        select c.series_actor_id, c.topic_id, c.statement_id, c.actor_id, c.stated_on, c.date_precision, c.period_end,
               c.position_code, p.label as position_label, p.ordinal, c.self_declared,
               (select arg_max(q.statement_id, (q.stated_on, q.statement_id)) from said q
                where q.series_actor_id = c.series_actor_id and q.topic_id = c.topic_id and q.period_end = c.previous_end
                  and q.bit is not null) as previous_statement_id,
               """ + _positions_of("c.previous_mask", "c.topic_id") + """ as previous_positions,
               c.continuity, c.own_continuity, c.quote, c.attribution, c.document_id, d.source_id, src.analyst_grade as grade,
               coalesce(($date_from::date is null or c.period_end >= $date_from::date)
                 and ($date_to::date is null or c.stated_on <= $date_to::date)
                 and ($sources::varchar[] is null or d.source_id in (select unnest($sources::varchar[])))
                 and ($text::varchar is null or c.quote ilike $text::varchar), false) as shown
        from continuity c
        left join positions p on p.topic_id = c.topic_id and p.position_code = c.position_code
        left join documents d on d.document_id = c.document_id
        left join sources src on src.source_id = d.source_id
        order by c.series_actor_id, c.topic_id, c.period_end, c.stated_on, c.statement_id
        """,
        params,
    ).df()


def refresh_own_continuity(con: duckdb.DuckDBPyConnection, actors: list[str] | None = None, topics: list[str] | None = None) -> None:
    """Write each statement's label against its own actor's record into statements.own_continuity.

    Called by store.transaction whenever statements were written (every series),
    and by a bundle for the series it wrote (``actors`` by ``topics``, see
    :func:`statement_series`); only rows whose label changed are updated.
    """
    con.execute(
        _SERIES_CTE
        + """
        , labels as (select statement_id, continuity from continuity where series_actor_id = actor_id)
        update statements set own_continuity = labels.continuity
        from labels
        where statements.statement_id = labels.statement_id and statements.own_continuity is distinct from labels.continuity
        """,
        _series_params(actors, topics, False),
    )


def statement_series(con: duckdb.DuckDBPyConnection, statement_ids: list[str]) -> set[tuple[str, str]]:
    """The (actor, topic) series these stored statements sit in.

    A statement's own continuity depends on its actor's record on its topic alone,
    so a write of some statements changes the labels of the series they sit in
    before and after it (an edit may move one to another actor or topic), and of
    no other: relabelling those (:func:`refresh_own_continuity`) is milliseconds
    at 1M statements instead of the 1.3 s of every series.
    """
    return set(con.execute("select distinct actor_id, topic_id from statements where statement_id in (select unnest(?::varchar[]))",
                           [statement_ids]).fetchall())


def reported_shifts(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool) -> pd.DataFrame:
    """Claims about a series' stance, set against its own statements before, during and after them.

    A claim belongs to a series when its topic is the series' topic and its
    subject is the series actor, or, with ``inherit`` (a group line), one of its
    voices (descendants) or an ancestor (a claim about Turkey is about its
    ministry's line too). An actor whose statement is evidence for or against a
    claim is a witness, not its subject: evidence never brings a claim onto a
    card. Status from the evidence table: corroborated, contradicted, contested
    (both) or open (none).

    Columns: series_actor_id, topic_id, claim_id, claimed_on, date_precision, claim_end, text,
    subject_actor_id, asserted_position_code, document_id, source_id, grade, status,
    before_positions (latest period ending before the claim), during_positions (statements
    whose period overlaps the claim's), after_positions (earliest statements starting after it),
    reports_shift (asserts no position, or one the record around it does not hold).
    """
    return con.execute(
        _SERIES_CTE
        + """,
        above(series_actor_id, actor_id) as (
            select actor_id, parent_actor_id from actors
            where $inherit and parent_actor_id is not null
              and ($actors::varchar[] is null or actor_id in (select unnest($actors::varchar[])))
            union
            select u.series_actor_id, a.parent_actor_id from above u join actors a on a.actor_id = u.actor_id
            where a.parent_actor_id is not null
        ),
        linked as (
            select t.series_actor_id, c.topic_id, c.claim_id
            from claims c join (select * from tree union select * from above) t on t.actor_id = c.subject_actor_id
            where $topics::varchar[] is null or c.topic_id in (select unnest($topics::varchar[]))
        ),
        status as (
            select claim_id,
                   case when bool_or(relation = 'corroborates') and bool_or(relation = 'contradicts') then 'contested'
                        when bool_or(relation = 'corroborates') then 'corroborated'
                        else 'contradicted' end as status
            from evidence group by claim_id
        ),
        placed as (
            select l.series_actor_id, l.topic_id, c.claim_id, c.claimed_on, c.date_precision,
                   case c.date_precision when 'day' then c.claimed_on when 'month' then last_day(c.claimed_on)
                        else make_date(year(c.claimed_on), 12, 31) end as claim_end,
                   c.text, c.subject_actor_id, c.asserted_position_code, c.document_id
            from linked l join claims c using (claim_id)
        ),
        -- the record around each claim, by joins rather than a lookup per claim (a series with tens of
        -- thousands of claims took 34 s at 10M events with correlated subqueries)
        coded as (select series_actor_id, topic_id, stated_on, period_end, position_code from said where position_code is not null),
        spans as (
            -- the record as distinct periods, each with the set of positions stated for it (a year-dated
            -- statement overlaps every claim of its year: thousands of them collapse into one span)
            select series_actor_id, topic_id, stated_on, period_end, bit_or(bit) as mask
            from said where bit is not null group by all
        ),
        series_keys as (
            select series_actor_id, topic_id, row_number() over (order by series_actor_id, topic_id) as k
            from (select distinct series_actor_id, topic_id from placed)
        ),
        during as (
            -- the positions of the spans overlapping the claim's period. Each series' days are laid on one
            -- number line, 4M days apart (more than year 1 to 9999), so that the overlap is two inequalities
            -- alone and DuckDB runs a range join; with the series as equality keys it paired every claim with
            -- every statement of its series (29M pairs, 6 s, at 10M events)
            select p.series_actor_id, p.topic_id, p.claim_id, bit_or(s.mask) as during_mask
            from (select p.*, k.k * 4000000 + (p.claimed_on - date '0001-01-01') as lo,
                         k.k * 4000000 + (p.claim_end - date '0001-01-01') as hi
                  from placed p join series_keys k using (series_actor_id, topic_id)) p
            join (select s.mask, k.k * 4000000 + (s.stated_on - date '0001-01-01') as lo,
                         k.k * 4000000 + (s.period_end - date '0001-01-01') as hi
                  from spans s join series_keys k using (series_actor_id, topic_id)) s
              on s.lo <= p.hi and s.hi >= p.lo
            group by all
        ),
        next_said as (
            -- the first day after the claim's period on which the series said anything coded
            select p.series_actor_id, p.topic_id, p.claim_id, s.stated_on as after_on
            from placed p asof join (select distinct series_actor_id, topic_id, stated_on from coded) s
              on s.series_actor_id = p.series_actor_id and s.topic_id = p.topic_id and p.claim_end < s.stated_on
        ),
        after as (
            select n.series_actor_id, n.topic_id, n.claim_id, list(distinct s.position_code order by s.position_code) as after_positions
            from next_said n join coded s on s.series_actor_id = n.series_actor_id and s.topic_id = n.topic_id and s.stated_on = n.after_on
            group by all
        ),
        around as (
            -- before: the latest period of the record that ended before the claim
            select p.*, b.mask as before_mask, d.during_mask, f.after_positions
            from placed p
            asof left join periods b
              on b.series_actor_id = p.series_actor_id and b.topic_id = p.topic_id and p.claimed_on > b.period_end
            left join during d on d.series_actor_id = p.series_actor_id and d.topic_id = p.topic_id and d.claim_id = p.claim_id
            left join after f on f.series_actor_id = p.series_actor_id and f.topic_id = p.topic_id and f.claim_id = p.claim_id
        )
        select a.series_actor_id, a.topic_id, a.claim_id, a.claimed_on, a.date_precision, a.claim_end, a.text,
               a.subject_actor_id, a.asserted_position_code, a.document_id, d.source_id, src.analyst_grade as grade,
               coalesce(st.status, 'open') as status, a.before_positions, a.during_positions, a.after_positions,
               a.asserted_position_code is null
                 or not list_contains(coalesce(a.before_positions, a.during_positions, a.after_positions, []),
                                      a.asserted_position_code) as reports_shift
        from (select r.*, """ + _positions_of("r.before_mask", "r.topic_id") + """ as before_positions,
                          """ + _positions_of("r.during_mask", "r.topic_id") + """ as during_positions
              from around r) a
        left join status st using (claim_id)
        left join documents d on d.document_id = a.document_id
        left join sources src on src.source_id = d.source_id
        order by a.series_actor_id, a.claimed_on, a.claim_id
        """,
        _series_params(actors, topics, inherit),
    ).df()


def topic_positions(con: duckdb.DuckDBPyConnection, topic_id: str) -> pd.DataFrame:
    """The position vocabulary of a topic, highest ordinal first. Columns: position_code, label, ordinal."""
    return con.execute(
        "select position_code, label, ordinal from positions where topic_id = ? order by ordinal desc, position_code", [topic_id]
    ).df()


def actor_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every actor id, sorted: the order in which reports walk the store."""
    return [r[0] for r in con.execute("select actor_id from actors order by actor_id").fetchall()]


def busiest_topic(con: duckdb.DuckDBPyConnection) -> str | None:
    """The topic with the most statements (ties by id), or None when there are no statements."""
    rows = con.execute("select topic_id from statements group by topic_id order by count(*) desc, topic_id limit 1").fetchall()
    return rows[0][0] if rows else None


def busiest_series(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool,
                   limit: int) -> tuple[int, list[tuple[str, str]]]:
    """The (actor, topic) series with most statements, busiest first, and how many series there are in all.

    With ``inherit`` a series is a top-level actor of those given (one whose
    parent is not among them; every actor when none are given) counting its
    descendants, as the Stances page draws it; without, every actor alone.
    """
    rows = con.execute(
        """
        with recursive tree(series_actor_id, actor_id) as (
            select actor_id, actor_id from actors
            where ($actors::varchar[] is null or actor_id in (select unnest($actors::varchar[])))
              and (not $inherit or parent_actor_id is null
                   or ($actors::varchar[] is not null and parent_actor_id not in (select unnest($actors::varchar[]))))
            union
            select t.series_actor_id, a.actor_id from tree t join actors a on a.parent_actor_id = t.actor_id where $inherit
        )
        select t.series_actor_id, s.topic_id, count(*) over () as total
        from statements s join tree t using (actor_id)
        where $topics::varchar[] is null or s.topic_id in (select unnest($topics::varchar[]))
        group by all order by count(*) desc, t.series_actor_id, s.topic_id limit $limit
        """,
        {"actors": actors, "topics": topics, "inherit": inherit, "limit": limit},
    ).fetchall()
    return (rows[0][2] if rows else 0), [(r[0], r[1]) for r in rows]


def unacknowledged_shifts(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[int, pd.DataFrame]:
    """Statements that shift their own actor's position and nobody has acknowledged yet: (how many, newest ``limit``).

    Alerts follow each actor's own series (no inheritance): a ministry moving is
    news about the ministry, which is what statements.own_continuity holds, so the
    alert finds its statements there (every page opens with it: recomputing a
    million statements' series took 1.3 s) and works out the positions before
    only for the few it shows. Columns: statement_id, actor_id, topic_id, stated_on,
    date_precision, position_code, previous_positions, quote.
    """
    open_shifts = """from statements s
                     where s.own_continuity = 'shifted'
                       and not exists (select 1 from acknowledgements a where a.statement_id = s.statement_id)"""
    total = con.execute(f"select count(*) {open_shifts}").fetchall()[0][0]
    newest = con.execute(f"select s.statement_id, s.actor_id, s.topic_id {open_shifts} order by {_PERIOD_END['s']} desc, "
                         "s.stated_on desc, s.statement_id limit ?", [limit]).fetchall()
    shown = con.execute(
        _SERIES_CTE
        + """
        select c.statement_id, c.actor_id, c.topic_id, c.stated_on, c.date_precision, c.position_code,
               """ + _positions_of("c.previous_mask", "c.topic_id") + """ as previous_positions, c.quote
        from continuity c
        where c.statement_id in (select unnest($ids::varchar[]))
        order by c.period_end desc, c.stated_on desc, c.statement_id
        """,
        _series_params(sorted({r[1] for r in newest}), sorted({r[2] for r in newest}), False) | {"ids": [r[0] for r in newest]},
    ).df()
    return int(total), shown


def insert_acknowledgements(con: duckdb.DuckDBPyConnection, statement_ids: list[str], who: str) -> list[str]:
    """Record shift alerts as acknowledged (call inside store.transaction); returns the ids that were new.

    The new ids are found first and inserted (the team store has neither ``on conflict`` nor ``returning``).
    """
    new = sorted(r[0] for r in con.execute(
        "select unnest(?::varchar[]) except select statement_id from acknowledgements", [statement_ids]).fetchall())
    con.execute("insert into acknowledgements (statement_id, who) select unnest(?::varchar[]), ?", [new, who])
    return new


# === Sources (issue 5) =========================================================
# the claims a page asks for, from judged claims ``s`` (claim_judgements' columns), values bound by _outcome_params
_OUTCOME_FILTER = """(? is null or s.claimed_on >= ?) and (? is null or s.claimed_on <= ?)
          and (len(?::varchar[]) = 0 or s.topic_id in (select unnest(?::varchar[])))
          and (len(?::varchar[]) = 0 or s.source_id in (select unnest(?::varchar[])))
          and (? is null or s.claim_id in (select claim_id from claims where text ilike ?))"""
_OUTCOME_COLUMNS = """s.claim_id, s.claimed_on, s.date_precision, s.document_id, s.source_id, s.topic_id, s.subject_actor_id, cl.text,
           s.corroborating, s.contradicting, s.independent_corroborating, s.independent_contradicting, s.first_outcome_on,
           s.status, s.credibility, s.first_report"""


def _outcome_params(filters: Filters | None) -> list[object]:
    filters = filters or Filters()
    text = f"%{filters.text}%" if filters.text else None
    return [filters.date_from, filters.date_from, filters.date_to, filters.date_to, list(filters.topics), list(filters.topics),
            list(filters.sources), list(filters.sources), text, text]


def claim_outcomes(con: duckdb.DuckDBPyConnection, filters: Filters | None = None, newest: int | None = None) -> pd.DataFrame:
    """Every claim with its outcome, under the date, topic, source and text filters, in date order.

    ``newest`` keeps only that many of the latest claims, read from the judgements the store keeps current
    (lib/judgements.py), so that a page listing claims does not carry a million rows to the browser. Without it
    every claim is judged anew from the evidence: the reference the kept judgements are tested against.

    Columns: claim_id, claimed_on, date_precision, document_id, source_id, topic_id, subject_actor_id, text,
    corroborating, contradicting (evidence rows), independent_corroborating, independent_contradicting (distinct
    independent outlets), first_outcome_on (when the first evidence was known at the latest), status, credibility
    (1-6; rules in docs/GRADING.md), first_report (no other outlet's claim on the same corroborating item came earlier).
    """
    if newest is None:
        return con.execute(f"""select {_OUTCOME_COLUMNS} from ({judgements.judgement_sql()}) s join claims cl using (claim_id)
                               where {_OUTCOME_FILTER} order by s.claimed_on, s.claim_id""", _outcome_params(filters)).df()
    return con.execute(
        f"""select {_OUTCOME_COLUMNS}
            from (select * from {judgements.TABLE} s where {_OUTCOME_FILTER} order by claimed_on desc, claim_id desc limit ?) s
            join claims cl using (claim_id)
            order by s.claimed_on, s.claim_id""",
        [*_outcome_params(filters), newest]).df()


def claim_credibility(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> dict[str, int]:
    """The credibility (1-6) of these claims, what other pages show beside a claim, by claim id."""
    if not claim_ids:
        return {}
    rows = con.execute(f"select claim_id, credibility from {judgements.TABLE} where claim_id in (select unnest(?::varchar[]))",
                       [claim_ids])
    return dict(rows.fetchall())


def source_track_records(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Per source, the outcome counts of its claims under the filters (every source, zero when it made none).

    No claim is judged here: without a filter on claims the store's sums per source are read (10,000 rows), under
    one the judgements it keeps current are summed (lib/judgements.py).

    Columns: source_id, name, kind, country, analyst_grade, grade_note, claims, corroborated, contradicted,
    contested, open, median_days_to_outcome, first_reports_corroborated.
    """
    filters = filters or Filters()
    every_claim = not (filters.date_from or filters.date_to or filters.topics or filters.sources or filters.text)
    totals = judgements.TOTALS if every_claim else f"({judgements.totals_sql(f'where {_OUTCOME_FILTER}')})"
    return con.execute(
        f"""
        select s.source_id, s.name, s.kind, s.country, s.analyst_grade, s.grade_note,
               coalesce(o.claims, 0) as claims, coalesce(o.corroborated, 0) as corroborated,
               coalesce(o.contradicted, 0) as contradicted, coalesce(o.contested, 0) as contested, coalesce(o.open, 0) as open,
               o.median_days_to_outcome, coalesce(o.first_reports_corroborated, 0) as first_reports_corroborated
        from sources s left join {totals} o using (source_id)
        order by claims desc, s.name
        """,
        [] if every_claim else _outcome_params(filters),
    ).df()


def claim_evidence(con: duckdb.DuckDBPyConnection, claim_ids: list[str]) -> pd.DataFrame:
    """The evidence chain of some claims, for the Sources drill-down and the Timeline's detail panel.

    Columns: claim_id, relation, evidence_type, evidence_id, what (quote, claim text or title), dated,
    date_precision, who (the speaking actor, else the witnessing outlet), source (the witnessing outlet),
    url, noted_on, note. Each table is read only for the items these claims cite: joining whole tables
    ran out of the dashboard's memory at 10M events.
    """
    return con.execute(
        """
        with ev as (select * from evidence where claim_id in (select unnest(?::varchar[]))),
        items as materialized (
            select 'statement' as evidence_type, statement_id as evidence_id, quote as what, stated_on as dated,
                   date_precision, document_id, actor_id
            from statements where statement_id in (select evidence_id from ev where evidence_type = 'statement')
            union all
            select 'claim', claim_id, text, claimed_on, date_precision, document_id, null
            from claims where claim_id in (select evidence_id from ev where evidence_type = 'claim')
            union all
            select 'document', document_id, title, published_on, date_precision, document_id, null
            from documents where document_id in (select evidence_id from ev where evidence_type = 'document')
            union all
            select 'event', e.event_id, e.title, e.occurred_on, e.date_precision,
                   (select min(document_id) from event_documents x where x.event_id = e.event_id), null
            from events e where e.event_id in (select evidence_id from ev where evidence_type = 'event')
        )
        select ev.claim_id, ev.relation, ev.evidence_type, ev.evidence_id, i.what, i.dated,
               coalesce(i.date_precision, 'day') as date_precision, coalesce(a.name, src.name) as who,
               src.name as source, wd.url, ev.noted_on, ev.note
        from ev
        left join items i using (evidence_type, evidence_id)
        -- actors and witnessing documents read for these items alone: a hash table of 4.5M documents took 1.2 s of CPU
        left join (select actor_id, name from actors where actor_id in (select actor_id from items)) a on a.actor_id = i.actor_id
        left join (select document_id, source_id, url from documents where document_id in (select document_id from items)) wd
            on wd.document_id = i.document_id
        left join sources src on src.source_id = wd.source_id
        order by ev.claim_id, ev.relation, i.dated, ev.evidence_id
        """,
        [claim_ids],
    ).df()

#
#

# === Brief (issue 6) ==========================================================
def brief_citations(con: duckdb.DuckDBPyConnection, filters: Filters, kinds: tuple[str, ...] = ("statement", "claim"),
                    limit: int = 200) -> pd.DataFrame:
    """The items of ``kinds`` (events, statements, claims) a chart under ``filters`` draws, to cite in a brief.

    Columns: kind, item_id, dated, date_precision, who (an event's actors, a statement's actor, a claim's
    outlet), text (an event's title, a quote, a claim), source_id, source, url (an event's first document).
    Filters used as the Timeline uses them: dates (by the item's date), topics, actors (with sub-actors when
    chosen; an event by any of its actors, a claim by its subject), sources, item kinds, search text, and
    event types and origins, which keep only events (origin 'curated' keeps statements and claims).
    Oldest first, at most ``limit`` rows.
    """
    actors = actor_scope(con, filters)
    wanted = [k for k in kinds if not filters.kinds or k in filters.kinds]
    if filters.event_types or (filters.origins and "curated" not in filters.origins):
        wanted = [k for k in wanted if k == "event"]
    text = f"%{_escape_like(filters.text)}%" if filters.text else None
    params = {"from": filters.date_from, "to": filters.date_to, "topics": list(filters.topics), "sources": list(filters.sources),
              "actors": actors, "text": text, "kinds": wanted, "types": list(filters.event_types),
              "origins": list(filters.origins), "limit": limit}
    dated = "($from::date is null or {d} >= $from::date) and ($to::date is null or {d} <= $to::date)"
    topic = "(len($topics::varchar[]) = 0 or {t} in (select unnest($topics::varchar[])))"
    source = "(len($sources::varchar[]) = 0 or {s} in (select unnest($sources::varchar[])))"
    actor = "(len($actors::varchar[]) = 0 or {a} in (select unnest($actors::varchar[])))"
    return con.execute(
        f"""
        select * from (
            select 'event' kind, e.event_id item_id, e.occurred_on dated, e.date_precision,
                   (select string_agg(a.name, ', ' order by ea.role <> 'initiator', a.name) from event_actors ea
                    join actors a using (actor_id) where ea.event_id = e.event_id) who,
                   e.title as text, d.source_id, src.name as source, d.url
            from events e
            left join documents d on d.document_id = (select min(document_id) from event_documents x where x.event_id = e.event_id)
            left join sources src on src.source_id = d.source_id
            where 'event' in (select unnest($kinds::varchar[])) and {dated.format(d="e.occurred_on")} and {topic.format(t="e.topic_id")}
              and {source.format(s="d.source_id")}
              and (len($actors::varchar[]) = 0 or exists (select 1 from event_actors ea where ea.event_id = e.event_id
                                                          and ea.actor_id in (select unnest($actors::varchar[]))))
              and (len($types::varchar[]) = 0 or e.event_type in (select unnest($types::varchar[])))
              and (len($origins::varchar[]) = 0 or e.origin in (select unnest($origins::varchar[])))
              and ($text::varchar is null or e.title ilike $text escape '\\' or e.description ilike $text escape '\\')
            union all
            select 'statement', s.statement_id, s.stated_on, s.date_precision, a.name,
                   coalesce(s.quote, s.position_code), d.source_id, src.name, d.url
            from statements s join actors a using (actor_id)
            left join documents d using (document_id) left join sources src using (source_id)
            where 'statement' in (select unnest($kinds::varchar[])) and {dated.format(d="s.stated_on")} and {topic.format(t="s.topic_id")}
              and {source.format(s="d.source_id")} and {actor.format(a="s.actor_id")}
              and ($text::varchar is null or s.quote ilike $text escape '\\')
            union all
            select 'claim', c.claim_id, c.claimed_on, c.date_precision, src.name, c.text, d.source_id, src.name, d.url
            from claims c join documents d using (document_id) join sources src using (source_id)
            where 'claim' in (select unnest($kinds::varchar[])) and {dated.format(d="c.claimed_on")} and {topic.format(t="c.topic_id")}
              and {source.format(s="d.source_id")} and {actor.format(a="c.subject_actor_id")}
              and ($text::varchar is null or c.text ilike $text escape '\\')
        )
        order by dated, kind, item_id
        limit $limit
        """,
        params,
    ).df()


# === Data page: history (issue 7) ==============================================
def import_history(con: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """Import attempts, newest first: import_id, imported_at, who, format, file_name, status, message, sha256."""
    return con.execute(
        "select import_id, imported_at, who, format, file_name, status, message, sha256 from imports order by import_id desc limit ?",
        [limit],
    ).df()


AUDIT_TABLES = ("sources", "documents", "actors", "topics", "positions", "event_types", "events", "event_actors",
                "event_documents", "statements", "claims", "evidence", "imports", "acknowledgements", "briefs")


def audit_entries(con: duckdb.DuckDBPyConnection, table: str | None = None, limit: int = 500) -> pd.DataFrame:
    """Audit log, newest first, optionally for one table: audit_id, logged_at, who, action, table_name, row_key, before, after."""
    return con.execute(
        """
        select audit_id, logged_at, who, action, table_name, row_key, before, after from audit_log
        where ? is null or table_name = ? order by audit_id desc limit ?
        """,
        [table, table, limit],
    ).df()
#
#
