"""The upkeep of derived data: what follows the rows a write changed, before its transaction commits.

Derived columns and tables let pages answer at 1M-10M rows without recomputing
on every filter change: ``statements.own_continuity`` (each series' history),
the link counts ``event_actor_days`` and ``event_actor_months`` (density by
actor lane), ``timeline_actor_months`` (the Timeline's opening view), the sidebar's ``source_document_counts`` and
``event_type_counts``, the full-text index, each claim's judgement (``claim_judgements``) with each source's sums and
letter, each series' standing (``series_standings``) and each statement's label on its series' line
(``series_labels``, judged with the standings). ``store.transaction`` calls
:func:`refresh` with the tables written; a bulk writer that keeps one current
itself (``link_counts_follow``, ``add_month_links``, ``refresh_own_continuity``
for the series it touched) says so with ``Audit.keeps_current``.

This module reads the store and the features' SQL (the series rule, the search
index, which needs the store's extension loading), so lib/store.py imports it
at call time, its only import of that kind (tests/unit/test_architecture.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa

from lib import store
from lib.phrases import flags
from lib.phrases_v6 import declared_v6
from lib.search import index
from lib.sources import judgements, reliability
from lib.stances import continuity, stance
from lib.stances.continuity import SERIES_CTE, series_params

_LINK_COUNTS_OF = """select ea.actor_id, e.occurred_on, e.date_precision, {sign} count(*) as links
                     from events e join event_actors ea on ea.event_id = e.event_id
                     where e.event_id in (select event_id from link_counts_events) group by all"""


def refresh(con: duckdb.DuckDBPyConnection, touched: set[str], kept_current: frozenset[str] | set[str] = frozenset(),
            unkeyed: frozenset[str] | set[str] = frozenset()) -> None:
    """Bring derived columns and tables in step with what the transaction wrote, before it commits (``store.transaction``).

    They let the Timeline answer at 1M-10M rows without recomputing on every
    filter change: statements.own_continuity (each series' history: 0.9 s at
    1M statements) and the link counts event_actor_days and event_actor_months
    (density by actor lane: 1.2 s at 10M events for all dates), the full-text
    index and the claims' judgements (for the written rows alone: ``written_keys``;
    judging every claim takes 10.5 s at 1M claims). A write of those tables pays
    the refresh instead.
    """
    if store.SEARCH_INDEX not in kept_current:
        index.refresh(con, touched, set(unkeyed))
    if "statements" in touched and store.OWN_CONTINUITY not in kept_current:
        refresh_own_continuity(con)
    if touched & {"events", "event_actors"} and store.LINK_COUNTS not in kept_current:
        rebuild_event_actor_counts(con)
    columns = {kind for kind, tables in _MONTH_COUNTED_FROM.items() if touched & tables}
    if store.LINK_COUNTS in kept_current:  # the writer's add_month_links moved the events column with the link counts
        columns.discard("events")
    follow_timeline_months(con, columns, set(unkeyed))
    recount_sidebar_counts(con, touched, set(unkeyed))
    if store.JUDGEMENTS not in kept_current:
        judgements.refresh(con, touched, set(unkeyed))
    letter_totals(con)
    if touched & STANDING_INPUTS and store.STANDINGS not in kept_current:
        refresh_standings(con, set(unkeyed))


def add_month_links(con: duckdb.DuckDBPyConnection, days_table: str) -> None:
    """Add the per-day link counts in ``days_table`` (actor_id, occurred_on, links; a temp table of ours) to
    event_actor_months, and the same to the events column of timeline_actor_months (so that :func:`refresh` need not
    recount it: 0.2 s at 10M events). MERGE rather than ``on conflict``: the team store has no key to conflict on."""
    con.execute(f"""create or replace temp table month_links_change as
                    select actor_id, date_trunc('month', occurred_on)::date as month, sum(links)::bigint as links
                    from {days_table} group by all""")
    con.execute("""merge into event_actor_months m using month_links_change d
                   on m.actor_id = d.actor_id and m.month = d.month
                   when matched then update set links = m.links + d.links
                   when not matched then insert values (d.actor_id, d.month, d.links)""")
    con.execute("""merge into timeline_actor_months m using month_links_change d
                   on m.actor_id is not distinct from d.actor_id and m.month = d.month
                   when matched then update set events = m.events + d.links
                   when not matched then insert (actor_id, month, events, statements, claims) values (d.actor_id, d.month, d.links, 0, 0)""")
    con.execute("delete from timeline_actor_months where events = 0 and statements = 0 and claims = 0")
    con.execute("drop table month_links_change")


@contextmanager
def link_counts_follow(con: duckdb.DuckDBPyConnection, events_sql: str) -> Iterator[None]:
    """Keep event_actor_days and event_actor_months exact across a write of the events ``events_sql`` selects (one
    column, event_id: a query of the writer's own staged table, not data) and their actor links only.

    Their links are counted before and after the write and the difference is
    appended (a key may repeat, readers sum), instead of recounting every link:
    a curated edit on a store of 10M events costs milliseconds, not the 5 s of a
    rebuild. The events are kept in a temp table first (a list of 100,000 ids bound as a parameter cost 0.15 s a
    count). Call inside store.transaction and tell it ``keeps_current(store.LINK_COUNTS)``.
    """
    con.execute(f"create or replace temp table link_counts_events as select distinct event_id from ({events_sql})")
    con.execute(f"create or replace temp table link_counts_change as {_LINK_COUNTS_OF.format(sign='-')}")
    yield
    con.execute(f"insert into link_counts_change {_LINK_COUNTS_OF.format(sign='')}")
    con.execute("""create or replace temp table link_counts_net as
                   select actor_id, occurred_on, date_precision, sum(links)::bigint as links from link_counts_change
                   group by all having sum(links) <> 0""")
    con.execute("insert into event_actor_days select * from link_counts_net")
    add_month_links(con, "link_counts_net")
    con.execute("delete from event_actor_months where links = 0")
    con.execute("drop table link_counts_events; drop table link_counts_change; drop table link_counts_net")


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


_MONTH_COUNTS = {
    "events": "select actor_id, month, sum(links) as n from event_actor_months group by all",
    "statements": "select actor_id, date_trunc('month', stated_on)::date as month, count(*) as n from statements group by all",
    "claims": "select subject_actor_id as actor_id, date_trunc('month', claimed_on)::date as month, count(*) as n from claims group by all",
}
"""Each column of timeline_actor_months as a count (a column name from this allow-list only)."""
_MONTH_COUNTED_FROM = {"events": {"events", "event_actors"}, "statements": {"statements"}, "claims": {"claims"}}
"""The tables whose writes move each column."""


def recount_timeline_months(con: duckdb.DuckDBPyConnection, columns: set[str]) -> None:
    """Recount these columns of timeline_actor_months (the Timeline's opening density) whole: events from
    event_actor_months (current by then: a group-by of its 360,000 rows at 10M events, not of the links), statements and
    claims from their tables. For an upgrade, a rebuild of the link counts and a write without row keys; a keyed write
    of statements or claims recounts only the months it moved (:func:`follow_timeline_months`). MERGE, not ``on
    conflict``: the team store has no key; ``is not distinct from`` matches claims without a subject."""
    for column in sorted(columns):
        con.execute(f"update timeline_actor_months set {column} = 0 where {column} <> 0")
        _merge_month_counts(con, column, _MONTH_COUNTS[column])
    if columns:
        con.execute("delete from timeline_actor_months where events = 0 and statements = 0 and claims = 0")


_SIDEBAR_COUNTS = {
    # kept table: (its key, the counted table, that table's row key)
    "source_document_counts": ("source_id", "documents", "document_id"),
    "event_type_counts": ("event_type", "events", "event_id"),
}
"""The sidebar's kept counts (schema 14): documents per source and events per event type (names from this allow-list only)."""


def recount_sidebar_counts(con: duckdb.DuckDBPyConnection, touched: set[str], unkeyed: set[str]) -> None:
    """Recount the documents of each source and the events of each event type that this transaction's rows name.

    The keys counted anew are those the written rows hold now and those their audited former rows held (this write's
    audit rows among them; earlier versions only add keys to recount: a deleted document's source is in its former
    row): each is recounted from its table and its row replaced, so a write of a few documents counts a few sources (a
    filtered scan of one column), not every document (0.28 s CPU at 4.5M documents). A write of the table without
    row keys (an upgrade, the synthetic generator) recounts every key.
    """
    for kept, (key, table, item) in _SIDEBAR_COUNTS.items():
        if table not in touched:
            continue
        if table in unkeyed:
            con.execute(f"delete from {kept}")
            con.execute(f"insert into {kept} select {key}, count(*) from {table} group by all")
            continue
        keys = [k for (k,) in con.execute(f"""
            with written as (select row_key from written_keys where table_name = '{table}')
            select {key} from {table} where {item} in (select row_key from written)
            union select a.before->>'{key}' from audit_log a
            where a.table_name = '{table}' and a.before is not null and a.row_key in (select row_key from written)""").fetchall()
            if k is not None]
        if keys:
            # the keys as constants: a semi join with them probed all 4.5M documents (0.19 s CPU for one source)
            listed = f"({', '.join('?' * len(keys))})"
            con.execute(f"delete from {kept} where {key} in {listed}", keys)
            con.execute(f"insert into {kept} select {key}, count(*) from {table} where {key} in {listed} group by all", keys)


def letter_totals(con: duckdb.DuckDBPyConnection) -> None:
    """Give each source's sums summed anew (no ``derived_grade`` yet: ``judgements.sum_totals``) the letter they earn.

    A write that judged a few claims letters their outlets (a scan of 10,000 rows at 10M events finds them); the
    interval, and scipy, only for those with enough judged claims (``reliability.derived_letters``).
    """
    rows = con.execute(f"select source_id, corroborated, contradicted from {judgements.TOTALS} where derived_grade is null").df()
    if not len(rows):
        return
    con.register("lettered", pa.table({"source_id": rows.source_id, "letter": reliability.derived_letters(rows.corroborated, rows.contradicted)}))
    try:
        con.execute(f"update {judgements.TOTALS} t set derived_grade = l.letter from lettered l where t.source_id = l.source_id")
    finally:
        con.unregister("lettered")


def _merge_month_counts(con: duckdb.DuckDBPyConnection, column: str, counts_sql: str) -> None:
    """Set ``column`` of timeline_actor_months to the counts ``counts_sql`` gives (actor_id, month, n), adding missing rows."""
    con.execute(f"""merge into timeline_actor_months m using ({counts_sql}) d
                    on m.actor_id is not distinct from d.actor_id and m.month = d.month
                    when matched then update set {column} = d.n
                    when not matched then insert (actor_id, month, events, statements, claims)
                        values (d.actor_id, d.month, {", ".join("d.n" if c == column else "0" for c in _MONTH_COUNTS)})""")


_MONTH_ITEMS = {"statements": ("statement_id", "actor_id", "stated_on"), "claims": ("claim_id", "subject_actor_id", "claimed_on")}
"""The statements and claims columns of timeline_actor_months: the item table (the column's name), its key, the actor
column and the date column counted."""

_MOVED_MONTHS = """
    create or replace temp table months_moved as
    with written as (select row_key from written_keys where table_name = '{table}')
    select distinct actor_id, month from (
        select {actor} as actor_id, date_trunc('month', {day})::date as month from {table}
        where {key} in (select row_key from written)
        union all
        -- where the written rows sat before this write, from their audited values before (earlier versions only add months
        -- to recount); a former row may list only the columns that changed: one it leaves out had its current value
        select case when json_exists(a.before, '$.{actor}') then a.before->>'{actor}' else t.{actor} end,
               date_trunc('month', case when json_exists(a.before, '$.{day}') then try_cast(left(a.before->>'{day}', 10) as date)
                                        else t.{day} end)::date
        from audit_log a semi join written w on w.row_key = a.row_key
        left join {table} t on t.{key} = a.row_key
        where a.table_name = '{table}' and a.before is not null)
    where month is not null
"""
"""The temp table ``months_moved(actor_id, month)``: every month of an actor whose count of ``table`` a keyed write may
have changed, as its written rows sit now and as they sat before."""


def follow_timeline_months(con: duckdb.DuckDBPyConnection, columns: set[str], unkeyed: set[str]) -> None:
    """Bring these columns of timeline_actor_months in step with a write (``refresh``): statements and claims written with
    their keys (``written_keys``) recount only the actor months those rows sat in before and after the write, counted
    from the table (a bundle of 1,000 statements on a store of 1M: one scan of the statements, not a group-by of them
    all and a MERGE of 360,000 rows); events, and a table written without keys, are recounted whole."""
    whole = {c for c in columns if c not in _MONTH_ITEMS or c in unkeyed}
    recount_timeline_months(con, whole)
    for column in sorted(columns - whole):
        key, actor, day = _MONTH_ITEMS[column]
        con.execute(_MOVED_MONTHS.format(table=column, key=key, actor=actor, day=day))
        _merge_month_counts(con, column, f"""select m.actor_id, m.month, count(t.{key}) as n from months_moved m
                                             left join {column} t on t.{actor} is not distinct from m.actor_id
                                                 and date_trunc('month', t.{day}) = m.month
                                             group by all""")
        con.execute("""delete from timeline_actor_months t using months_moved m
                       where t.actor_id is not distinct from m.actor_id and t.month = m.month
                         and t.events = 0 and t.statements = 0 and t.claims = 0""")
        con.execute("drop table months_moved")


def refresh_own_continuity(con: duckdb.DuckDBPyConnection, actors: list[str] | None = None, topics: list[str] | None = None) -> None:
    """Write each statement's label against its own actor's record into statements.own_continuity.

    Called by store.transaction whenever statements were written (every series),
    and by a bundle for the series it wrote (``actors`` by ``topics``, see
    ``continuity.statement_series``); only rows whose label changed are updated.
    """
    con.execute(
        SERIES_CTE
        + """
        , labels as (select statement_id, continuity from continuity where series_actor_id = actor_id)
        update statements set own_continuity = labels.continuity
        from labels
        where statements.statement_id = labels.statement_id and statements.own_continuity is distinct from labels.continuity
        """,
        series_params(actors, topics, False),
    )


STANDING_INPUTS = frozenset({"statements", "actors"})
"""The tables a series' standing reads: its statements, and the actor tree that folds descendants into a series."""
STANDINGS_CHUNK = 250_000
"""Statements judged at a time when many series are judged anew (an upgrade, a large import): 1M statements with
their series rows in pandas would not fit the dashboard's memory."""


_JUDGED = """create or replace temp table standings_judged as select * from series_standings limit 0;
             create or replace temp table labels_judged as select * from series_labels limit 0"""
_KEPT = {"series_standings": "standings_judged", "series_labels": "labels_judged"}
"""Each kept table and the temp table its rows are judged into."""


def refresh_standings(con: duckdb.DuckDBPyConnection, unkeyed: set[str]) -> None:
    """Judge anew the standing of every series this transaction's statements or actor links bear on (store.transaction).

    The series come from the written keys (``continuity.STANDINGS_SCOPE_SQL``): the statements' series as they are
    and as they were, with every ancestor's on their topics; the ancestors, before and after, of an actor whose
    parent changed. A write of them without row keys (the synthetic generator) judges every series.
    """
    if unkeyed & STANDING_INPUTS:
        rebuild_standings(con)
        return
    con.execute(continuity.STANDINGS_SCOPE_SQL)
    con.execute(_JUDGED)
    for inherit in (True, False):
        series = sorted(con.execute("select distinct series_actor_id, topic_id from standings_scope where inherit = ?",
                                    [inherit]).fetchall())
        if series:
            _judge_standings(con, series, inherit)
    con.execute("""delete from series_standings k using standings_scope c
                   where k.series_actor_id = c.series_actor_id and k.topic_id = c.topic_id and k.inherit = c.inherit""")
    con.execute("insert into series_standings by name select * from standings_judged")
    # the labels whose value changed alone: a statement added to a busy series relabels a few of its 63k statements
    # (10M events), and rewriting all of them made every such write commit 126k rows
    con.execute("""create or replace temp table labels_was as
                   select k.* from series_labels k semi join standings_scope c
                   on k.series_actor_id = c.series_actor_id and k.topic_id = c.topic_id and k.inherit = c.inherit""")
    con.execute("""delete from series_labels k using (select * from labels_was except select * from labels_judged) g
                   where k.series_actor_id = g.series_actor_id and k.topic_id = g.topic_id and k.inherit = g.inherit
                     and k.statement_id = g.statement_id""")
    con.execute("insert into series_labels by name select * from labels_judged except select * from labels_was")
    con.execute("drop table standings_scope; drop table standings_judged; drop table labels_judged; drop table labels_was")


def rebuild_standings(con: duckdb.DuckDBPyConnection) -> None:
    """Judge the standing of every series and its statements' labels in both modes anew (the upgrades to schema 11
    and 13, a write without row keys)."""
    con.execute(_JUDGED)
    for inherit in (True, False):
        _judge_standings(con, None, inherit)
    for kept, judged in _KEPT.items():
        con.execute(f"delete from {kept}")
        con.execute(f"insert into {kept} by name select * from {judged}")
    con.execute("drop table standings_judged; drop table labels_judged")


def _judge_standings(con: duckdb.DuckDBPyConnection, series: list[tuple[str, str]] | None, inherit: bool) -> None:
    """Add the standings of these series (None: every series) to the temp table ``standings_judged`` and their
    statements' labels to ``labels_judged``: worked out in SQL where one voice at most coded a position, by the group
    rule in Python for the rest, a part of at most STANDINGS_CHUNK statements at a time (a series larger than that
    alone)."""
    con.execute("create or replace temp table scope_continuity as " + continuity.SCOPE_CONTINUITY,
                continuity.pairs_params(series, inherit))
    con.execute("insert into labels_judged by name " + continuity.ONE_VOICE_LABELS, {"inherit": inherit})
    worked_out = continuity.one_voice_standings(con, inherit)
    con.execute("drop table scope_continuity")
    con.register("standings_part", worked_out)
    try:
        con.execute("insert into standings_judged by name select * exclude (voices) from standings_part where voices <= 1")
        several = con.execute("select series_actor_id, topic_id, statements from standings_part where voices > 1 "
                              "order by series_actor_id, topic_id").fetchall()
    finally:
        con.unregister("standings_part")
    parts: list[list[tuple[str, str]]] = [[]]
    size = 0
    for actor, topic, n in several:
        if parts[-1] and size + n > STANDINGS_CHUNK:
            parts.append([])
            size = 0
        parts[-1].append((actor, topic))
        size += n
    for part in parts:
        if not part:
            continue
        standing, labels = stance.standing_rows(con, part, inherit)
        con.register("standings_part", standing)
        con.register("labels_part", labels)
        try:
            con.execute("insert into standings_judged by name select * from standings_part")
            con.execute("insert into labels_judged by name select * from labels_part")
        finally:
            con.unregister("standings_part")
            con.unregister("labels_part")


# -- upgrades: stored values recomputed in Python (store.ensure_schema runs them by schema version) --
def _reflag_continuity(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute statements.self_declared_continuity with the current phrase detector (schema 7).

    Schema 6's detector found one in ten of the real declarations. A flag it set
    is replaced by the new detector's verdict; a flag that differs from what it
    would have said was an analyst's explicit value and is kept
    (lib/phrases_v6.py). The upgrade's :func:`refresh` then relabels
    statements.own_continuity (a self-declared first statement is
    'reaffirmed') in the same transaction.
    """
    ids, quotes, stored = con.sql("select statement_id, quote, self_declared_continuity from statements").to_arrow_table().to_pydict().values()
    new = flags(quotes)
    changed = [(key, flag) for key, quote, was, flag in zip(ids, quotes, stored, new, strict=True)
               if flag != was and was == declared_v6(quote)]
    if not changed:
        return
    reflagged = pa.table({"statement_id": [k for k, _ in changed], "flag": [f for _, f in changed]})
    con.register("reflagged", reflagged)
    try:
        con.execute("""update statements set self_declared_continuity = r.flag
                       from reflagged r where statements.statement_id = r.statement_id""")
    finally:
        con.unregister("reflagged")
    con.execute("insert into audit_log (who, action, table_name, after) values ('upgrade', ?, 'statements', ?)",
                ["schema 7: continuity wording re-flagged by the new detector",
                 json.dumps({"set": sum(f for _, f in changed), "cleared": sum(not f for _, f in changed)})])


def _index_text(con: duckdb.DuckDBPyConnection) -> None:
    """Build the full-text index once (schema 10); later writes keep it current. Without the fts package it is left stale."""
    if store.load_extension(con, "fts"):
        index.rebuild(con)
    else:
        store.set_meta(con, "search_stale", "1")


def _count_and_letter(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 14: the sidebar's kept counts, and every source's sums (their table made anew) with their letters."""
    recount_sidebar_counts(con, {"documents", "events"}, {"documents", "events"})
    judgements.sum_totals(con, "")
    letter_totals(con)


RECOMPUTES: dict[int, Callable[[duckdb.DuckDBPyConnection], None]] = {
    6: _reflag_continuity, 8: judgements.rebuild, 9: _index_text, 10: rebuild_standings,
    11: lambda con: recount_timeline_months(con, set(_MONTH_COUNTS)), 12: rebuild_standings,
    13: _count_and_letter,
}
