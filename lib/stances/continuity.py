"""The Stances' SQL: continuity of every statement of every series at once, reported shifts, the busiest series, alerts.

lib/stances/stance.py documents the rules and shapes the results; the group rule
of lib/stances/group_line.py runs over :func:`statement_continuity`'s rows. The
stored labels (``statements.own_continuity``) are refreshed by lib/derived.py
from :data:`SERIES_CTE`.

A *series* is what one card and one line of the step chart show: an actor's
own statements on a topic, plus (when ``inherit`` is on) those of its
descendants, each row keeping who said it. Parameters are named: $actors
(series actor ids, NULL = every actor), $topics (NULL = every topic), $inherit (boolean),
$series (exact [actor, topic] pairs among those, NULL = every pair: a series' labels depend
on its own statements alone, so leaving the others out changes none of them).
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from lib.dates import PERIOD_END
from lib.filters import Filters

SERIES_CTE = f"""
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
           {PERIOD_END['s']} as period_end
    from statements s join tree t on t.actor_id = s.actor_id
    left join codes c on c.topic_id = s.topic_id and c.position_code = s.position_code
    where ($topics::varchar[] is null or s.topic_id in (select unnest($topics::varchar[])))
      and ($series::varchar[][] is null or [t.series_actor_id, s.topic_id] in (select unnest($series::varchar[][])))
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


def series_params(actors: list[str] | None, topics: list[str] | None, inherit: bool,
                  series: list[tuple[str, str]] | None = None) -> dict[str, object]:
    return {"actors": actors, "topics": topics, "inherit": inherit,
            "series": None if series is None else [[a, t] for a, t in series]}


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
    rule (lib/stances/group_line.py) when sub-actors are folded in. ``own_continuity`` is
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
    params = series_params(actors, topics, inherit) | {
        "date_from": f.date_from, "date_to": f.date_to, "sources": list(f.sources) or None,
        "text": f"%{f.text}%" if f.text else None,
    }
    rows = con.execute(
        SERIES_CTE
        + """
        select c.series_actor_id, c.topic_id, c.statement_id, c.actor_id, c.stated_on, c.date_precision, c.period_end,
               c.position_code, p.label as position_label, p.ordinal, c.self_declared,
               (select arg_max(q.statement_id, (q.stated_on, q.statement_id)) from said q
                where q.series_actor_id = c.series_actor_id and q.topic_id = c.topic_id and q.period_end = c.previous_end
                  and q.bit is not null) as previous_statement_id,
               """ + _positions_of("c.previous_mask", "c.topic_id") + """ as previous_positions,
               c.continuity, c.own_continuity, c.quote, c.attribution, c.document_id,
               coalesce(($date_from::date is null or c.period_end >= $date_from::date)
                 and ($date_to::date is null or c.stated_on <= $date_to::date)
                 and ($sources::varchar[] is null or c.document_id in (
                     select document_id from documents where source_id in (select unnest($sources::varchar[]))))
                 and ($text::varchar is null or c.quote ilike $text::varchar), false) as shown
        from continuity c
        left join positions p on p.topic_id = c.topic_id and p.position_code = c.position_code
        order by c.series_actor_id, c.topic_id, c.period_end, c.stated_on, c.statement_id
        """,
        params,
    ).df()
    return _with_outlets(con, rows, "shown")


def series_continuity(con: duckdb.DuckDBPyConnection, series: list[tuple[str, str]] | None, inherit: bool) -> pd.DataFrame:
    """The statements of exactly these (actor, topic) series (None: every series) with what the group rule reads, in
    the order of :func:`statement_continuity`, whose rows and values these are.

    What the kept standings are judged from (``stance.standing_rows``): a write's series, or every series when
    the store is upgraded. The quotes, sources and previous statement no standing reads were half the query.
    Columns: series_actor_id, topic_id, statement_id, actor_id, stated_on, date_precision, period_end,
    position_code, self_declared, previous_positions (list), continuity.
    """
    return con.execute(
        SERIES_CTE
        + """
        select c.series_actor_id, c.topic_id, c.statement_id, c.actor_id, c.stated_on, c.date_precision, c.period_end,
               c.position_code, c.self_declared,
               """ + _positions_of("c.previous_mask", "c.topic_id") + """ as previous_positions, c.continuity
        from continuity c
        order by c.series_actor_id, c.topic_id, c.period_end, c.stated_on, c.statement_id
        """,
        pairs_params(series, inherit),
    ).df()


def pairs_params(series: list[tuple[str, str]] | None, inherit: bool) -> dict[str, object]:
    """The parameters of :data:`SERIES_CTE` for exactly these (actor, topic) series (None: every series)."""
    if series is None:
        return series_params(None, None, inherit)
    return series_params(sorted({a for a, _ in series}), sorted({t for _, t in series}), inherit, series)


SCOPE_CONTINUITY = SERIES_CTE + """
    select c.series_actor_id, c.topic_id, c.statement_id, c.actor_id, c.stated_on, c.date_precision, c.period_end,
           c.position_code, c.continuity,
           coalesce(""" + _positions_of("c.previous_mask", "c.topic_id") + """, []::varchar[]) as previous_positions
    from continuity c
"""
"""This module's labels of some series (:func:`pairs_params`), with what the record held before each statement (none:
an empty list, as the group rule says it): lib/derived.py makes the temp table ``scope_continuity`` of them for the
series a write touched, which :func:`one_voice_standings` and :data:`ONE_VOICE_LABELS` both read (one pass of the
series' SQL for the standings and the labels)."""

ONE_VOICE_LABELS = """
    select c.series_actor_id, c.topic_id, $inherit as inherit, c.statement_id, c.continuity, c.previous_positions
    from scope_continuity c semi join (
        select series_actor_id, topic_id from scope_continuity group by all
        having count(distinct actor_id) filter (where position_code is not null) <= 1
    ) o using (series_actor_id, topic_id)
"""
"""Rows of ``series_labels`` from ``scope_continuity`` for the series where at most one voice coded a position: this
module's labels, which are the group rule's there (as in :func:`one_voice_standings`). The rule labels the rest."""


def one_voice_standings(con: duckdb.DuckDBPyConnection, inherit: bool) -> pa.Table:
    """The standing of each series in the temp table ``scope_continuity`` (:data:`SCOPE_CONTINUITY`) worked out in SQL
    as for one voice, with ``voices``: how many actors coded a position in it.

    Where at most one voice coded a position, the group rule's labels are this module's (a property test holds them
    equal), and so are the figures group_line works out from them: the line is every first, reaffirmed or shifted
    statement; the current positions those of its latest period (with every line period overlapping it); held since
    the latest first or shifted statement of the single current position, else its earliest; reaffirmations of it
    since then. Judging a million statements' series this way is SQL seconds instead of the rule's Python minute,
    so the standings' upkeep (lib/derived.py) runs the rule (``stance.standing_rows``) over the series of several
    voices alone. Columns: those of ``series_standings`` and voices.
    """
    return con.execute(
        """with continuity as (select * from scope_continuity),
        labelled as (
            select series_actor_id, topic_id, actor_id, stated_on, date_precision, period_end, position_code, continuity,
                   continuity in ('first', 'reaffirmed', 'shifted') as member
            from continuity
        ),
        window_start as (
            -- the line's latest period: the earliest start among its statements ending last
            select series_actor_id, topic_id, arg_min(stated_on, (-epoch(period_end), stated_on)) as since
            from labelled where member group by all
        ),
        held_now as (
            select l.series_actor_id, l.topic_id, list(distinct l.position_code order by l.position_code) as current_positions
            from labelled l join window_start w using (series_actor_id, topic_id)
            where l.member and l.period_end >= w.since group by all
        ),
        taken as (
            select l.series_actor_id, l.topic_id,
                   coalesce(max({'d': l.stated_on, 'p': l.date_precision}) filter (where l.continuity in ('first', 'shifted')),
                            min({'d': l.stated_on, 'p': l.date_precision})) as since
            from labelled l join held_now h using (series_actor_id, topic_id)
            where l.member and len(h.current_positions) = 1 and l.position_code = h.current_positions[1] group by all
        ),
        reaffirmed as (
            select l.series_actor_id, l.topic_id, count(*) as reaffirmations
            from labelled l join held_now h using (series_actor_id, topic_id) join taken t using (series_actor_id, topic_id)
            where l.continuity = 'reaffirmed' and l.position_code = h.current_positions[1] and l.stated_on >= t.since.d
            group by all
        ),
        totals as (
            select series_actor_id, topic_id, count(*) as statements,
                   count(distinct actor_id) filter (where position_code is not null) as voices,
                   count(*) filter (where continuity = 'shifted') as shifts,
                   max({'d': stated_on, 'p': date_precision}) as last_said
            from labelled group by all
        )
        select n.series_actor_id, n.topic_id, $inherit as inherit, n.statements,
               coalesce(h.current_positions, []::varchar[]) as current_positions,
               t.since.d as held_since, t.since.p as held_since_precision, n.shifts::integer as shifts,
               0::integer as divergent, coalesce(r.reaffirmations, 0)::integer as reaffirmations,
               n.last_said.d as last_statement_on, n.last_said.p as last_statement_precision, n.voices
        from totals n
        left join held_now h using (series_actor_id, topic_id)
        left join taken t using (series_actor_id, topic_id)
        left join reaffirmed r using (series_actor_id, topic_id)
        order by n.series_actor_id, n.topic_id
        """,
        {"inherit": inherit},
    ).to_arrow_table()


STANDINGS_SCOPE_SQL = """
    create or replace temp table standings_scope as
    with recursive
    written as (select table_name, row_key from written_keys where table_name in ('statements', 'actors')),
    was as (
        -- where the written statements sat and the written actors hung before this write, from their audited values
        -- before (this write's audit rows among them; earlier versions only add series to judge again). A former row
        -- may list only the columns that changed: a column it leaves out had its current value
        select a.table_name, a.row_key,
               coalesce(a.before->>'actor_id', s.actor_id) as actor_id, coalesce(a.before->>'topic_id', s.topic_id) as topic_id,
               case when json_exists(a.before, '$.parent_actor_id') then a.before->>'parent_actor_id'
                    else p.parent_actor_id end as parent_actor_id
        from audit_log a semi join written w on w.table_name = a.table_name and w.row_key = a.row_key
        left join statements s on a.table_name = 'statements' and s.statement_id = a.row_key
        left join actors p on a.table_name = 'actors' and p.actor_id = a.row_key
        where a.before is not null
    ),
    edges as (
        -- every parent link now, and every one a written actor had before
        select actor_id, parent_actor_id from actors where parent_actor_id is not null
        union select actor_id, parent_actor_id from was where table_name = 'actors' and parent_actor_id is not null
    ),
    said as (
        -- the (speaker, topic) pairs whose statements this write changed, as they are now and as they were
        select actor_id, topic_id from statements
        where statement_id in (select row_key from written where table_name = 'statements')
        union select actor_id, topic_id from was where table_name = 'statements' and actor_id is not null and topic_id is not null
    ),
    moved as (
        -- the written actors whose parent changed (or that are gone): a renamed actor moves no statement
        select w.row_key as actor_id from written w left join actors a on a.actor_id = w.row_key
        where w.table_name = 'actors'
          and (a.actor_id is null or exists (select 1 from was v where v.table_name = 'actors' and v.row_key = w.row_key
                                                                   and v.parent_actor_id is distinct from a.parent_actor_id))
    ),
    below(moved_actor_id, actor_id) as (
        -- each moved actor and its descendants, under any link now or before
        select actor_id, actor_id from moved
        union select b.moved_actor_id, e.actor_id from below b join edges e on e.parent_actor_id = b.actor_id
    ),
    up(series_actor_id, topic_id) as (
        -- with inherit, a series holds its descendants' statements: the speakers' series and every ancestor's on the
        -- topic, and the ancestors (now and before) of a moved actor on every topic its subtree spoke on
        select * from (
            select actor_id, topic_id from said
            union select e.parent_actor_id, s.topic_id
            from below b join statements s on s.actor_id = b.actor_id join edges e on e.actor_id = b.moved_actor_id)
        union select e.parent_actor_id, u.topic_id from up u join edges e on e.actor_id = u.series_actor_id
    )
    select series_actor_id, topic_id, true as inherit from up
    union all select actor_id, topic_id, false from said
"""
"""The temp table ``standings_scope(series_actor_id, topic_id, inherit)``: every series whose standing a write may have
changed, from the keys it wrote (``written_keys``: statements and actors). A statement bears on its speaker's series
on its topic and, with inherit, on every ancestor's; an actor's parent on its ancestors' series, before and after."""


def kept_standings(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool,
                   limit: int) -> tuple[int, list[dict[str, object]]]:
    """The kept standings of the busiest series (the series :func:`busiest_series` names, in its order) and how many
    series there are in all.

    Columns: series_actor_id, topic_id, statements, current_positions, held_since, held_since_precision, shifts,
    divergent, reaffirmations, last_statement_on, last_statement_precision.
    """
    # the count by a scalar subquery, not ``count(*) over ()``: DuckDB 1.5.5's window operator, run from two cursors of
    # one connection at once (a page and the warm-up), failed "Attempted to access index 0 within vector of size 0" and
    # invalidated the database (reproduced: three threads on the seed store within 90 s; this form: 10,027 runs, none)
    cursor = con.execute(
        """
        with kept as materialized (
        select k.series_actor_id, k.topic_id, k.statements, k.current_positions, k.held_since, k.held_since_precision,
               k.shifts, k.divergent, k.reaffirmations, k.last_statement_on, k.last_statement_precision
        from series_standings k join actors a on a.actor_id = k.series_actor_id
        where k.inherit = $inherit
          and ($actors::varchar[] is null or k.series_actor_id in (select unnest($actors::varchar[])))
          and ($topics::varchar[] is null or k.topic_id in (select unnest($topics::varchar[])))
          -- with inherit a series is a top-level actor of those given, counting its descendants (busiest_series)
          and (not $inherit or a.parent_actor_id is null
               or ($actors::varchar[] is not null and a.parent_actor_id not in (select unnest($actors::varchar[])))))
        select *, (select count(*) from kept) as total from kept k
        order by k.statements desc, k.series_actor_id, k.topic_id limit $limit
        """,
        {"actors": actors, "topics": topics, "inherit": inherit, "limit": limit},
    )
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return (rows[0]["total"] if rows else 0), [{k: v for k, v in r.items() if k != "total"} for r in rows]


def kept_lines(con: duckdb.DuckDBPyConnection, actors: list[str], topics: list[str], inherit: bool) -> list[dict[str, object]]:
    """The kept standing (``series_standings``) of each series of these actors on these topics, with what its card
    adds, counted from its statements' kept labels (``series_labels``): in (actor, topic) order, the series that have
    statements, as ``stance.positions_held`` judges them.

    The card figures without a judgement at page open (at 10M events the default view's three series hold 63k
    statements: judging them took 2.9 s CPU). Columns: those of ``series_standings`` but inherit and divergent, and
    voices (actors who said anything), reaffirmations_total, last_shift (a struct of d: start, p: precision, e: end,
    the latest by start then precision, or None), positions (the line's position runs: each first or shifted
    statement's position, and a reaffirmation's with nothing before it, in the line's order), divergent and pending
    (structs of statement_id, actor_id, stated_on, date_precision, position_code, in the line's order).
    """
    cursor = con.execute(
        f"""
        with labelled as (
            select l.series_actor_id, l.topic_id, l.statement_id, l.continuity, l.previous_positions, s.actor_id,
                   s.stated_on, s.date_precision, s.position_code, {PERIOD_END['s']} as period_end
            from series_labels l join statements s using (statement_id)
            where l.inherit = $inherit and l.series_actor_id in (select unnest($actors::varchar[]))
              and l.topic_id in (select unnest($topics::varchar[]))
        ),
        counted as (
            select series_actor_id, topic_id, count(distinct actor_id) as voices,
                   count(*) filter (where continuity = 'reaffirmed') as reaffirmations_total,
                   max({{'d': stated_on, 'p': date_precision, 'e': period_end}}) filter (where continuity = 'shifted')
                       as last_shift,
                   coalesce(list(position_code order by period_end, stated_on, statement_id) filter (
                       where continuity in ('first', 'shifted') or (continuity = 'reaffirmed' and len(previous_positions) = 0)),
                       []) as positions,
                   {_voices_list("divergent")} as divergent,
                   {_voices_list("pending")} as pending
            from labelled group by all
        )
        select k.series_actor_id, k.topic_id, k.statements, k.current_positions, k.held_since, k.held_since_precision,
               k.shifts, k.reaffirmations, k.last_statement_on, k.last_statement_precision, c.* exclude (series_actor_id, topic_id)
        from series_standings k join counted c using (series_actor_id, topic_id)
        where k.inherit = $inherit
        order by k.series_actor_id, k.topic_id
        """,
        {"actors": actors, "topics": topics, "inherit": inherit},
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _voices_list(label: str) -> str:
    """SQL for the statements of a series labelled ``label`` (from an allow-list: divergent, pending) as structs, in the
    line's order."""
    assert label in ("divergent", "pending")
    return (f"coalesce(list({{'statement_id': statement_id, 'actor_id': actor_id, 'stated_on': stated_on, "
            f"'date_precision': date_precision, 'position_code': position_code}} order by period_end, stated_on, statement_id) "
            f"filter (where continuity = '{label}'), [])")


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


def reported_shifts(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool,
                    newest: int | None = None) -> pd.DataFrame:
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
    reports_shift (asserts no position, or one the record around it does not hold), newest (among the
    ``newest`` latest claimed, in the order of the rows: later series and claim ids first among one date).

    With ``newest``, only those claims and each series' latest reported shift (latest ending, however old)
    are returned, with ``attrs['total']`` counting every claim: what the Stances page shows of a busy view
    (63k claims at 10M events), whose outlets, grades and position lists are then looked up for a thousand
    rows, not for all.
    """
    rows = con.execute(
        SERIES_CTE
        + """,
        above(series_actor_id, actor_id) as (
            select actor_id, parent_actor_id from actors
            where $inherit and parent_actor_id is not null
              and ($actors::varchar[] is null or actor_id in (select unnest($actors::varchar[])))
            union
            select u.series_actor_id, a.parent_actor_id from above u join actors a on a.actor_id = u.actor_id
            where a.parent_actor_id is not null
        ),
        placed as (
            select t.series_actor_id, c.topic_id, c.claim_id, c.claimed_on, c.date_precision,
                   case c.date_precision when 'day' then c.claimed_on when 'month' then last_day(c.claimed_on)
                        else make_date(year(c.claimed_on), 12, 31) end as claim_end,
                   c.text, c.subject_actor_id, c.asserted_position_code, c.document_id
            from claims c join (select * from tree union select * from above) t on t.actor_id = c.subject_actor_id
            where $topics::varchar[] is null or c.topic_id in (select unnest($topics::varchar[]))
        ),
        status as (
            select claim_id,
                   case when bool_or(relation = 'corroborates') and bool_or(relation = 'contradicts') then 'contested'
                        when bool_or(relation = 'corroborates') then 'corroborated'
                        else 'contradicted' end as status
            from evidence where claim_id in (select claim_id from placed) group by claim_id  -- not every claim's
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
        during as (
            -- the positions of the spans overlapping the claim's period. A period lies within one calendar year, a
            -- day's or a month's within one month: so a claim meets only the month-long-or-shorter spans of the
            -- months it covers (one; twelve for a year-precision claim) and the longer spans of its year. Equality
            -- joins on those buckets, the dates checked within a bucket: the range join on the dates alone (each
            -- series laid 4M days apart on one number line) took 1.4 s of this query's 1.6 s at 1M events, and the
            -- series alone as keys paired every claim with every statement of its series (29M pairs at 10M events)
            select series_actor_id, topic_id, claim_id, bit_or(mask) as during_mask
            from (
                select p.series_actor_id, p.topic_id, p.claim_id, s.mask
                from (select *, unnest(generate_series(date_trunc('month', claimed_on), claim_end, interval 1 month))::date as month
                      from placed) p
                join spans s on s.series_actor_id = p.series_actor_id and s.topic_id = p.topic_id
                 and date_trunc('month', s.stated_on) = p.month and date_trunc('month', s.period_end) = p.month
                 and s.stated_on <= p.claim_end and s.period_end >= p.claimed_on
                union all
                select p.series_actor_id, p.topic_id, p.claim_id, s.mask
                from placed p
                join spans s on s.series_actor_id = p.series_actor_id and s.topic_id = p.topic_id
                 and year(s.stated_on) = year(p.claimed_on) and date_trunc('month', s.stated_on) <> date_trunc('month', s.period_end)
                 and s.stated_on <= p.claim_end and s.period_end >= p.claimed_on
            )
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
        ),
        judged as (
            -- reports_shift on the bit sets (the first of before, during, after that the record holds), so that
            -- position lists are made only for the rows returned
            select r.*, r.asserted_position_code is null
                        or not coalesce(case when r.before_mask is not null then (r.before_mask & k.bit) <> 0
                                             when r.during_mask is not null then (r.during_mask & k.bit) <> 0
                                             else list_contains(r.after_positions, r.asserted_position_code) end, false)
                   as reports_shift
            from around r left join codes k on k.topic_id = r.topic_id and k.position_code = r.asserted_position_code
        ),
        kept as (
            select * from (
                select j.*, count(*) over () as total,
                       $newest::integer is null
                         or row_number() over (order by j.claimed_on desc, j.series_actor_id desc, j.claim_id desc) <= $newest
                         as newest,
                       j.reports_shift and row_number() over (
                           partition by j.series_actor_id, j.topic_id, j.reports_shift
                           order by j.claim_end desc, j.claimed_on desc, j.claim_id desc) = 1 as latest_shift
                from judged j)
            where newest or latest_shift
        )
        select a.series_actor_id, a.topic_id, a.claim_id, a.claimed_on, a.date_precision, a.claim_end, a.text,
               a.subject_actor_id, a.asserted_position_code, a.document_id, coalesce(st.status, 'open') as status,
               """ + _positions_of("a.before_mask", "a.topic_id") + """ as before_positions,
               """ + _positions_of("a.during_mask", "a.topic_id") + """ as during_positions,
               a.after_positions, a.reports_shift, a.newest, a.total
        from kept a
        left join status st using (claim_id)
        order by a.series_actor_id, a.claimed_on, a.claim_id
        """,
        series_params(actors, topics, inherit) | {"newest": newest},
    ).df()
    return _with_outlets(con, rows, "status")


def _with_outlets(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, before: str | None = None) -> pd.DataFrame:
    """``rows`` with ``source_id`` and ``grade`` (the analyst's) of their ``document_id``, before column ``before`` (else
    last), and ``attrs['total']`` from their ``total`` column (dropped) where they have one.

    A second query on the ids in hand: joined in the statement, DuckDB took the few rows for many and hashed the
    documents table instead (4.5M rows, 4 s of a 9 s query at 10M events).
    """
    outlets = con.execute("select d.document_id, d.source_id, src.analyst_grade as grade from documents d "
                          "left join sources src on src.source_id = d.source_id "
                          "where d.document_id in (select unnest($ids::varchar[]))",
                          {"ids": rows.document_id.dropna().unique().tolist()}).df()
    found = rows[["document_id"]].merge(outlets, on="document_id", how="left")
    total = (int(rows.total.iloc[0]) if len(rows) else 0) if "total" in rows else len(rows)
    rows = rows.drop(columns="total", errors="ignore")
    at = rows.columns.get_loc(before) if before else len(rows.columns)
    rows.insert(at, "grade", found.grade.to_numpy())
    rows.insert(at, "source_id", found.source_id.to_numpy())
    rows.attrs["total"] = total
    return rows


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
        , counted as materialized (  -- the total by a scalar subquery, not a window: see kept_standings
            select t.series_actor_id, s.topic_id, count(*) as n
            from statements s join tree t using (actor_id)
            where $topics::varchar[] is null or s.topic_id in (select unnest($topics::varchar[]))
            group by all)
        select series_actor_id, topic_id, (select count(*) from counted) as total
        from counted order by n desc, series_actor_id, topic_id limit $limit
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
    newest = con.execute(f"select s.statement_id, s.actor_id, s.topic_id {open_shifts} order by {PERIOD_END['s']} desc, "
                         "s.stated_on desc, s.statement_id limit ?", [limit]).fetchall()
    shown = con.execute(
        SERIES_CTE
        + """
        select c.statement_id, c.actor_id, c.topic_id, c.stated_on, c.date_precision, c.position_code,
               """ + _positions_of("c.previous_mask", "c.topic_id") + """ as previous_positions, c.quote
        from continuity c
        where c.statement_id in (select unnest($ids::varchar[]))
        order by c.period_end desc, c.stated_on desc, c.statement_id
        """,
        series_params(sorted({r[1] for r in newest}), sorted({r[2] for r in newest}), False) | {"ids": [r[0] for r in newest]},
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


def shown_statements(con: duckdb.DuckDBPyConnection, actors: list[str], topics: list[str], inherit: bool, filters: Filters,
                     limit: int) -> pd.DataFrame:
    """The newest ``limit`` statements of the chosen series that ``filters`` show (dates, sources, text: ``shown`` of
    :func:`statement_continuity`), with what the Stances table and chart print of them, in that function's order;
    ``attrs['total']`` counts every statement shown.

    The Stances page's rows: its labels on the series' line (judged over the whole history by the group rule) are
    read from ``series_labels``, kept at write time (lib/derived.py): judging the default view's 63k statements at
    10M events took 2 s CPU of the page's first open. Quotes, sources and grades are read for the statements it
    lists alone. Among statements of one date the later in that order are kept, as ``stance.newest`` keeps them.
    Columns: series_actor_id, topic_id, statement_id, actor_id, stated_on, date_precision, period_end, position_code,
    position_label, ordinal, self_declared, own_continuity, quote, attribution, document_id, source_id, grade,
    continuity, previous_positions (what the line held before the statement: a list).
    """
    params = series_params(actors, topics, inherit) | {
        "date_from": filters.date_from, "date_to": filters.date_to, "sources": list(filters.sources) or None,
        "text": f"%{filters.text}%" if filters.text else None, "limit": limit,
    }
    rows = con.execute(
        SERIES_CTE
        + """,
        shown as (
            select s.series_actor_id, s.topic_id, s.statement_id, s.actor_id, s.stated_on, s.date_precision, s.period_end,
                   s.position_code, s.self_declared, s.own_continuity, s.quote, s.attribution, s.document_id,
                   count(*) over () as total
            from said s
            where ($date_from::date is null or s.period_end >= $date_from::date)
              and ($date_to::date is null or s.stated_on <= $date_to::date)
              and ($sources::varchar[] is null or s.document_id in (
                  select document_id from documents where source_id in (select unnest($sources::varchar[]))))
              and ($text::varchar is null or s.quote ilike $text::varchar)
            order by s.stated_on desc, s.series_actor_id desc, s.topic_id desc, s.period_end desc, s.statement_id desc
            limit $limit
        )
        select c.series_actor_id, c.topic_id, c.statement_id, c.actor_id, c.stated_on, c.date_precision, c.period_end,
               c.position_code, p.label as position_label, p.ordinal, c.self_declared, c.own_continuity, c.quote,
               c.attribution, c.document_id, l.continuity, l.previous_positions, c.total
        from shown c
        left join positions p on p.topic_id = c.topic_id and p.position_code = c.position_code
        left join series_labels l on l.inherit = $inherit and l.series_actor_id = c.series_actor_id
         and l.topic_id = c.topic_id and l.statement_id = c.statement_id
        order by c.series_actor_id, c.topic_id, c.period_end, c.stated_on, c.statement_id
        """,
        params,
    ).df()
    rows["previous_positions"] = pd.Series([list(p) for p in rows.previous_positions], index=rows.index, dtype=object)
    return _with_outlets(con, rows, "continuity")
