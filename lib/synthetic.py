"""A clearly labelled synthetic dataset for scale tests, generated in SQL.

Every row is computed by DuckDB from ``range()`` and ``hash()`` of the row number
and the seed, so ten million events take seconds rather than a Python loop's
minutes, and the same seed always gives the same data. Nothing here is real:
sources and actors are named "Synthetic ...", events carry origin 'synthetic',
and ids start with ``s<seed>`` so that they never meet curated ids.

Shape: dates over ten years (2016-2025) with more items in later years; a few
actors, event types and sources dominate (power-law picks); most dates are days,
some months, a few years; statements mostly repeat their actor's position on a
topic, so continuity has reaffirmations and the occasional shift; half of the
claims carry evidence (corroborating more often than contradicting).
"""

from __future__ import annotations

import duckdb

from lib import store
from lib.ingest.report import ProgressFn

START = "2016-01-01"
SPAN_DAYS = 3652
N_TOPICS = 8
N_EVENT_TYPES = 20


def _sizes(events: int, statements: int, claims: int) -> dict[str, int]:
    """Reference table sizes that grow with the dataset (1M claims: 10,000 sources)."""
    total = events + statements + claims
    return {
        "sources": max(20, min(10_000, total // 100)),
        "actors": max(30, min(3_000, total // 2_000)),
        "event_documents": max(1, events // 4),
    }


def _u(key: str) -> str:
    """SQL for a uniform number in [0, 1) from the row number ``i``, the seed and a salt naming the column."""
    return f"((hash(i, $seed, '{key}') % 1000000) / 1000000.0)"


def _pick(key: str, n: str, skew: float) -> str:
    """SQL for a skewed pick in [0, n): u^skew puts most rows on the first few values."""
    return f"least({n} - 1, floor({n} * pow({_u(key)}, {skew})))::bigint"


def _day(total: str) -> str:
    """SQL for the row's first day and precision: dates rise with i (so row groups stay in date order), denser later."""
    return f"""date '{START}' + floor({SPAN_DAYS - 1} * pow(i / greatest({total}, 1), 0.8))::integer"""


def _dated(column: str, total: str) -> str:
    """SQL selecting a partial date (first day and precision) for row i: 85% days, 12% months, 3% years."""
    return f"""
        case when {_u('prec')} < 0.85 then {_day(total)}
             when {_u('prec')} < 0.97 then date_trunc('month', {_day(total)})::date
             else date_trunc('year', {_day(total)})::date end as {column},
        case when {_u('prec')} < 0.85 then 'day' when {_u('prec')} < 0.97 then 'month' else 'year' end as date_precision"""


def generate(con: duckdb.DuckDBPyConnection, events: int, statements: int, claims: int, seed: int,
             progress: ProgressFn | None = None) -> dict[str, int]:
    """Write a synthetic dataset of the given sizes into the store in one audited transaction; return rows per table.

    Refuses (ValueError) when the store already holds synthetic data of this seed:
    run it on a fresh store, or choose another seed.
    """
    if min(events, statements, claims) < 0:
        raise ValueError("sizes must be zero or more")
    prefix = f"s{seed}"
    if con.execute("select count(*) from sources where source_id = ?", [f"{prefix}src0"]).fetchall()[0][0]:
        raise ValueError(f"the store already holds synthetic data of seed {seed}: use a fresh store or another seed")
    report = progress or (lambda fraction, phrase: None)
    sizes = _sizes(events, statements, claims)
    n_docs = sizes["event_documents"] + statements + claims
    p = {"seed": seed, "prefix": prefix}
    steps: list[tuple[str, str, dict[str, object]]] = [
        ("sources", f"""
            insert into sources (source_id, name, kind, country, url)
            select $prefix || 'src' || i, 'Synthetic source ' || i,
                   ['wire', 'state_media', 'independent_media', 'official', 'think_tank', 'social'][1 + {_pick('kind', '6', 1.5)}],
                   'XS', 'https://synthetic.invalid/' || i
            from range($n) t(i)""", {"n": sizes["sources"]}),
        ("actors", """
            insert into actors (actor_id, name, kind, country, parent_actor_id)
            select $prefix || 'a' || i,
                   case when i < $states then 'Synthetic state ' || i else 'Synthetic ministry ' || i || ' of state ' || (i % $states) end,
                   case when i < $states then 'state' else 'ministry' end, 'XS',
                   case when i < $states then null else $prefix || 'a' || (i % $states) end
            from range($n) t(i) order by i""", {"n": sizes["actors"], "states": max(1, sizes["actors"] // 5)}),
        ("topics", """
            insert into topics (topic_id, name, description)
            select $prefix || 't' || i, 'Synthetic topic ' || i, 'Generated for scale tests; not real'
            from range($n) t(i)""", {"n": N_TOPICS}),
        ("positions", """
            insert into positions (topic_id, position_code, label, ordinal)
            select $prefix || 't' || t.i, p.code, p.label, p.ordinal
            from range($n) t(i), (values ('for', 'In favour', 1), ('neutral', 'Undecided', 0), ('against', 'Against', -1)) p(code, label, ordinal)
            """, {"n": N_TOPICS}),
        ("event_types", """
            insert into event_types (vocabulary, code, label)
            select 'synthetic', $prefix || 'type' || i, 'Synthetic event type ' || i from range($n) t(i)
            where $prefix || 'type' || i not in (select code from event_types where vocabulary = 'synthetic')""", {"n": N_EVENT_TYPES}),
        ("documents", f"""
            insert into documents (document_id, source_id, title, url, published_on, date_precision, language)
            select $prefix || 'd' || i, $prefix || 'src' || {_pick('src', '$sources', 3)}, 'Synthetic document ' || i,
                   'https://synthetic.invalid/doc/' || i, {_dated('published_on', '$n')}, 'en'
            from range($n) t(i)""", {"n": n_docs, "sources": sizes["sources"]}),
        ("events", f"""
            insert into events (event_id, occurred_on, date_precision, event_type, title, topic_id, origin, origin_ref)
            select $prefix || 'e' || i, {_dated('occurred_on', '$n')}, $prefix || 'type' || {_pick('type', str(N_EVENT_TYPES), 3)},
                   'Synthetic event ' || i, $prefix || 't' || {_pick('topic', str(N_TOPICS), 2)}, 'synthetic', 'seed ' || $seed
            from range($n) t(i)""", {"n": events}),
        ("event_actors", f"""
            insert into event_actors (event_id, actor_id, role)
            select $prefix || 'e' || i, $prefix || 'a' || {_pick('actor', '$actors', 4)}, 'initiator' from range($n) t(i)
            union all
            select $prefix || 'e' || i, $prefix || 'a' || {_pick('target', '$actors', 3)}, 'target' from range($n) t(i)
            where {_u('has_target')} < 0.5""", {"n": events, "actors": sizes["actors"]}),
        ("event_documents", """
            insert into event_documents (event_id, document_id)
            select $prefix || 'e' || i, $prefix || 'd' || (i // 4) from range($n) t(i)""", {"n": events}),
        ("statements", f"""
            insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, quote,
                                    attribution, document_id, language)
            select $prefix || 's' || i, stated_on, date_precision, $prefix || 'a' || actor, $prefix || 't' || topic,
                   -- an actor keeps its position on a topic most of the time
                   ['for', 'neutral', 'against'][1 + case when {_u('shift')} < 0.9 then (hash(actor, topic, $seed) % 3)::bigint
                                                     else (hash(i, $seed, 'pos') % 3)::bigint end],
                   'Synthetic statement ' || i || ' by synthetic actor ' || actor || ' on topic ' || topic,
                   ['on_record', 'spokesperson', 'anonymous_source', 'media_paraphrase'][1 + {_pick('attr', '4', 2)}],
                   $prefix || 'd' || ($docs + i), 'en'
            from (select i, {_dated('stated_on', '$n')}, {_pick('actor', '$actors', 4)} as actor,
                         {_pick('topic', str(N_TOPICS), 2)} as topic from range($n) t(i))""",
         {"n": statements, "actors": sizes["actors"], "docs": sizes["event_documents"]}),
        ("claims", f"""
            insert into claims (claim_id, claimed_on, date_precision, document_id, topic_id, subject_actor_id, text)
            select $prefix || 'c' || i, {_dated('claimed_on', '$n')}, $prefix || 'd' || ($docs + i),
                   $prefix || 't' || {_pick('topic', str(N_TOPICS), 2)}, $prefix || 'a' || {_pick('actor', '$actors', 4)},
                   'Synthetic claim ' || i || ' reported by a synthetic source'
            from range($n) t(i)""", {"n": claims, "actors": sizes["actors"], "docs": sizes["event_documents"] + statements}),
        ("evidence", f"""
            insert into evidence (claim_id, relation, evidence_type, evidence_id, noted_on)
            select $prefix || 'c' || i, case when {_u('rel')} < 0.65 then 'corroborates' else 'contradicts' end,
                   case when $statements > 0 then 'statement' else 'document' end,
                   case when $statements > 0 then $prefix || 's' || (hash(i, $seed, 'ev') % $statements)
                        else $prefix || 'd' || (hash(i, $seed, 'ev') % $docs) end,
                   date '2026-01-01'
            from range($n) t(i) where {_u('has_ev')} < 0.5""",
         {"n": claims, "statements": statements, "docs": n_docs}),
    ]
    counts: dict[str, int] = {}
    with store.transaction(con, "synthetic", "generate synthetic data") as audit:
        for number, (table, sql, values) in enumerate(steps):
            report(number / len(steps), f"writing {table}")
            params = {**p, **values}
            # an INSERT returns the number of rows it wrote
            counts[table] = int(con.execute(sql, {k: v for k, v in params.items() if f"${k}" in sql}).fetchall()[0][0])
            audit.bulk(table, {"synthetic_seed": seed, "rows": counts[table]})
    report(1.0, "done")
    return counts

