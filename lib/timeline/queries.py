"""The Timeline's SQL: which items the filters select, counted, newest first, described, as density, one item's detail.

One filtered set of items (events, statements, claims) feeds the count, the
points, the density and the table (lib/timeline/timeline.py shapes them). Every
value is bound by name; the few identifiers that vary (lane columns, buckets)
come from allow-lists in this module, never from user text.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from lib import search
from lib.caching import Cache, direct
from lib.catalog import actor_scope
from lib.dates import PERIOD_END
from lib.filters import Filters

TIMELINE_LANES: dict[str, str] = {"actor": "actor", "topic": "topic", "source": "source", "kind": "kind"}
"""Lane keys the chart offers (allow-list: the value picks an SQL expression below)."""
DENSITY_BUCKETS: tuple[str, ...] = ("day", "week", "month")

_DATE_COL = {"e": "e.occurred_on", "s": "s.stated_on", "c": "c.claimed_on"}
_ID_COL = {"e": "event_id", "s": "statement_id", "c": "claim_id"}
_KIND_ALIAS = {"event": "e", "statement": "s", "claim": "c"}
_TABLE = {"e": "events e", "s": "statements s", "c": "claims c"}


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
            common[alias] += [f"{_DATE_COL[alias]} >= $date_from::date - 366", f"{PERIOD_END[alias]} >= $date_from::date"]
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
        params["text"] = f"%{escape_like(filters.text)}%"
        common["e"].append(f"(e.title ilike $text{escape} or e.description ilike $text{escape})")
        common["s"].append(f"s.quote ilike $text{escape}")
        common["c"].append(f"c.text ilike $text{escape}")
    where = {alias: (" and ".join(common[alias]) or "true") if kind in kinds else None for kind, alias in _KIND_ALIAS.items()}
    return where, params


timeline_where = _timeline_where  # public for lib/search, which filters its ranked hits the same way


def escape_like(text: str) -> str:
    """Search text is literal: % and _ typed by the analyst match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _used(sql: str, params: dict[str, object]) -> dict[str, object]:
    """Only the named parameters the statement mentions (DuckDB refuses unused ones)."""
    return {k: v for k, v in params.items() if f"${k}" in sql}


used_params = _used  # public for lib/search


def timeline_count(con: duckdb.DuckDBPyConnection, filters: Filters) -> dict[str, int]:
    """How many events, statements and claims the filters select (decides points or density)."""
    where, params = _timeline_where(con, filters)
    parts = [f"select '{a}', count(*) from {_TABLE[a]} where {w}" for a, w in where.items() if w]
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
    parts = [f"(select {columns[a]} from {_TABLE[a]} where {w}{'' if filters.text else _on_or_after_newest(a, w)} "
             f"order by {_DATE_COL[a]} desc, 2 desc limit $limit)"
             for a, w in where.items() if w] or [f"(select {columns['e']} from events e where false)"]
    sql = f"select * from ({' union all '.join(parts)}) order by dated desc, kind, item_id limit $limit"
    return sql, _used(sql, params)


def _on_or_after_newest(alias: str, where: str) -> str:
    """A test that keeps the rows dated on or after the ``$limit``-th newest date of this kind under ``where``.

    Every one of the newest rows passes it, so the answer is the same; the date comes from a top-N of the date column
    alone, and the scan that reads the text columns then reads them for those rows only: a top-N over whole rows
    carried the quote of each of a million statements. Not under a text filter, whose test would run twice.
    """
    date, table = _DATE_COL[alias], _TABLE[alias]
    return f" and {date} >= (select min(dated) from (select {date} as dated from {table} where {where} order by dated desc limit $limit))"


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
        -- the status rule of lib/sources/judgements.py (any corroborating / contradicting item), on these claims only
        select claim_id, bool_or(relation = 'corroborates') as corroborated, bool_or(relation = 'contradicts') as contradicted
        from evidence where claim_id in (select item_id from items where kind = 'claim') group by claim_id),
    item_docs as (
        -- the documents of these rows only: joined whole, a store's documents (4.5M at 10M events) became the
        -- hash join's build side (the registered rows carry no statistics), 0.6 s at 1M events
        select d.document_id, src.source_id, src.name, src.analyst_grade from documents d
        join sources src on src.source_id = d.source_id
        where d.document_id in (select document_id from items union all select document_id from event_docs))
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
    left join item_docs src on src.document_id = coalesce(i.document_id, ed.document_id)
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
    unclear, against the statement's own actor's record by the rules of lib/stances/stance.py), status (claims: corroborated / contradicted / contested / open),
    source_id, source_name, grade (the analyst's grade, else null; lib.timeline.timeline.graded_items puts the grade in force), actor_ids
    (list; an event's actors within the actor filter, initiator first; a claim's subject).
    Two statements: the filtered scan (:func:`timeline_newest`, shared through ``cache``) and the lookups for its rows.
    """
    newest = cache(timeline_newest)(con, filters, limit)
    return timeline_described(con, newest, actor_scope(con, filters) if filters.actors else None)


def timeline_density_sql(con: duckdb.DuckDBPyConnection, filters: Filters, lane: str, bucket: str,
                         max_lanes: int) -> tuple[str, dict[str, object]]:
    """The SQL and bound values of :func:`timeline_density`."""
    if lane not in TIMELINE_LANES or bucket not in DENSITY_BUCKETS:
        raise ValueError(f"unknown lane {lane!r} or bucket {bucket!r}")
    where, params = _timeline_where(con, filters, events_joined_to_actors=lane == "actor")
    scope = "and ea.actor_id in (select unnest($actors::varchar[]))" if filters.actors else ""
    # events filtered by dates and actors alone are counted from the derived link counts, not the join
    counted = lane == "actor" and not (filters.topics or filters.sources or filters.event_types or filters.origins or filters.text)
    if counted and bucket == "month" and not (filters.date_from or filters.date_to):
        return _opening_density_sql(filters, where, params, max_lanes)
    actor_scope = "e.actor_id in (select unnest($actors::varchar[]))" if filters.actors else "true"
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
    parts = [
        # the daily counts carry each event's date and precision, so the same date test applies to them
        f"select e.actor_id as lane, date_trunc('{bucket}', e.occurred_on)::date as bucket, {_counted_as(a, 'sum(e.links)')} "
        f"from event_actor_days e where {w} and {actor_scope} group by all having sum(e.links) > 0"
        if a == "e" and counted else
        f"select {lane_sql[a]} as lane, date_trunc('{bucket}', {_DATE_COL[a]})::date as bucket, {_counted_as(a, 'count(*)')} "
        f"from {_TABLE[a]} {joins[a]} where {w} group by all"
        for a, w in where.items() if w
    ] or ["select null::varchar as lane, null::date as bucket, 0::bigint as events, 0::bigint as statements, 0::bigint as claims where false"]
    return _lanes_ranked(" union all ".join(parts), params, max_lanes)


_COUNT_COLUMNS = {"e": "events", "s": "statements", "c": "claims"}


def _counted_as(alias: str, count: str) -> str:
    """A count of one kind as the three count columns of the density (the other two zero)."""
    return ", ".join(f"{count if a == alias else 0} as {column}" for a, column in _COUNT_COLUMNS.items())


def _lanes_ranked(counts: str, params: dict[str, object], max_lanes: int) -> tuple[str, dict[str, object]]:
    """The density's rows from ``counts`` (lane, bucket, events, statements, claims): the busiest ``max_lanes`` lanes
    named (ties by lane id), the rest summed as '(other)', no lane as '(none)'."""
    params["max_lanes"] = max_lanes
    sql = f"""
        with counts as ({counts}),
        ranked as (select lane, row_number() over (order by sum(events + statements + claims) desc, lane) as r from counts group by lane)
        select case when r.r <= $max_lanes then coalesce(c.lane, '(none)') else '(other)' end as lane, c.bucket,
               sum(c.events + c.statements + c.claims)::bigint as n, sum(c.events)::bigint as events,
               sum(c.statements)::bigint as statements, sum(c.claims)::bigint as claims
        from counts c join ranked r on r.lane is not distinct from c.lane
        group by all order by lane, c.bucket
        """
    return sql, _used(sql, params)


def _opening_density_sql(filters: Filters, where: dict[str, str | None], params: dict[str, object],
                         max_lanes: int) -> tuple[str, dict[str, object]]:
    """The density by actor and month over all dates (the opening view), from the kept ``timeline_actor_months``.

    The same rows as the counts of each kind unioned and ranked (tests compare them): one row per actor and month
    already holds the three counts, so nothing groups a million statements, or unions 900,000 counts (10M events).
    A kind the filters leave out counts zero; ``$actors`` is the actor filter's scope (claims without a subject fall
    outside it, as in the live counts).
    """
    counted = {column: column if where[alias] else "0" for alias, column in _COUNT_COLUMNS.items()}
    scope = "actor_id in (select unnest($actors::varchar[]))" if filters.actors else "true"
    return _lanes_ranked(
        f"""select actor_id as lane, month as bucket, {counted["events"]} as events, {counted["statements"]} as statements,
                   {counted["claims"]} as claims
            from timeline_actor_months where {scope} and {" + ".join(counted.values())} > 0""", params, max_lanes)


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
