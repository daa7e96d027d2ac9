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
# Continuity is computed here, in SQL, for every statement of every series at
# once; lib/stance.py documents the rules. A *series* is what one card and one
# line of the step chart show: an actor's own statements on a topic, plus (when
# ``inherit`` is on) those of its descendants, each row keeping who said it.
# Parameters are named: $actors (series actor ids, NULL = every actor), $topics
# (NULL = every topic), $inherit (boolean).

_SERIES_CTE = """
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
           s.position_code, c.bit, s.self_declared_continuity as self_declared, s.quote, s.attribution, s.document_id,
           case s.date_precision when 'day' then s.stated_on when 'month' then last_day(s.stated_on)
                else make_date(year(s.stated_on), 12, 31) end as period_end
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

    Continuity is computed over the whole history; ``filters`` (dates, sources,
    text) only choose which rows are returned, so a date range never turns a
    reaffirmation into a 'first'.

    Columns: series_actor_id, topic_id, statement_id, actor_id, stated_on, date_precision,
    period_end, position_code, position_label, ordinal, self_declared, previous_statement_id,
    previous_positions (list), continuity, quote, attribution, document_id, source_id, grade
    (the analyst's grade of the source, or null).
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
               c.continuity, c.quote, c.attribution, c.document_id, d.source_id, src.analyst_grade as grade
        from continuity c
        left join positions p on p.topic_id = c.topic_id and p.position_code = c.position_code
        left join documents d on d.document_id = c.document_id
        left join sources src on src.source_id = d.source_id
        where ($date_from::date is null or c.period_end >= $date_from::date)
          and ($date_to::date is null or c.stated_on <= $date_to::date)
          and ($sources::varchar[] is null or d.source_id in (select unnest($sources::varchar[])))
          and ($text::varchar is null or c.quote ilike $text::varchar)
        order by c.series_actor_id, c.topic_id, c.period_end, c.stated_on, c.statement_id
        """,
        params,
    ).df()


def stance_summary(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool) -> pd.DataFrame:
    """One row per series (actor, topic) that has statements: the figures on its card.

    Columns: series_actor_id, topic_id, statements, shifts, reaffirmations (of the current
    position since it was taken up), reaffirmations_total, last_shift_on, last_shift_precision,
    last_shift_end, last_statement_on, last_statement_precision, current_positions (list: one
    element, or several when the latest period holds disagreeing statements), current_position
    (null when split), held_since, held_since_precision, position_runs (positions as taken up, in
    date order).
    """
    return con.execute(
        _SERIES_CTE
        + """,
        latest as (
            select series_actor_id, topic_id, arg_max(mask, period_end) as mask from periods group by all
        ),
        held as (
            -- when the single current position was taken up: its latest first/shifted statement, else its earliest
            select c.series_actor_id, c.topic_id,
                   coalesce(max({'on': c.stated_on, 'precision': c.date_precision})
                                filter (where c.continuity in ('first', 'shifted')),
                            min({'on': c.stated_on, 'precision': c.date_precision})) as since
            from continuity c join latest l on l.series_actor_id = c.series_actor_id and l.topic_id = c.topic_id and c.bit = l.mask
            group by all
        ),
        totals as (
            select series_actor_id, topic_id, count(*) as statements,
                   count_if(continuity = 'shifted') as shifts,
                   count_if(continuity = 'reaffirmed') as reaffirmations_total,
                   max({'on': stated_on, 'precision': date_precision, 'end': period_end})
                       filter (where continuity = 'shifted') as last_shift,
                   max({'on': stated_on, 'precision': date_precision}) as last_statement,
                   list(position_code order by period_end, stated_on, statement_id)
                       filter (where bit is not null and (continuity <> 'reaffirmed' or previous_mask is null)) as position_runs
            from continuity group by all
        ),
        streaks as (
            select c.series_actor_id, c.topic_id, count(*) as reaffirmations
            from continuity c join held h using (series_actor_id, topic_id)
            join latest l on l.series_actor_id = c.series_actor_id and l.topic_id = c.topic_id and c.bit = l.mask
            where c.continuity = 'reaffirmed' and c.stated_on >= h.since.on
            group by all
        )
        select t.series_actor_id, t.topic_id, t.statements, t.shifts, coalesce(s.reaffirmations, 0) as reaffirmations,
               t.reaffirmations_total, t.last_shift.on as last_shift_on, t.last_shift.precision as last_shift_precision,
               t.last_shift.end as last_shift_end, t.last_statement.on as last_statement_on,
               t.last_statement.precision as last_statement_precision,
               """ + _positions_of("l.mask", "t.topic_id") + """ as current_positions,
               case when bit_count(l.mask) = 1 then (select k.position_code from codes k where k.topic_id = t.topic_id and k.bit = l.mask)
               end as current_position,
               h.since.on as held_since, h.since.precision as held_since_precision, t.position_runs
        from totals t
        left join latest l using (series_actor_id, topic_id)
        left join held h using (series_actor_id, topic_id)
        left join streaks s using (series_actor_id, topic_id)
        order by t.series_actor_id, t.topic_id
        """,
        _series_params(actors, topics, inherit),
    ).df()


def reported_shifts(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool) -> pd.DataFrame:
    """Claims about a series' stance, set against its own statements before, during and after them.

    A claim belongs to a series when its subject is the series actor (or, with
    ``inherit``, a descendant) on the topic, or when evidence links it to one of
    the series' statements. Status from the evidence table: corroborated,
    contradicted, contested (both) or open (none).

    Columns: series_actor_id, topic_id, claim_id, claimed_on, date_precision, claim_end, text,
    subject_actor_id, asserted_position_code, document_id, source_id, grade, status,
    before_positions (latest period ending before the claim), during_positions (statements
    whose period overlaps the claim's), after_positions (earliest statements starting after it),
    reports_shift (asserts no position, or one the record around it does not hold).
    """
    return con.execute(
        _SERIES_CTE
        + """,
        linked as (
            select t.series_actor_id, c.topic_id, c.claim_id
            from claims c join tree t on t.actor_id = c.subject_actor_id
            where $topics::varchar[] is null or c.topic_id in (select unnest($topics::varchar[]))
            union
            select s.series_actor_id, s.topic_id, e.claim_id
            from evidence e join said s on e.evidence_type = 'statement' and e.evidence_id = s.statement_id
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
        around as (
            select p.*,
                   (select arg_max(q.mask, q.period_end) from periods q
                    where q.series_actor_id = p.series_actor_id and q.topic_id = p.topic_id and q.period_end < p.claimed_on)
                       as before_mask,
                   (select list(distinct s.position_code order by s.position_code) from said s
                    where s.series_actor_id = p.series_actor_id and s.topic_id = p.topic_id and s.position_code is not null
                      and s.stated_on <= p.claim_end and s.period_end >= p.claimed_on) as during_positions,
                   (select list(distinct s.position_code order by s.position_code) from said s
                    where s.series_actor_id = p.series_actor_id and s.topic_id = p.topic_id and s.position_code is not null
                      and s.stated_on = (select min(s2.stated_on) from said s2
                                         where s2.series_actor_id = p.series_actor_id and s2.topic_id = p.topic_id
                                           and s2.position_code is not null and s2.stated_on > p.claim_end))
                       as after_positions
            from placed p
        )
        select a.series_actor_id, a.topic_id, a.claim_id, a.claimed_on, a.date_precision, a.claim_end, a.text,
               a.subject_actor_id, a.asserted_position_code, a.document_id, d.source_id, src.analyst_grade as grade,
               coalesce(st.status, 'open') as status, """ + _positions_of("a.before_mask", "a.topic_id") + """ as before_positions,
               a.during_positions, a.after_positions,
               a.asserted_position_code is null
                 or not list_contains(coalesce(""" + _positions_of("a.before_mask", "a.topic_id") + """,
                                               a.during_positions, a.after_positions, []),
                                      a.asserted_position_code) as reports_shift
        from around a
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


def busiest_topic(con: duckdb.DuckDBPyConnection) -> str | None:
    """The topic with the most statements (ties by id), or None when there are no statements."""
    rows = con.execute("select topic_id from statements group by topic_id order by count(*) desc, topic_id limit 1").fetchall()
    return rows[0][0] if rows else None


def most_active_actors(con: duckdb.DuckDBPyConnection, topic_id: str, inherit: bool, limit: int) -> list[str]:
    """The actors with most statements on a topic; with ``inherit``, top-level actors counting their descendants."""
    rows = con.execute(
        """
        with recursive tree(series_actor_id, actor_id) as (
            select actor_id, actor_id from actors where not $inherit or parent_actor_id is null
            union
            select t.series_actor_id, a.actor_id from tree t join actors a on a.parent_actor_id = t.actor_id where $inherit
        )
        select t.series_actor_id from statements s join tree t using (actor_id)
        where s.topic_id = $topic
        group by t.series_actor_id order by count(*) desc, t.series_actor_id limit $limit
        """,
        {"topic": topic_id, "inherit": inherit, "limit": limit},
    ).fetchall()
    return [r[0] for r in rows]


def unacknowledged_shifts(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[int, pd.DataFrame]:
    """Statements that shift their own actor's position and nobody has acknowledged yet: (how many, newest ``limit``).

    Alerts follow each actor's own series (no inheritance): a ministry moving is
    news about the ministry. Columns: statement_id, actor_id, topic_id, stated_on, date_precision,
    position_code, previous_positions, quote.
    """
    newest = con.execute(
        _SERIES_CTE
        + """,
        open_shifts as (
            select c.*, count(*) over () as total
            from continuity c
            where c.continuity = 'shifted'
              and not exists (select 1 from acknowledgements a where a.statement_id = c.statement_id)
            order by c.period_end desc, c.stated_on desc, c.statement_id
            limit $limit
        )
        select o.statement_id, o.actor_id, o.topic_id, o.stated_on, o.date_precision, o.position_code,
               """ + _positions_of("o.previous_mask", "o.topic_id") + """ as previous_positions, o.quote, o.total
        from open_shifts o
        order by o.period_end desc, o.stated_on desc, o.statement_id
        """,
        _series_params(None, None, False) | {"limit": limit},
    ).df()
    total = int(newest.total.iloc[0]) if len(newest) else 0
    return total, newest.drop(columns="total")


def insert_acknowledgements(con: duckdb.DuckDBPyConnection, statement_ids: list[str], who: str) -> list[str]:
    """Record shift alerts as acknowledged (call inside store.transaction); returns the ids that were new."""
    rows = con.execute(
        """
        insert into acknowledgements (statement_id, who)
        select distinct unnest(?::varchar[]), ?
        on conflict do nothing
        returning statement_id
        """,
        [statement_ids, who],
    ).fetchall()
    return sorted(r[0] for r in rows)


# === Sources (issue 5) =========================================================
#
#

# === Data page: history (issue 7) ==============================================
#
#
