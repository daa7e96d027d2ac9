"""What a brief cites: the events, statements and claims a chart draws under the brief's filters (lib/brief.py numbers them).

One query with the Timeline's reading of the filters (lib/timeline/queries.py), values bound by name.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from lib.catalog import actor_scope
from lib.filters import Filters
from lib.timeline.queries import escape_like


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
    text = f"%{escape_like(filters.text)}%" if filters.text else None
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
